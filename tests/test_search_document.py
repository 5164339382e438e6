"""The search page's document of events, read back with json and checked against the model."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from conftest import SETTINGS, TODAY
from events_calendar.loading import load_content
from events_calendar.search_document import search_document
from events_calendar.views import CalendarViews

LONDON = ZoneInfo("Europe/London")
DESCRIPTION = "Only on the event's own page: the long description."


@pytest.fixture
def views(content) -> CalendarViews:
    content.series("lgbt-history-month", "title: LGBT+ History Month\nsummary: February.")
    content.event("panel.md", """
        title: Access all areas
        start: 2026-11-30 18:30
        end: 2026-11-30 20:30
        summary: Disabled artists talk about their work.
        series: [disability-history-month, lgbt-history-month]
        tags: [talk, art]
        location:
          name: Thameside Library
          address: 1 High Street
          postcode: TS1 4AB
        online: https://meet.thameside.example/panel
        accessibility: [bsl, step-free]
        cost: Free, booking needed
        uid: panel@test
    """, body=f"{DESCRIPTION}\n")
    content.event("exhibition.md", """
        title: Exhibition
        start: 2026-11-16
        end: 2026-12-16
        location: Thameside Museum
        cost: £4
        uid: exhibition@test
    """, body=f"{DESCRIPTION}\n")
    content.event("coalition.md", """
        title: Coalition meeting
        start: 2026-09-15 18:30
        end: 2026-09-15 20:30
        repeat: FREQ=WEEKLY;INTERVAL=6;COUNT=4
        except: [2026-10-27]
        online: https://meet.thameside.example/coalition
        uid: coalition@test
    """)
    content.event("crafts.md", """
        title: Winter crafts
        start: 2026-12-12 22:00
        end: 2026-12-13 00:00
        status: cancelled
        location: Riverside Community Centre
        accessibility: [quiet-space]
        uid: crafts@test
    """)
    content.event("new-york.md", """
        title: Evening in New York
        start: 2026-12-20 21:00
        timezone: America/New_York
        online: https://meet.thameside.example/new-york
        uid: new-york@test
    """)
    loaded = load_content(content.root, SETTINGS, TODAY)
    assert not loaded.problems, [str(p) for p in loaded.problems]
    return CalendarViews(loaded.events, loaded.series.values(), TODAY, LONDON, 548, 500)


def document(views: CalendarViews) -> dict:
    return json.loads(search_document(views.events, views.by_event, LONDON))


def by_url(views: CalendarViews) -> dict[str, dict]:
    return {record["url"]: record for record in document(views)["events"]}


def test_each_event_has_what_the_filters_and_results_need_and_nothing_else(views):
    assert list(document(views)) == ["events"]
    for record in document(views)["events"]:
        assert list(record) == ["url", "title", "summary", "status", "series", "tags", "free",
                                "online", "venue", "access", "occurrences"]
        for occurrence in record["occurrences"]:
            assert list(occurrence) == ["first_day", "last_day", "when"]


def test_a_timed_hybrid_free_event_with_series_tags_and_access(views):
    assert by_url(views)["events/panel/"] == {
        "url": "events/panel/",
        "title": "Access all areas",
        "summary": "Disabled artists talk about their work.",
        "status": "scheduled",
        "series": ["disability-history-month", "lgbt-history-month"],
        "tags": ["talk", "art"],
        "free": True,
        "online": True,
        "venue": "Thameside Library",
        "access": ["bsl", "step-free"],
        "occurrences": [{"first_day": "2026-11-30", "last_day": "2026-11-30",
                         "when": "Monday 30 November 2026, 6:30pm to 8:30pm"}],
    }


def test_an_all_day_paid_event_lasts_to_its_last_day(views):
    record = by_url(views)["events/exhibition/"]
    assert (record["free"], record["online"], record["venue"]) == (False, False, "Thameside Museum")
    assert (record["series"], record["tags"], record["access"], record["summary"]) == (
        [], [], [], "")
    assert record["occurrences"] == [{"first_day": "2026-11-16", "last_day": "2026-12-16",
                                      "when": "Monday 16 November 2026 to Wednesday 16 December 2026"}]


def test_a_repeating_online_event_lists_each_date_less_its_except_dates(views):
    record = by_url(views)["events/coalition/"]
    assert (record["online"], record["venue"], record["free"]) == (True, None, False)
    event = next(e for e in views.events if e.uid == "coalition@test")
    assert [(o["first_day"], o["last_day"]) for o in record["occurrences"]] == [
        (o.first_day.isoformat(), o.last_day.isoformat()) for o in views.by_event[event.uid]] == [
        ("2026-09-15", "2026-09-15"), ("2026-12-08", "2026-12-08"), ("2027-01-19", "2027-01-19")]
    assert record["occurrences"][1]["when"] == "Tuesday 8 December 2026, 6:30pm to 8:30pm"


def test_a_cancelled_event_says_so_and_an_end_at_midnight_ends_the_day_before(views):
    record = by_url(views)["events/crafts/"]
    assert record["status"] == "cancelled"
    assert record["access"] == ["quiet-space"]
    [occurrence] = record["occurrences"]
    assert (occurrence["first_day"], occurrence["last_day"]) == ("2026-12-12", "2026-12-12")


def test_days_are_the_sites_as_the_when_text_is(views):
    # 9pm in New York is 2am the next day in London, where the site lists the event.
    [occurrence] = by_url(views)["events/new-york/"]["occurrences"]
    assert (occurrence["first_day"], occurrence["last_day"]) == ("2026-12-21", "2026-12-21")
    assert occurrence["when"].startswith("Monday 21 December 2026, 2am")


def test_events_by_first_date_with_addresses_relative_to_the_site(views):
    urls = [record["url"] for record in document(views)["events"]]
    assert urls == ["events/coalition/", "events/exhibition/", "events/panel/", "events/crafts/",
                    "events/new-york/"]


def test_the_same_events_give_the_same_bytes_whatever_their_order(views):
    first = search_document(views.events, views.by_event, LONDON)
    again = search_document(list(reversed(views.events)),
                            dict(reversed(list(views.by_event.items()))), LONDON)
    assert first == again
    # Compact: no indentation and no spaces between items.
    assert b"\n" not in first.rstrip(b"\n") and b'", "' not in first


def test_descriptions_and_fields_the_page_does_not_use_are_left_out(views):
    data = search_document(views.events, views.by_event, LONDON).decode("utf-8")
    assert DESCRIPTION not in data and "description" not in data
    for absent in ("uid", "@test", "meet.thameside.example", "1 High Street", "TS1 4AB",
                   "Free, booking needed", "£4", "https://"):
        assert absent not in data, absent


def test_topics_are_the_tag_pages_slugs_so_one_topic_finds_every_spelling(content):
    for name, tags in [("one.md", "[LGBT+ History, Talk]"), ("two.md", "[lgbt+ history]"),
                       ("three.md", "[talk, Talk]")]:
        content.event(name, f"title: {name}\nstart: 2026-12-01\nlocation: Town Hall\n"
                            f"tags: {tags}\nuid: {name}@test")
    loaded = load_content(content.root, SETTINGS, TODAY)
    assert not loaded.problems, [str(p) for p in loaded.problems]
    views = CalendarViews(loaded.events, loaded.series.values(), TODAY, LONDON, 548, 500)
    tags = {record["url"]: record["tags"] for record in document(views)["events"]}
    assert tags == {"events/one/": ["lgbt-history", "talk"], "events/two/": ["lgbt-history"],
                    "events/three/": ["talk"]}
    # The search form offers each topic once, by the value the events carry.
    assert sorted(tag.slug for tag in views.tags()) == ["lgbt-history", "talk"]


def test_the_search_forms_topics_are_the_topics_events_carry(sample_site):
    """The built search page's topic options, read with an HTML parser, match the document."""
    options = TopicOptions()
    options.feed((sample_site / "search" / "index.html").read_text(encoding="utf-8"))
    carried = {tag for record in json.loads((sample_site / "search" / "events.json").read_bytes())
               ["events"] for tag in record["tags"]}
    assert options.values and set(options.values) == carried
    assert len(options.values) == len(set(options.values))


class TopicOptions(HTMLParser):
    """The values of the options in the search form's topic list (select#search-tag)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "select":
            self._inside = attributes.get("id") == "search-tag"
        elif tag == "option" and self._inside and attributes.get("value"):
            self.values.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._inside = False
