"""RSS, Atom, JSON, JSON-LD and page metadata, read back with independent parsers."""

from __future__ import annotations

import email.utils
import json
import re
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, SETTINGS, TODAY
from events_calendar import news_feeds
from events_calendar.loading import load_content
from events_calendar.revisions import Revision
from events_calendar.views import CalendarViews
from zoneinfo import ZoneInfo

ATOM = "{http://www.w3.org/2005/Atom}"
SITE = "https://events.thameside.example"
LONDON = ZoneInfo("Europe/London")




@pytest.fixture
def site(sample_site) -> Path:
    return sample_site


def feed_paths(site: Path, suffix: str) -> list[Path]:
    return sorted(site.rglob(f"upcoming.{suffix}.xml"))


def test_every_rss_feed_is_valid_rss_2(site):
    paths = feed_paths(site, "rss")
    assert len(paths) == 1 + len(list((ROOT / "content" / "series").glob("*.md")))
    for path in paths:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "rss20"
        channel = ElementTree.parse(path).getroot().find("channel")
        for required in ("title", "link", "description"):
            assert channel.findtext(required), (path, required)
        self_links = [l for l in channel.findall(f"{ATOM}link") if l.get("rel") == "self"]
        assert [l.get("href") for l in self_links] == [f"{SITE}/{path.relative_to(site).as_posix()}"]
        dates = []
        for item in channel.findall("item"):
            assert item.findtext("link").startswith(f"{SITE}/events/")
            guid = item.find("guid")
            assert guid.get("isPermaLink") == "false" and guid.text.startswith("tag:")
            # RFC 822 dates, as RSS 2.0 requires.
            dates.append(email.utils.parsedate_to_datetime(item.findtext("pubDate")))
        if dates:
            build = email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate"))
            assert build == max(dates)


def test_every_atom_feed_is_valid_atom(site):
    for path in feed_paths(site, "atom"):
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, path
        assert parsed.version == "atom10"
        root = ElementTree.parse(path).getroot()
        for required in ("id", "title", "updated"):
            assert root.findtext(f"{ATOM}{required}"), (path, required)
        assert any(l.get("rel") == "self" and l.get("href") == f"{SITE}/{path.relative_to(site).as_posix()}"
                   for l in root.findall(f"{ATOM}link"))
        ids, updated = [], []
        for entry in root.findall(f"{ATOM}entry"):
            ids.append(entry.findtext(f"{ATOM}id"))
            # RFC 3339 dates, as RFC 4287 requires.
            updated.append(datetime.fromisoformat(entry.findtext(f"{ATOM}updated")))
            [link] = [l for l in entry.findall(f"{ATOM}link") if l.get("rel", "alternate") == "alternate"]
            assert link.get("href").startswith(f"{SITE}/events/")
        assert len(ids) == len(set(ids))
        if updated:
            assert datetime.fromisoformat(root.findtext(f"{ATOM}updated")) == max(updated)


def test_whole_feed_lists_upcoming_events_soonest_first_with_dates_leading(site):
    parsed = feedparser.parse((site / "upcoming.rss.xml").read_bytes())
    titles = [entry.title for entry in parsed.entries]
    assert titles[0].startswith("Mon 16 Nov 2026: ")
    starts = []
    for title in titles:
        match = re.match(r"^\w{3} (\d{1,2} \w{3} \d{4})(, (\d{1,2}(:\d\d)?[ap]m|midday|midnight))?: ",
                         title)
        assert match, title
        starts.append(datetime.strptime(match.group(1), "%d %b %Y").date())
    assert starts == sorted(starts)
    assert all(day >= date(2026, 11, 16) for day in starts)
    cancelled = [t for t in titles if "Cancelled: " in t]
    assert cancelled == ["Sat 12 Dec 2026, 10:30am: Cancelled: Sensory-friendly winter crafts"]
    # Past events are not in a feed of upcoming events.
    assert not any("Windrush" in t for t in titles)
    categories = {tag.term for entry in parsed.entries for tag in entry.get("tags", [])}
    assert "Disability History Month 2026" in categories


def test_news_feeds_hold_the_next_upcoming_events_up_to_their_limit(content, tmp_path):
    from conftest import build_site

    for day in (3, 1, 4, 2):  # written out of order
        content.event(f"day-{day}.md", f"title: Day {day}\nstart: 2026-12-0{day} 18:00\n"
                                       f"series: disability-history-month")
    output = tmp_path / "output"
    result = build_site(content.root, output, extra_settings={"EVENTS_NEWS_FEED_ITEMS": 2})
    assert result.returncode == 0, result.stderr
    for feed in ["upcoming.rss.xml", "upcoming.atom.xml",
                 "series/disability-history-month/upcoming.rss.xml"]:
        titles = [entry.title for entry in feedparser.parse((output / feed).read_bytes()).entries]
        assert titles == ["Tue 1 Dec 2026, 6pm: Day 1", "Wed 2 Dec 2026, 6pm: Day 2"], feed
    # The calendar feed still holds every event.
    assert (output / "calendar.ics").read_bytes().count(b"BEGIN:VEVENT") == 4


def test_series_feed_holds_only_its_events(site):
    parsed = feedparser.parse((site / "series/refugee-week/upcoming.atom.xml").read_bytes())
    assert parsed.entries and all("refugee" in e.link or "Refugee Week" in
                                  {t.term for t in e.tags} for e in parsed.entries)


def test_image_becomes_an_enclosure_with_its_alt_text(content):
    content.event("poster.md", "title: Poster show\nstart: 2026-12-05 10:00\nuid: poster@test\n"
                               "image: images/poster.png\nimage_alt: A red poster")
    loaded = load_content(content.root, SETTINGS, TODAY)
    views = CalendarViews(loaded.events, [], TODAY, LONDON, 548, 500)
    info = news_feeds.NewsFeedInfo("T", "D", f"{SITE}/events/", f"{SITE}/u.rss.xml", f"{SITE}/u.atom.xml")
    revision = {"poster@test": Revision(datetime(2026, 11, 1, tzinfo=ZoneInfo("UTC")))}
    rss, atom = news_feeds.news_feeds(views.next_occurrences(), info, SITE, revision, LONDON)
    for data in (rss, atom):
        [entry] = feedparser.parse(data).entries
        assert entry.media_content == [{"url": f"{SITE}/images/poster.png",
                                        "type": "image/png", "medium": "image"}]
        assert "Image: A red poster" in entry.summary
        # One alternate link only (RFC 4287 4.1.1): the event's page.
        assert [l.href for l in entry.links if l.rel == "alternate"] == [f"{SITE}/events/poster/"]


def test_json_feed_has_every_published_event_with_offset_dates(site):
    document = json.loads((site / "events.json").read_text(encoding="utf-8"))
    sources = list((ROOT / "content" / "events").rglob("*.md"))
    drafts = [p for p in sources if re.search(r"^draft:\s*true", p.read_text(), re.M)]
    assert len(document["events"]) == len(sources) - len(drafts)
    assert document["feed_url"] == f"{SITE}/events.json"
    for record in document["events"]:
        assert record["url"].startswith(f"{SITE}/events/")
        for occurrence in record["occurrences"]:
            value = occurrence["start"]
            if record["all_day"]:
                date.fromisoformat(value)
            else:
                assert datetime.fromisoformat(value).utcoffset() is not None, value
    by_uid = {r["uid"]: r for r in document["events"]}
    coalition = by_uid["thameside-equality-coalition@events.thameside.example"]
    assert coalition["repeat"] == "FREQ=WEEKLY;INTERVAL=6;COUNT=9"
    assert coalition["except"] == ["2026-12-08"]
    assert [o["start"][:10] for o in coalition["occurrences"]][:3] == [
        "2026-09-15", "2026-10-27", "2027-01-19"]
    assert coalition["attendance"] == "online and in person"


def json_ld(site: Path, slug: str) -> list[dict]:
    soup = BeautifulSoup((site / f"events/{slug}/index.html").read_text(), "html.parser")
    [script] = soup.find_all("script", type="application/ld+json")
    data = json.loads(script.string)
    return data if isinstance(data, list) else [data]


def test_json_ld_of_a_timed_in_person_event(site):
    [event] = json_ld(site, "bhm-opening-evening")
    assert event["@context"] == "https://schema.org" and event["@type"] == "Event"
    assert event["startDate"] == "2026-10-01T18:30:00+01:00"
    assert event["endDate"] == "2026-10-01T20:30:00+01:00"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["location"]["@type"] == "Place"
    assert event["location"]["address"]["@type"] == "PostalAddress"
    assert event["location"]["address"]["postalCode"]
    assert event["url"] == f"{SITE}/events/bhm-opening-evening/"
    assert event["description"] and event["organizer"]["name"]
    assert event["offers"]["price"] == "0" and event["offers"]["priceCurrency"] == "GBP"


def test_json_ld_of_an_all_day_event_has_dates_only(site):
    [event] = json_ld(site, "disability-history-exhibition")
    assert (event["startDate"], event["endDate"]) == ("2026-11-16", "2026-12-16")


def test_json_ld_of_online_hybrid_and_cancelled_events(site):
    [online] = json_ld(site, "accessible-digital-services-webinar")
    assert online["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert online["location"]["@type"] == "VirtualLocation" and online["location"]["url"]
    [hybrid] = json_ld(site, "disability-and-work-panel")
    assert hybrid["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert {place["@type"] for place in hybrid["location"]} == {"Place", "VirtualLocation"}
    [cancelled] = json_ld(site, "sensory-friendly-winter-crafts")
    assert cancelled["eventStatus"] == "https://schema.org/EventCancelled"


def test_json_ld_gives_each_coming_occurrence_its_own_event(site):
    events = json_ld(site, "thameside-equality-coalition")
    assert [e["startDate"][:10] for e in events] == [
        "2027-01-19", "2027-03-02", "2027-04-13", "2027-05-25", "2027-07-06", "2027-08-17"]


def test_every_page_has_canonical_social_metadata_and_feed_links(site):
    pages = [p for p in site.rglob("index.html")]
    assert len(pages) > 50
    for path in pages:
        soup = BeautifulSoup(path.read_text(), "html.parser")
        address = f"{SITE}/" + path.parent.relative_to(site).as_posix().removeprefix(".") + "/"
        address = address.replace("//", "/").replace("https:/", "https://")
        assert soup.find("link", rel="canonical")["href"] == address, path
        for name in ("og:title", "og:description", "og:url", "og:type"):
            assert soup.find("meta", property=name)["content"], (path, name)
        assert soup.find("meta", attrs={"name": "twitter:card"})
        types = {link["type"] for link in soup.find_all("link", rel="alternate")}
        assert {"text/calendar", "application/rss+xml", "application/atom+xml"} <= types, path


def test_feeds_are_linked_visibly_where_events_are_listed(site):
    upcoming = BeautifulSoup((site / "events/index.html").read_text(), "html.parser")
    hrefs = {a["href"] for a in upcoming.find_all("a")}
    assert {f"{SITE}/upcoming.rss.xml", f"{SITE}/upcoming.atom.xml", f"{SITE}/calendar.ics"} <= hrefs
    series = BeautifulSoup((site / "series/refugee-week/index.html").read_text(), "html.parser")
    assert f"{SITE}/series/refugee-week/upcoming.rss.xml" in {a["href"] for a in series.find_all("a")}


def test_sitemap_and_robots(site):
    root = ElementTree.parse(site / "sitemap.xml").getroot()
    locations = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"{SITE}/" in locations and f"{SITE}/events/bhm-opening-evening/" in locations
    assert len(locations) == len(list(site.rglob("index.html")))
    assert all(location.startswith(f"{SITE}/") for location in locations)
    assert f"Sitemap: {SITE}/sitemap.xml" in (site / "robots.txt").read_text()
