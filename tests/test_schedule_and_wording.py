"""Occurrences of events and how their dates read, including across the clock changes."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from conftest import SETTINGS, TODAY
from events_calendar.loading import load_content
from events_calendar.views import CalendarViews
from events_calendar.wording import occurrence_pieces, pieces_html, pieces_text

LONDON = ZoneInfo("Europe/London")


def views_of(content, today=TODAY):
    loaded = load_content(content.root, SETTINGS, today)
    assert loaded.problems == []
    return CalendarViews(loaded.events, loaded.series.values(), today, LONDON, 548, 500)


def when(views, uid_start):
    [occurrence] = [o for o in views.occurrences if o.event.slug == uid_start]
    return pieces_text(occurrence_pieces(occurrence, LONDON))


def test_six_weekly_meeting_keeps_its_local_time_across_both_clock_changes(content):
    content.event("coalition.md", """
        title: Coalition
        start: 2026-09-15 18:30
        end: 2026-09-15 20:30
        repeat: FREQ=WEEKLY;INTERVAL=6;COUNT=9
        except: [2026-12-08]
    """)
    views = views_of(content)
    starts = [o.start for o in views.occurrences]
    assert [s.date() for s in starts] == [date(2026, 9, 15), date(2026, 10, 27), date(2027, 1, 19),
                                          date(2027, 3, 2), date(2027, 4, 13), date(2027, 5, 25),
                                          date(2027, 7, 6), date(2027, 8, 17)]
    assert {(s.hour, s.minute) for s in starts} == {(18, 30)}
    # 18:30 BST is 17:30 UTC; after the October change 18:30 GMT is 18:30 UTC.
    utc = [s.astimezone(timezone.utc).hour for s in starts]
    assert utc == [17, 18, 18, 18, 17, 17, 17, 17]
    assert [o.is_past for o in views.occurrences[:3]] == [True, True, False]
    assert {(o.end.hour, o.end.minute) for o in views.occurrences} == {(20, 30)}


def test_month_long_observance_is_upcoming_until_its_last_day(content):
    content.event("exhibition.md", "title: Exhibition\nstart: 2026-11-16\nend: 2026-12-16")
    [during] = views_of(content, date(2026, 12, 16)).upcoming
    assert during.is_happening
    assert views_of(content, date(2026, 12, 17)).upcoming == []


def test_dates_in_words(content):
    content.event("evening.md", "title: A\nstart: 2026-10-01 18:30\nend: 2026-10-01 20:30")
    content.event("noon.md", "title: B\nstart: 2026-10-02 12:00\nend: 2026-10-03 00:00")
    content.event("month.md", "title: C\nstart: 2026-10-01\nend: 2026-10-31")
    content.event("day.md", "title: D\nstart: 2026-12-03")
    content.event("late.md", "title: E\nstart: 2027-10-30 20:00\nend: 2027-10-31 02:00")
    content.event("ny.md", "title: F\nstart: 2027-02-10 12:00\nend: 2027-02-10 13:30\n"
                           "timezone: America/New_York")
    views = views_of(content)
    assert when(views, "evening") == "Thursday 1 October 2026, 6:30pm to 8:30pm"
    assert when(views, "noon") == "Friday 2 October 2026, midday to midnight"
    assert when(views, "month") == "Thursday 1 October 2026 to Saturday 31 October 2026"
    assert when(views, "day") == "Thursday 3 December 2026"
    assert when(views, "late") == "Saturday 30 October 2027, 8pm to Sunday 31 October 2027, 2am"
    assert when(views, "ny") == ("Wednesday 10 February 2027, 5pm to 6:30pm "
                                 "(midday to 1:30pm New York time)")


def test_event_across_the_october_clock_change_lasts_seven_hours(content):
    content.event("late.md", "title: E\nstart: 2027-10-30 20:00\nend: 2027-10-31 02:00")
    [occurrence] = views_of(content).occurrences
    elapsed = occurrence.end.astimezone(timezone.utc) - occurrence.start.astimezone(timezone.utc)
    assert elapsed.total_seconds() == 7 * 3600
    assert (occurrence.end.hour, occurrence.end.utcoffset().total_seconds()) == (2, 0)
    assert occurrence.start.astimezone(timezone.utc) == datetime(2027, 10, 30, 19, tzinfo=timezone.utc)
    assert occurrence.end.astimezone(timezone.utc) == datetime(2027, 10, 31, 2, tzinfo=timezone.utc)


def test_time_elements_carry_the_machine_readable_value(content):
    content.event("evening.md", "title: A\nstart: 2026-10-01 18:30\nend: 2026-10-01 20:30")
    [occurrence] = views_of(content).occurrences
    assert str(pieces_html(occurrence_pieces(occurrence, LONDON))) == (
        '<time datetime="2026-10-01T18:30+01:00">Thursday 1 October 2026, 6:30pm</time>'
        ' to <time datetime="2026-10-01T20:30+01:00">8:30pm</time>')


def test_views_group_and_order_occurrences(content):
    content.event("exhibition.md", "title: Exhibition\nstart: 2026-11-16\nend: 2026-12-16\n"
                                   "series: disability-history-month")
    content.event("later.md", "title: Later\nstart: 2027-01-27")
    content.event("autumn-talk.md", "title: Past\nstart: 2026-10-01 18:30")
    content.event("soon.md", "title: Soon\nstart: 2026-12-03 10:00\nstatus: cancelled")
    views = views_of(content)
    home = views.home()
    assert [o.event.title for o in home["happening_now"]] == ["Exhibition"]
    assert [o.event.title for o in home["coming_up"]] == ["Soon", "Later"]
    assert [s.slug for s in home["current_series"]] == ["disability-history-month"]
    [upcoming] = views.upcoming_pages(50)
    groups = upcoming["groups"]
    assert [(g.month.label, [o.event.title for o in g.occurrences]) for g in groups] == [
        ("November 2026", ["Exhibition"]), ("December 2026", ["Soon"]),
        ("January 2027", ["Later"])]
    assert [o.event.title for g in views.past_pages(50)[0]["groups"]
            for o in g.occurrences] == ["Past"]
    months = [m.label for m in views.months()]
    assert months == ["October 2026", "November 2026", "December 2026", "January 2027"]
    december = views.month_pages()[2]
    assert december["previous_month"].label == "November 2026"
    assert december["next_month"].label == "January 2027"
    assert [o.event.title for o in december["occurrences"]] == ["Exhibition", "Soon"]
    cells = [day for week in december["weeks"] for day in week]
    assert len(cells) % 7 == 0
    first = next(day for day in cells if day.date)
    # A running exhibition shows on the first day of the month it continues into.
    assert first.date == date(2026, 12, 1) and [o.event.title for o in first.occurrences] == ["Exhibition"]
    november = views.month_pages()[1]
    assert [d.date for w in november["weeks"] for d in w if d.is_today] == [TODAY]
    event_page = next(p for p in views.event_pages() if p["event"].slug == "soon")
    assert event_page["occurrence"].event.status == "cancelled"
