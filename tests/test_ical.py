"""iCalendar feeds, read back by independent parsers (ical, recurring-ical-events) and a raw lint."""

from __future__ import annotations

from datetime import date, datetime, timezone

import icalendar
import pytest
import recurring_ical_events
from ical.calendar_stream import IcsCalendarStream

from conftest import ROOT, SETTINGS, TODAY, build_site, index_for_search
from events_calendar import ical
from events_calendar.loading import load_content
from events_calendar.revisions import Revision
from events_calendar.views import CalendarViews
from ical_lint import lint
from zoneinfo import ZoneInfo

UTC = timezone.utc
STAMP = Revision(datetime(2026, 11, 1, 9, 0, tzinfo=UTC), 2)
SITE = "https://events.example"


def events_of(content):
    loaded = load_content(content.root, SETTINGS, TODAY)
    assert loaded.problems == []
    return loaded.events


def feed_of(content) -> bytes:
    events = events_of(content)
    return ical.calendar_feed(events, ical.FeedInfo("Test calendar", "All events"), SITE,
                              {event.uid: STAMP for event in events})


def strict(data: bytes):
    """Parse with `ical`, the strict parser Home Assistant uses."""
    return IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))


def expanded_utc(data: bytes, uid: str) -> list[tuple[datetime, datetime]]:
    """Occurrences as recurring-ical-events expands them, in UTC."""
    calendar = icalendar.Calendar.from_ical(data)
    found = recurring_ical_events.of(calendar).between(date(2000, 1, 1), date(2100, 1, 1))
    return sorted((o["DTSTART"].dt.astimezone(UTC), o["DTEND"].dt.astimezone(UTC))
                  for o in found if str(o["UID"]) == uid)


def test_six_weekly_series_across_both_clock_changes_with_one_date_skipped(content):
    content.event("coalition.md", """
        title: Coalition
        start: 2026-09-15 18:30
        end: 2026-09-15 20:30
        repeat: FREQ=WEEKLY;INTERVAL=6;COUNT=9
        except: [2026-12-08]
        uid: coalition@test
    """)
    data = feed_of(content)
    assert lint(data) == []
    expected = [(datetime(*day, hour, 30, tzinfo=UTC), datetime(*day, hour + 2, 30, tzinfo=UTC))
                for day, hour in [((2026, 9, 15), 17), ((2026, 10, 27), 18), ((2027, 1, 19), 18),
                                  ((2027, 3, 2), 18), ((2027, 4, 13), 17), ((2027, 5, 25), 17),
                                  ((2027, 7, 6), 17), ((2027, 8, 17), 17)]]
    assert expanded_utc(data, "coalition@test") == expected
    timeline = strict(data).timeline_tz(UTC)
    assert [(o.start.astimezone(UTC), o.end.astimezone(UTC)) for o in timeline] == expected


def test_event_spanning_the_october_clock_change(content):
    content.event("late.md", "title: Late\nstart: 2027-10-30 20:00\nend: 2027-10-31 02:00\nuid: late@test")
    data = feed_of(content)
    assert lint(data) == []
    assert expanded_utc(data, "late@test") == [
        (datetime(2027, 10, 30, 19, tzinfo=UTC), datetime(2027, 10, 31, 2, tzinfo=UTC))]
    [event] = strict(data).events
    assert (event.dtend.astimezone(UTC) - event.dtstart.astimezone(UTC)).total_seconds() == 7 * 3600


def test_multi_day_all_day_observance_has_an_exclusive_end_and_is_transparent(content):
    content.event("bhm.md", "title: Black History Month\nstart: 2026-10-01\nend: 2026-10-31\nuid: bhm@test")
    data = feed_of(content)
    assert lint(data) == []
    assert b"DTSTART;VALUE=DATE:20261001\r\n" in data and b"DTEND;VALUE=DATE:20261101\r\n" in data
    [event] = strict(data).events
    assert (event.dtstart, event.dtend) == (date(2026, 10, 1), date(2026, 11, 1))
    assert event.transparency == "TRANSPARENT"
    [occurrence] = recurring_ical_events.of(icalendar.Calendar.from_ical(data)).at(2026)
    assert occurrence["DTEND"].dt == date(2026, 11, 1)


def test_explicit_utc_offset_and_another_timezone(content):
    content.event("offset.md", "title: A\nstart: 2027-03-10T19:00+00:00\nend: 2027-03-10T20:30Z\nuid: offset@test")
    content.event("ny.md", "title: B\nstart: 2027-02-10 12:00\nend: 2027-02-10 13:30\n"
                           "timezone: America/New_York\nuid: ny@test")
    data = feed_of(content)
    assert lint(data) == []
    assert expanded_utc(data, "offset@test") == [
        (datetime(2027, 3, 10, 19, tzinfo=UTC), datetime(2027, 3, 10, 20, 30, tzinfo=UTC))]
    assert expanded_utc(data, "ny@test") == [
        (datetime(2027, 2, 10, 17, tzinfo=UTC), datetime(2027, 2, 10, 18, 30, tzinfo=UTC))]
    assert b"DTSTART;TZID=America/New_York:20270210T120000" in data
    tzids = {str(tz["TZID"]) for tz in icalendar.Calendar.from_ical(data).walk("VTIMEZONE")}
    assert tzids == {"Europe/London", "America/New_York"}


def test_weekly_all_day_repeat_uses_date_exdates(content):
    content.event("weekly.md", "title: Weekly\nstart: 2026-12-01\nrepeat: FREQ=WEEKLY;COUNT=4\n"
                               "except: [2026-12-08]\nuid: weekly@test")
    data = feed_of(content)
    assert lint(data) == []
    assert b"EXDATE;VALUE=DATE:20261208" in data
    days = [o["DTSTART"].dt for o in recurring_ical_events.of(
        icalendar.Calendar.from_ical(data)).between(date(2026, 1, 1), date(2028, 1, 1))]
    assert days == [date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 22)]


def test_text_round_trips_exactly_and_cannot_inject(content):
    tricky = "Café, tea; talk 🎉 " + "Ŵélsh and Ελληνικά " * 8
    notes = "Line one\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil\nSUMMARY:injected"
    content.event("tricky.md", f"title: \"{tricky.strip()}\"\nstart: 2026-12-01 18:00\n"
                               f"uid: tricky@test\naccessibility_notes: |\n  "
                               + notes.replace("\n", "\n  "))
    [event] = events_of(content)
    data = ical.event_file(event, SITE, STAMP)
    assert lint(data) == []
    calendar = strict(data)
    [parsed] = calendar.events
    assert parsed.summary == tricky.strip()
    assert notes in parsed.description
    assert parsed.uid == "tricky@test"
    assert len(icalendar.Calendar.from_ical(data).walk("VEVENT")) == 1


def test_cancelled_event_stays_and_says_so(content):
    content.event("off.md", "title: Film night\nstart: 2026-12-02 19:00\nstatus: cancelled\nuid: off@test")
    content.event("later.md", "title: Talk\nstart: 2026-12-09 19:00\nstatus: postponed\nuid: later@test")
    by_uid = {e.uid: e for e in strict(feed_of(content)).events}
    assert by_uid["off@test"].summary == "Cancelled: Film night"
    assert by_uid["off@test"].status == "CANCELLED"
    assert by_uid["later@test"].summary == "Postponed: Talk"
    assert by_uid["later@test"].status == "TENTATIVE"


def test_subscription_feed_and_single_event_file_headers(content):
    content.event("one.md", "title: One\nstart: 2026-12-01 10:00\nuid: one@test\n"
                            "location: {name: Hall, latitude: '51.5072', longitude: '-0.1276'}\n"
                            "accessibility: [bsl]\ncost: Free\nbooking: https://book.example/one")
    feed = icalendar.Calendar.from_ical(feed_of(content))
    assert str(feed["X-WR-CALNAME"]) == str(feed["NAME"]) == "Test calendar"
    assert "REFRESH-INTERVAL" in feed and "X-PUBLISHED-TTL" in feed
    assert str(feed["METHOD"]) == "PUBLISH"
    [event] = events_of(content)
    single = icalendar.Calendar.from_ical(ical.event_file(event, SITE, STAMP))
    assert "X-WR-CALNAME" not in single and "NAME" not in single
    assert str(single["METHOD"]) == "PUBLISH"
    [vevent] = single.walk("VEVENT")
    assert vevent["DTSTAMP"].dt == STAMP.modified and int(vevent["SEQUENCE"]) == 2
    assert str(vevent["URL"]) == "https://events.example/events/one/"
    assert str(vevent["LOCATION"]) == "Hall"
    assert (vevent["GEO"].latitude, vevent["GEO"].longitude) == (51.5072, -0.1276)
    text = str(vevent["DESCRIPTION"])
    for part in ["Where: Hall", "British Sign Language interpretation", "Cost: Free",
                 "Booking: https://book.example/one", "Details: https://events.example/events/one/"]:
        assert part in text


def test_feed_window_keeps_the_last_year_and_everything_ahead(content):
    content.event("old.md", "title: Old\nstart: 2025-10-01\nuid: old@test")
    content.event("recent.md", "title: Recent\nstart: 2026-01-10\nuid: recent@test")
    content.event("ahead.md", "title: Ahead\nstart: 2028-01-10\nuid: ahead@test")
    events = events_of(content)
    views = CalendarViews(events, [], TODAY, ZoneInfo("Europe/London"), 548, 500)
    assert sorted(e.uid for e in views.in_feeds(365)) == ["ahead@test", "recent@test"]


# --- the raw lint must catch what it is for ------------------------------------------------

GOOD = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:a\r\n"
        b"DTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261001\r\n"
        b"DTEND;VALUE=DATE:20261101\r\nSUMMARY:A\\, b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


@pytest.mark.parametrize("broken, complaint", [
    (GOOD.replace(b"\r\n", b"\n"), "CRLF"),
    (GOOD.replace(b"SUMMARY:A\\, b", b"SUMMARY:" + b"x" * 80), "75"),
    (GOOD.replace(b"SUMMARY:A\\, b", b"SUMMARY:A, b"), "unescaped"),
    (GOOD.replace(b"DTSTAMP:20260101T000000Z", b"DTSTAMP:20260101T000000"), "UTC"),
    (GOOD.replace(b"DTEND;VALUE=DATE:20261101", b"DTEND;VALUE=DATE:20261001"), "exclusive"),
    (GOOD.replace(b"DTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261101",
                  b"DTSTART:20261001T180000"), "floating"),
    (GOOD.replace(b"DTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261101",
                  b"DTSTART;TZID=Europe/London:20261001T180000"), "no VTIMEZONE"),
    (GOOD.replace(b"SUMMARY", b"EXDATE:20261008T000000Z\r\nSUMMARY"), "value type"),
    (GOOD.replace(b"SUMMARY:A\\, b", "SUMMARY:".encode() + "é".encode() * 33 + b"\r\n " +
                  "é".encode()[:1] + b"x"), "folded inside a character"),
])
def test_the_lint_fails_on_each_kind_of_broken_file(broken, complaint):
    assert lint(GOOD) == []
    assert any(complaint in error for error in lint(broken)), lint(broken)


# --- whole builds --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_builds(tmp_path_factory, sample_site):
    """The shared sample build, and a second build of the same commit with a fixed hash seed
    (the first had a random one): nothing may depend on set or dict order."""
    second = tmp_path_factory.mktemp("two") / "output"
    result = build_site(ROOT / "content", second, extra_env={"PYTHONHASHSEED": "2"})
    assert result.returncode == 0, result.stderr
    indexed = index_for_search(second)
    assert indexed.returncode == 0, indexed.stderr
    return sample_site, second


def test_every_published_calendar_file_passes_the_strict_lint(two_builds):
    files = sorted(two_builds[0].rglob("*.ics"))
    assert len(files) > 40
    for path in files:
        assert lint(path.read_bytes()) == [], path
        strict(path.read_bytes())  # and the strict parser reads it


def test_two_builds_of_one_commit_are_byte_identical(two_builds):
    first, second = two_builds
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert any(name.suffix == ".ics" for name in names)
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_feeds_are_announced_and_linked(two_builds):
    output = two_builds[0]
    home = (output / "index.html").read_text()
    assert 'rel="alternate" type="text/calendar"' in home
    assert "webcal://events.thameside.example/calendar.ics" in home
    series = (output / "series/refugee-week/index.html").read_text()
    assert 'href="https://events.thameside.example/series/refugee-week/calendar.ics"' in series
    event = (output / "events/refugee-week-welcome-festival/index.html").read_text()
    assert "refugee-week-welcome-festival.ics" in event
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in event
    assert "https://outlook.office.com/calendar/0/deeplink/compose?" in event
    subscribe = (output / "subscribe/index.html").read_text()
    for client in ["Outlook on Windows or Mac", "Outlook on the web", "Google Calendar",
                   "Apple Calendar", "Thunderbird", "webcal://"]:
        assert client in subscribe


def test_whole_calendar_holds_every_current_event_once(two_builds):
    calendar = strict((two_builds[0] / "calendar.ics").read_bytes())
    uids = [event.uid for event in calendar.events]
    assert len(uids) == len(set(uids)) >= 30
    assert "thameside-equality-coalition@events.thameside.example" in uids
