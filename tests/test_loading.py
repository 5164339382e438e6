"""The event model: every field read from front matter, and every editor's mistake reported."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import SETTINGS, TODAY
from events_calendar.loading import load_content

LONDON = ZoneInfo("Europe/London")
PROBLEM_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<field>[a-z_ ]+): (?P<message>.+)$")


def load(content):
    return load_content(content.root, SETTINGS, TODAY)


def test_every_field_is_read_into_the_model(content):
    content.event("2026/full.md", """
        title: "Access all areas: a panel"
        start: 2026-11-30 18:30
        end: 2026-11-30 20:30
        summary: Disabled artists talk about their work.
        series: disability-history-month
        tags: [Talk, art]
        location:
          name: Thameside Library
          address: 1 High Street, Thameside
          postcode: ts1 4ab
          url: https://library.example/
        online: https://meet.example/panel
        accessibility: [step-free, bsl, hearing-loop]
        accessibility_notes: The lift is at the back.
        cost: Free
        booking: https://tickets.example/panel
        organiser:
          name: Thameside Arts
          url: https://arts.example/
          email: hello@arts.example
        image: images/poster.png
        image_alt: Three people on a stage
        status: postponed
        uid: panel-2026@events.thameside.example
    """, body="## Speakers\n\nThree artists.\n")
    loaded = load(content)
    assert loaded.problems == []
    [event] = loaded.events
    assert event.title == "Access all areas: a panel"
    assert event.start == datetime(2026, 11, 30, 18, 30, tzinfo=LONDON)
    assert event.end == datetime(2026, 11, 30, 20, 30, tzinfo=LONDON)
    assert event.timezone == "Europe/London" and not event.all_day
    assert event.summary == "Disabled artists talk about their work."
    assert [s.slug for s in event.series] == ["disability-history-month"]
    assert event.tags == ("talk", "art")
    assert event.location.name == "Thameside Library"
    assert event.location.postcode == "TS1 4AB"
    assert event.location.url == "https://library.example/"
    assert event.online == "https://meet.example/panel"
    assert event.attendance == "online and in person"
    assert [f.slug for f in event.access_features] == ["step-free", "bsl", "hearing-loop"]
    assert event.access_features[1].label == "British Sign Language interpretation"
    assert event.accessibility_notes == "The lift is at the back."
    assert event.cost == "Free"
    assert event.booking == "https://tickets.example/panel"
    assert (event.organiser.name, event.organiser.email) == ("Thameside Arts", "hello@arts.example")
    assert event.image_alt == "Three people on a stage"
    assert event.status == "postponed" and event.status_label == "Postponed"
    assert event.uid == "panel-2026@events.thameside.example"
    assert event.slug == "full" and event.url == "events/full/"
    assert '<h3 id="speakers">Speakers</h3>' in event.body_html


def test_all_day_event_keeps_its_inclusive_last_day(content):
    content.event("month.md", "title: Exhibition\nstart: 2026-10-01\nend: 2026-10-31")
    [event] = load(content).events
    assert event.all_day
    assert (event.start, event.end) == (date(2026, 10, 1), date(2026, 10, 31))


def test_explicit_offset_names_the_instant_and_is_shown_in_the_event_zone(content):
    content.event("offset.md", "title: Talk\nstart: 2027-03-10T19:00+00:00\nend: 2027-03-10T20:30Z")
    [event] = load(content).events
    assert event.start == datetime(2027, 3, 10, 19, 0, tzinfo=LONDON)
    assert event.start.tzinfo == LONDON


def test_other_timezone_is_kept(content):
    content.event("ny.md", "title: Panel\nstart: 2027-02-10 12:00\ntimezone: America/New_York")
    [event] = load(content).events
    assert event.start.utcoffset().total_seconds() == -5 * 3600
    assert event.timezone == "America/New_York"


def test_yaml_traps_keep_the_text_the_editor_typed(content):
    # In YAML 1.1 `no` is false and `0800` octal: the calendar keeps what was typed.
    content.event("norway.md", "title: no\nstart: 2026-12-01\ncost: 0800\nlocation: NO\ndraft: no")
    [event] = load(content).events
    assert (event.title, event.cost, event.location.name, event.draft) == ("no", "0800", "NO", False)


def test_uid_without_one_is_derived_from_the_file_name(content):
    content.event("2026/my-event.md", "title: One\nstart: 2026-12-01")
    [event] = load(content).events
    assert event.uid == "my-event@events.thameside.example"


def test_drafts_are_kept_out_of_the_published_events(content):
    content.event("draft.md", "title: Not yet\nstart: 2026-12-01\ndraft: true")
    loaded = load(content)
    assert loaded.events == [] and [e.title for e in loaded.drafts] == ["Not yet"]


def test_repeat_keeps_local_time_and_leaves_out_except_dates(content):
    content.event("coalition.md", """
        title: Coalition meeting
        start: 2026-09-15 18:30
        end: 2026-09-15 20:30
        repeat: FREQ=WEEKLY;INTERVAL=6;COUNT=9
        except: [2026-12-08]
    """)
    [event] = load(content).events
    assert event.repeat.published == "FREQ=WEEKLY;INTERVAL=6;COUNT=9"
    assert event.except_dates == (date(2026, 12, 8),)


def test_repeat_until_a_date_is_published_in_utc_for_timed_events(content):
    content.event("weekly.md", """
        title: Weekly
        start: 2026-10-06 18:30
        repeat: FREQ=WEEKLY;UNTIL=20261103
    """)
    [event] = load(content).events
    # RFC 5545 3.3.10: with a DTSTART in a time zone, UNTIL must be a UTC date-time.
    assert event.repeat.published == "FREQ=WEEKLY;UNTIL=20261103T235959Z"


# Each case: a file name, its front matter (or whole text), the field the problem names and
# the line it names. Every one must be reported as one `path:line: field: ...` line.
MISTAKES = [
    ("malformed-yaml", "title: [unclosed\nstart: 2026-12-01", "front matter", 3),
    ("bad-indent", "title: A\n  start: 2026-12-01", "front matter", 3),
    ("missing-title", "start: 2026-12-01", "title", 1),
    ("empty-title", "title:\nstart: 2026-12-01", "title", 2),
    ("title-as-list", "title: [a, b]\nstart: 2026-12-01", "title", 2),
    ("missing-start", "title: A", "start", 1),
    ("unparseable-date", "title: A\nstart: next Tuesday", "start", 3),
    ("impossible-date", "title: A\nstart: 2026-02-30", "start", 3),
    ("impossible-month", "title: A\nstart: 2026-13-01", "start", 3),
    ("impossible-time", "title: A\nstart: 2026-12-01 25:00", "start", 3),
    ("time-without-date", "title: A\nstart: 2026-12-01 18:00\nend: 20:00", "end", 4),
    ("sexagesimal-trap", "title: A\nstart: 18:00", "start", 3),
    ("year-one", "title: A\nstart: 0001-01-01", "start", 3),
    ("year-9999", "title: A\nstart: 9999-12-31", "start", 3),
    ("end-before-start", "title: A\nstart: 2026-12-01 18:00\nend: 2026-12-01 17:00", "end", 4),
    ("end-of-other-kind", "title: A\nstart: 2026-12-01\nend: 2026-12-01 17:00", "end", 4),
    ("clock-change-gap", "title: A\nstart: 2027-03-28 01:30", "start", 3),
    ("unknown-timezone", "title: A\nstart: 2026-12-01 18:00\ntimezone: Europe/Londn", "timezone", 4),
    ("unknown-series", "title: A\nstart: 2026-12-01\nseries: black-history-mnth", "series", 4),
    ("unknown-access-term", "title: A\nstart: 2026-12-01\naccessibility: [step-free, ramp]",
     "accessibility", 4),
    ("image-without-alt", "title: A\nstart: 2026-12-01\nimage: images/poster.png",
     "image_alt", 1),
    ("image-from-another-site", "title: A\nstart: 2026-12-01\nimage: https://i.example/a.jpg\n"
     "image_alt: A poster", "image", 4),
    ("image-outside-content", "title: A\nstart: 2026-12-01\nimage: images/../../secret.png\n"
     "image_alt: A poster", "image", 4),
    ("image-missing", "title: A\nstart: 2026-12-01\nimage: images/nope.png\nimage_alt: A poster",
     "image", 4),
    ("rrule-never-happens", "title: A\nstart: 2026-12-01\nrepeat: FREQ=DAILY;COUNT=3;BYMONTH=2;BYMONTHDAY=30",
     "repeat", 4),
    ("booking-not-http", "title: A\nstart: 2026-12-01\nbooking: ftp://tickets.example/",
     "booking", 4),
    ("online-not-https", "title: A\nstart: 2026-12-01\nonline: http://meet.example/",
     "online", 4),
    ("javascript-url", "title: A\nstart: 2026-12-01\nlocation:\n  name: Hall\n  url: javascript:alert(1)",
     "location", 4),
    ("latitude-out-of-range",
     "title: A\nstart: 2026-12-01\nlocation:\n  name: Hall\n  latitude: 95\n  longitude: 0",
     "location", 4),
    ("bad-email", "title: A\nstart: 2026-12-01\norganiser:\n  name: Org\n  email: not-an-email",
     "organiser", 4),
    ("invalid-status", "title: A\nstart: 2026-12-01\nstatus: cancelled-ish", "status", 4),
    ("invalid-rrule", "title: A\nstart: 2026-12-01\nrepeat: FREQ=FORTNIGHTLY", "repeat", 4),
    ("rrule-with-prefix", "title: A\nstart: 2026-12-01\nrepeat: RRULE:FREQ=WEEKLY", "repeat", 4),
    ("rrule-secondly", "title: A\nstart: 2026-12-01 10:00\nrepeat: FREQ=SECONDLY", "repeat", 4),
    ("rrule-endless-daily", "title: A\nstart: 2026-12-01\nrepeat: FREQ=DAILY", "repeat", 4),
    ("rrule-count-and-until", "title: A\nstart: 2026-12-01\nrepeat: FREQ=DAILY;COUNT=2;UNTIL=20261210",
     "repeat", 4),
    ("except-not-a-date-of-the-rule",
     "title: A\nstart: 2026-12-01\nrepeat: FREQ=WEEKLY;COUNT=3\nexcept: [2026-12-02]", "except", 5),
    ("except-without-repeat", "title: A\nstart: 2026-12-01\nexcept: [2026-12-01]", "except", 4),
    ("unknown-field", "title: A\nstart: 2026-12-01\nlocaton: Hall", "locaton", 4),
    ("field-twice", "title: A\ntitle: B\nstart: 2026-12-01", "title", 3),
    ("control-character", "title: \"A\\x07B\"\nstart: 2026-12-01", "title", 2),
    ("yaml-python-tag", "title: !!python/object:os.system [ls]\nstart: 2026-12-01", "title", 2),
    ("yaml-alias", "title: &t A\nsummary: *t\nstart: 2026-12-01", "summary", 3),
    ("draft-not-boolean", "title: A\nstart: 2026-12-01\ndraft: maybe", "draft", 4),
    ("bad-uid", "title: A\nstart: 2026-12-01\nuid: two words", "uid", 4),
]


@pytest.mark.parametrize("name, front_matter, field, line", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_one_clear_line(content, name, front_matter, field, line):
    path = content.event(f"{name}.md", front_matter)
    loaded = load(content)
    assert loaded.events == []
    assert len(loaded.problems) == 1, [str(p) for p in loaded.problems]
    text = str(loaded.problems[0])
    match = PROBLEM_LINE.match(text)
    assert match, text
    assert match["path"].endswith(f"events/{name}.md") and str(path).endswith(match["path"])
    assert (match["field"], int(match["line"])) == (field, line), text
    assert "(" in match["message"], f"no hint on how to fix it: {text}"


@pytest.mark.parametrize("name", ["past.md", "free.md", "!!!.md", "index.md", "page.md"])
def test_a_file_name_that_cannot_be_an_address_is_refused(content, name):
    content.event(name, "title: A\nstart: 2026-12-01")
    [problem] = load(content).problems
    assert problem.field == "file" and "rename it" in problem.fix


def test_a_hidden_event_file_is_reported_not_ignored(content):
    content.event(".secret.md", "title: A\nstart: 2026-12-01")
    (content.root / "events" / ".DS_Store").write_bytes(b"\0\0")
    [problem] = load(content).problems
    assert problem.field == "file" and "hidden" in problem.message


def test_missing_front_matter(content):
    path = content.root / "events" / "plain.md"
    path.write_text("title: A\nstart: 2026-12-01\n", encoding="utf-8")
    [problem] = load(content).problems
    assert (problem.line, problem.field, problem.message) == (1, "front matter", "missing")


def test_unclosed_front_matter(content):
    (content.root / "events" / "open.md").write_text("---\ntitle: A\nstart: 2026-12-01\n")
    [problem] = load(content).problems
    assert (problem.field, problem.message) == ("front matter", "is not closed")


def test_file_that_is_not_utf8_names_the_line(content):
    (content.root / "events" / "latin1.md").write_bytes(
        "---\ntitle: Caf\xe9\nstart: 2026-12-01\n---\n".encode("latin-1"))
    [problem] = load(content).problems
    assert (problem.line, problem.field) == (2, "file")
    assert "not UTF-8" in problem.message


def test_binary_file(content):
    (content.root / "events" / "binary.md").write_bytes(b"---\ntitle: \x00\x01\x02\n---\n")
    [problem] = load(content).problems
    assert problem.field == "file" and "binary" in problem.message


def test_a_file_that_would_be_ignored_is_reported(content):
    (content.root / "events" / "notes.txt").write_text("title: A")
    [problem] = load(content).problems
    assert problem.field == "file" and "only .md files" in problem.message


def test_duplicate_uid_names_both_files(content):
    content.event("a.md", "title: A\nstart: 2026-12-01\nuid: same@example")
    content.event("b.md", "title: B\nstart: 2026-12-02\nuid: same@example")
    [problem] = load(content).problems
    assert problem.field == "uid" and problem.line == 4
    assert problem.path.endswith("b.md") and "a.md" in problem.message


def test_same_file_name_in_two_folders_is_reported(content):
    content.event("2026/talk.md", "title: A\nstart: 2026-12-01\nuid: one@example")
    content.event("2027/talk.md", "title: B\nstart: 2027-12-01\nuid: two@example")
    [problem] = load(content).problems
    assert problem.field == "file" and "2026/talk.md" in problem.message


def test_every_problem_in_every_file_is_reported_at_once(content):
    content.event("one.md", "title:\nstart: 2026-02-30\nstatus: maybe")
    content.event("two.md", "title: B\nstart: 2026-12-01\nseries: nope\naccessibility: [ramp]")
    content.event("good.md", "title: Good\nstart: 2026-12-01")
    problems = load(content).problems
    assert sorted((p.path.rsplit("/", 1)[-1], p.field) for p in problems) == [
        ("one.md", "start"), ("one.md", "status"), ("one.md", "title"),
        ("two.md", "accessibility"), ("two.md", "series")]


def test_series_mistakes_are_reported(content):
    content.series("broken", "summary: no title\nstart: 2026-12-10\nend: 2026-12-01")
    fields = sorted(p.field for p in load(content).problems)
    assert fields == ["end", "title"]


def test_reading_on_several_cores_gives_the_same_result(monkeypatch):
    from conftest import ROOT
    from events_calendar import loading

    serial = load_content(ROOT / "content", SETTINGS, TODAY)
    monkeypatch.setattr(loading, "PARALLEL_FROM", 2)
    monkeypatch.setenv("EVENTS_WORKERS", "2")
    parallel = load_content(ROOT / "content", SETTINGS, TODAY)
    assert [e.uid for e in parallel.events] == [e.uid for e in serial.events]
    assert parallel.events == serial.events and parallel.problems == serial.problems
    assert [s.path for s in parallel.sources] == [s.path for s in serial.sources]


# --- what was read, kept between checks and builds --------------------------------------


class RecordingSettings(dict):
    """Settings that remember which of them were asked for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked: set[str] = set()

    def get(self, name, default=None):
        self.asked.add(name)
        return super().get(name, default)

    def __getitem__(self, name):
        self.asked.add(name)
        return super().__getitem__(name)


def kept_between_reads(tmp_path):
    from events_calendar.build_cache import BuildCache

    return BuildCache(tmp_path / "cache.sqlite", "test")


def every_file_read(content, settings=SETTINGS, cache=None):
    loaded = load_content(content.root, settings, TODAY, cache)
    return loaded.events + loaded.drafts, [str(problem) for problem in loaded.problems]


def mixed_content(content):
    (content.root / "images").mkdir(exist_ok=True)
    (content.root / "images" / "poster.png").write_bytes(b"\x89PNG")
    content.event("2026/with-image.md", """
        title: A panel
        start: 2026-11-30 18:30
        series: disability-history-month
        accessibility: [step-free, bsl]
        image: images/poster.png
        image_alt: Three people on a stage
    """)
    content.event("2026/weekly.md", """
        title: Weekly coffee
        start: 2026-12-02 10:00
        end: 2026-12-02 11:00
        timezone: Europe/Paris
        repeat: FREQ=WEEKLY;COUNT=4
    """)
    content.event("2026/broken.md", "title: Broken\nstart: 2026-13-01\n")


def test_reading_asks_only_for_the_settings_its_cache_entries_are_found_by(content):
    from events_calendar.loading import READER_SETTINGS, EventReader

    mixed_content(content)
    settings = RecordingSettings(SETTINGS)
    series = load_content(content.root, SETTINGS, TODAY).series
    for path in sorted((content.root / "events").rglob("*.md")):
        EventReader(path, str(path), settings, series, TODAY, content.root).read()
    assert settings.asked and settings.asked <= set(READER_SETTINGS)


def test_files_read_before_come_back_exactly_as_read(content, tmp_path):
    mixed_content(content)
    without = every_file_read(content)
    cache = kept_between_reads(tmp_path)
    assert every_file_read(content, cache=cache) == without  # stored
    assert len(entries(cache)) == 3  # every file, the one with a mistake with its problems
    assert every_file_read(content, cache=kept_between_reads(tmp_path)) == without  # found
    # Shared things stay shared: the series and access features are the ones read this time.
    events, _ = every_file_read(content, cache=kept_between_reads(tmp_path))
    series = load_content(content.root, SETTINGS, TODAY).series
    [panel] = [event for event in events if event.title == "A panel"]
    assert panel.series[0] == series["disability-history-month"]


def entries(cache) -> list:
    return cache.database().execute("SELECT key FROM entries").fetchall()


def test_a_changed_file_image_setting_or_series_is_read_again(content, tmp_path):
    mixed_content(content)
    every_file_read(content, cache=kept_between_reads(tmp_path))
    # The file itself.
    content.event("2026/weekly.md", """
        title: Weekly coffee and cake
        start: 2026-12-02 10:00
        repeat: FREQ=WEEKLY;COUNT=4
    """)
    events, _ = every_file_read(content, cache=kept_between_reads(tmp_path))
    assert "Weekly coffee and cake" in {event.title for event in events}
    # The image it names is deleted: the cached event must not hide the problem.
    (content.root / "images" / "poster.png").unlink()
    _, problems = every_file_read(content, cache=kept_between_reads(tmp_path))
    assert any("with-image.md" in problem and "does not exist" in problem
               for problem in problems)
    # A setting reading depends on: uids made from file names follow the new domain.
    events, _ = every_file_read(content, {**SETTINGS, "EVENTS_UID_DOMAIN": "new.example"},
                                kept_between_reads(tmp_path))
    assert all(event.uid.endswith("@new.example") for event in events)
    # A series' title, which every event in it shows.
    (content.root / "images" / "poster.png").write_bytes(b"\x89PNG")
    content.series("disability-history-month", """
        title: Disability History Month 2026
        start: 2026-11-16
        end: 2026-12-16
    """)
    events, _ = every_file_read(content, cache=kept_between_reads(tmp_path))
    assert {item.title for event in events for item in event.series} == \
        {"Disability History Month 2026"}
    # The series is deleted: the event that names it now has a mistake.
    (content.root / "series" / "disability-history-month.md").unlink()
    _, problems = every_file_read(content, cache=kept_between_reads(tmp_path))
    assert any("with-image.md" in problem and "series" in problem for problem in problems)


def test_a_check_does_not_count_as_a_build_so_the_pages_kept_are_not_aged_out(tmp_path):
    from events_calendar.build_cache import BuildCache

    path = tmp_path / "cache.sqlite"
    build = BuildCache(path, "test")
    build.put_many({"page": b"<html>"})
    for _ in range(3):  # three checks
        check = BuildCache(path, "test", new_build=False)
        check.put_many({"read": b"event"})
        assert check.build == build.build
    BuildCache(path, "test").prune()  # the next build keeps what the last one made
    assert BuildCache(path, "test", new_build=False).get_many(["page", "read"]) == \
        {"page": b"<html>", "read": b"event"}


def test_entries_no_build_has_used_for_two_builds_are_forgotten(tmp_path):
    from events_calendar.build_cache import BuildCache

    path = tmp_path / "cache.sqlite"
    first = BuildCache(path, "test")
    first.put_many({"old": b"1", "kept": b"2"})
    first.prune()
    for _ in range(2):  # two more builds use only one of them
        later = BuildCache(path, "test")
        later.touch(["kept"])
        assert later.get_many(["old"]) == {"old": b"1"}  # (still there until it is pruned)
        later.prune()
    assert BuildCache(path, "test", new_build=False).get_many(["old", "kept"]) == \
        {"kept": b"2"}


def test_a_check_finds_what_a_build_kept_and_keeps_nothing_itself(content, tmp_path, monkeypatch):
    from events_calendar import loading
    from events_calendar.build_cache import BuildCache
    from events_calendar.settings import DEFAULTS

    mixed_content(content)
    monkeypatch.chdir(content.root.parent)  # where both run (the project's folder)
    # A build's settings have every calendar default filled in, and name the content folder
    # absolutely; `make check` reads the site's settings as written, and may name it as given.
    build_settings = {**DEFAULTS, **SETTINGS}
    built = load_content(content.root, build_settings, TODAY, kept_between_reads(tmp_path))
    assert len(entries(kept_between_reads(tmp_path))) == 3

    read_again = []
    reader = loading.EventReader.read
    monkeypatch.setattr(loading.EventReader, "read",
                        lambda self, *args, **kwargs: read_again.append(self.shown)
                        or reader(self, *args, **kwargs))
    check = BuildCache(tmp_path / "cache.sqlite", "test", new_build=False, stores=False)
    checked = load_content(Path(content.root.name), SETTINGS, TODAY, check)
    assert read_again == []  # every file found as the build kept it
    assert (checked.events + checked.drafts, [str(p) for p in checked.problems]) == \
        (built.events + built.drafts, [str(p) for p in built.problems])

    content.event("2026/new.md", "title: New\nstart: 2026-12-05 10:00\n")
    load_content(Path(content.root.name), SETTINGS, TODAY, check)
    assert read_again == [str(Path(content.root.name) / "events" / "2026" / "new.md")]
    assert len(entries(kept_between_reads(tmp_path))) == 3  # the check kept nothing
