"""Hostile input: malformed and malicious files, generated front matter, injection, paths,
nothing lost and reproducible builds."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import feedparser
import icalendar
import pytest
import recurring_ical_events
import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings, strategies as st
from zoneinfo import ZoneInfo

from conftest import FIXTURES, ROOT, SETTINGS, TODAY, build_site
from events_calendar import check, ical, json_feed, news_feeds, structured_data
from events_calendar.frontmatter import parse_source
from events_calendar.loading import EVENT_FIELDS, EventReader
from events_calendar.revisions import Revision
from events_calendar.views import CalendarViews
from test_loading import MISTAKES

LONDON = ZoneInfo("Europe/London")
PROBLEM_LINE = re.compile(r"^(?P<path>\S+?):(?P<line>\d+): (?P<field>[^:]+?): .+$")
SITE = "https://events.thameside.example"


def front(text: str) -> bytes:
    return f"---\n{text}\n---\nBody.\n".encode()


# Hostile files beyond the editors' everyday mistakes (tests/test_loading.py MISTAKES, which
# are part of the corpus too). Each: a name, the file's bytes, the field the error names.
HOSTILE: list[tuple[str, bytes, str]] = [
    ("truncated-yaml", b"---\ntitle: \"An unfinished\nstart: 2026-12-01\n---\n", "front matter"),
    ("truncated-file", b"---\ntitle: A\nstart: 2026-1", "front matter"),
    ("empty-file", b"", "front matter"),
    ("only-fences", b"---\n---\n", "front matter"),
    ("front-matter-is-a-list", front("- title\n- start"), "front matter"),
    ("huge-front-matter", front("title: " + "A" * 1_000_000 + "\nstart: 2026-12-01"), "front matter"),
    ("long-title", front("title: " + "A" * 5_000 + "\nstart: 2026-12-01"), "title"),
    ("huge-summary", front("title: A\nstart: 2026-12-01\nsummary: " + "word " * 10_000), "summary"),
    ("huge-list", front("title: A\nstart: 2026-12-01\naccessibility: [" + "ramp, " * 20_000 + "ramp]"),
     "accessibility"),
    ("control-character-bell", front("title: \"Film\\anight\"\nstart: 2026-12-01"), "title"),
    ("escape-sequence", front("title: \"\\e[31mRed\"\nstart: 2026-12-01"), "title"),
    ("nul-byte", b"---\ntitle: A\x00B\nstart: 2026-12-01\n---\n", "file"),
    ("binary-data", bytes(range(256)) * 4, "file"),
    ("png-renamed", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, "file"),
    ("utf16-file", "---\ntitle: A\nstart: 2026-12-01\n---\n".encode("utf-16"), "file"),
    ("latin1-file", "---\ntitle: Café\nstart: 2026-12-01\n---\n".encode("latin-1"), "file"),
    ("deep-nesting-flow", front("title: A\nstart: 2026-12-01\ntags: " + "[" * 5000 + "]" * 5000),
     "front matter"),
    ("deep-nesting-block", front("title: A\nstart: 2026-12-01\nlocation:\n" + "".join(
        "  " * (i + 1) + f"k{i}:\n" for i in range(60)) + "  " * 61 + "x"), "location"),
    ("billion-laughs", front("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a]\n"
                             "c: &c [*b, *b, *b, *b, *b, *b]\ntitle: A\nstart: 2026-12-01"), "b"),
    ("yaml-merge-key", front("base: &b {title: A}\n<<: *b\nstart: 2026-12-01"), "<<"),
    ("yaml-python-object", front("title: !!python/object/apply:os.system ['echo pwned']\n"
                                 "start: 2026-12-01"), "title"),
    ("yaml-binary-tag", front("title: !!binary aGVsbG8=\nstart: 2026-12-01"), "title"),
    ("yaml-custom-tag", front("title: !include /etc/passwd\nstart: 2026-12-01"), "title"),
    ("yaml-set", front("title: A\nstart: 2026-12-01\ntags: !!set {a, b}"), "tags"),
    ("key-is-a-list", front("[a, b]: c\ntitle: A\nstart: 2026-12-01"), "front matter"),
    ("rrule-secondly-endless", front("title: A\nstart: 2026-12-01 10:00\nrepeat: FREQ=SECONDLY"),
     "repeat"),
    ("rrule-minutely-count", front("title: A\nstart: 2026-12-01 10:00\nrepeat: FREQ=MINUTELY;COUNT=1000000"),
     "repeat"),
    ("rrule-daily-huge-count", front("title: A\nstart: 2026-12-01\nrepeat: FREQ=DAILY;COUNT=100000000"),
     "repeat"),
    ("rrule-injected-property", front("title: A\nstart: 2026-12-01\nrepeat: \"FREQ=DAILY;COUNT=2\\r\\n"
                                      "ATTACH:http://evil.example\""), "repeat"),
    ("rrule-never-happens", front("title: A\nstart: 2026-12-01\nrepeat: FREQ=DAILY;COUNT=5;BYMONTH=2;"
                                  "BYMONTHDAY=31"), "repeat"),
    ("year-1", front("title: A\nstart: 0001-01-01"), "start"),
    ("year-9999", front("title: A\nstart: 9999-12-31 23:59"), "start"),
    ("year-10000", front("title: A\nstart: 10000-01-01"), "start"),
    ("thirtieth-february", front("title: A\nstart: 2027-02-30"), "start"),
    ("twenty-ninth-february-2027", front("title: A\nstart: 2027-02-29"), "start"),
    ("offset-out-of-range", front("title: A\nstart: 2026-12-01T10:00+25:00"), "start"),
    ("hour-24", front("title: A\nstart: 2026-12-01 24:00"), "start"),
    ("crlf-in-url", front("title: A\nstart: 2026-12-01\nbooking: \"https://a.example/\\r\\nX: y\""),
     "booking"),
    ("javascript-booking", front("title: A\nstart: 2026-12-01\nbooking: javascript:alert(1)"),
     "booking"),
    ("data-url-online", front("title: A\nstart: 2026-12-01\nonline: data:text/html,<script>alert(1)</script>"),
     "online"),
    ("path-traversal-image", front("title: A\nstart: 2026-12-01\nimage: ../../../etc/passwd\n"
                                   "image_alt: x"), "image"),
    ("absolute-image", front("title: A\nstart: 2026-12-01\nimage: /etc/passwd\nimage_alt: x"), "image"),
    ("uid-with-newline", front("title: A\nstart: 2026-12-01\nuid: \"a\\nBEGIN:VEVENT\""), "uid"),
    ("timezone-path", front("title: A\nstart: 2026-12-01 10:00\ntimezone: ../../etc/localtime"),
     "timezone"),
    ("series-path", front("title: A\nstart: 2026-12-01\nseries: ../../etc"), "series"),
]
CORPUS = [(name, front(text), field) for name, text, field, _ in MISTAKES] + HOSTILE


def test_the_corpus_is_large():
    assert len(CORPUS) >= 80 and len(HOSTILE) >= 40


@pytest.mark.parametrize("name, data, field", CORPUS, ids=[c[0] for c in CORPUS])
def test_each_hostile_file_is_a_clear_error_quickly(tmp_path, name, data, field, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "small" / "series", content / "series")
    shutil.copytree(FIXTURES / "small" / "images", content / "images")
    (content / "events").mkdir()
    (content / "events" / f"{name}.md").write_bytes(data)
    monkeypatch.setenv("EVENTS_TODAY", "2026-11-24")
    err = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = check.main([str(content), "--settings", str(ROOT / "pelicanconf.py"), "--no-diff"])
    assert time.monotonic() - started < 20, "too slow: a hostile file must not hang the check"
    assert code == 1
    lines = err.getvalue().splitlines()
    assert lines, "no error reported"
    for line in lines:
        match = PROBLEM_LINE.match(line)
        assert match, line
        assert match["path"].endswith(f"{name}.md"), line
        assert len(line) < 2000, "a message must stay readable whatever the file holds"
    assert any(PROBLEM_LINE.match(l)["field"] == field for l in lines), lines


def test_the_whole_corpus_stops_the_build_without_a_traceback(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "small" / "series", content / "series")
    shutil.copytree(FIXTURES / "small" / "images", content / "images")
    (content / "events").mkdir()
    for name, data, _ in CORPUS:
        (content / "events" / f"{name}.md").write_bytes(data)
    started = time.monotonic()
    result = build_site(content, tmp_path / "output")
    assert time.monotonic() - started < 240
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    named = {PROBLEM_LINE.match(l)["path"].rsplit("/", 1)[-1]
             for l in result.stderr.splitlines() if PROBLEM_LINE.match(l)}
    assert named == {f"{name}.md" for name, _, _ in CORPUS}
    assert not (tmp_path / "output" / "index.html").exists()


# --- generated front matter ------------------------------------------------------------

texts = st.text(max_size=40)
dates = st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(0, 10999),
                  st.integers(0, 13), st.integers(0, 32))
times = st.builds(lambda d, h, mi: f"{d} {h:02d}:{mi:02d}", dates, st.integers(0, 25),
                  st.integers(0, 61))
values = st.recursive(
    st.one_of(texts, dates, times, st.integers(), st.booleans(), st.none(),
              st.sampled_from(["FREQ=WEEKLY;COUNT=3", "FREQ=DAILY", "FREQ=MONTHLY;BYMONTHDAY=31",
                               "step-free", "https://example.org/", "javascript:x", "Free",
                               "Europe/London", "cancelled", "true"])),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(texts, children, max_size=4)),
    max_leaves=12)
front_matter = st.dictionaries(st.one_of(st.sampled_from(EVENT_FIELDS), texts), values,
                               max_size=12)


def all_outputs(event, today=TODAY):
    """Every output the build makes of an accepted event, so that none of them can raise."""
    views = CalendarViews([event], event.series, today, LONDON, 548, 500)
    revision = {event.uid: Revision(datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")))}
    ical.calendar_feed([event], ical.FeedInfo("T", "D"), SITE, revision)
    ical.event_file(event, SITE, revision[event.uid])
    info = news_feeds.NewsFeedInfo("T", "D", SITE, f"{SITE}/r.xml", f"{SITE}/a.xml")
    news_feeds.news_feeds(views.next_occurrences(), info, SITE, revision, LONDON)
    json_feed.json_feed([event], views.by_event, SITE, revision, "T", LONDON)
    for page in views.event_pages():
        structured_data.json_ld(event, page["upcoming_dates"] or [page["occurrence"]], SITE)
    views.home(), views.month_pages(), views.upcoming_pages(1), views.past_pages(1)
    views.series_pages(1), views.series_past_pages(1), views.access_pages(1)
    views.filter_pages(1)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=front_matter, body=st.text(max_size=200))
def test_generated_front_matter_is_accepted_or_a_clear_error(fields, body):
    try:
        text = "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n" + body
    except yaml.YAMLError:
        return
    path = Path("/nonexistent/content/events/generated.md")
    source, problems = parse_source(text, str(path))
    event = None
    if source is not None:
        reader = EventReader(path, str(path), SETTINGS, {}, TODAY)
        event = reader.read(source)
        problems = reader.problems
    for problem in problems:
        assert PROBLEM_LINE.match(" ".join(str(problem).splitlines())), str(problem)
    if event is not None:
        assert problems == []
        all_outputs(event)
    else:
        assert problems


# --- injection: escaped in every output ------------------------------------------------

INJECTED_TITLE = '<script>window.pwned=1</script> "Film" & <b onmouseover=alert(1)>night</b> ]]>'
INJECTED_BODY = """Hello <script>window.pwned=2</script>

<img src=x onerror="window.pwned=3"> <iframe src="https://evil.example/"></iframe>
[click](javascript:window.pwned=4) <a href="javascript:alert(1)">x</a>
<style>body{display:none}</style> <svg onload="window.pwned=5"></svg>

END:VEVENT
BEGIN:VEVENT
]]></description><item><title>Injected</title>
"""


@pytest.fixture(scope="module")
def injected_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("injected")
    content = root / "content"
    shutil.copytree(FIXTURES / "small", content)
    (content / "events" / "injected.md").write_text(
        "---\n" + yaml.safe_dump({
            "title": INJECTED_TITLE,
            "start": "2026-12-20 18:00",
            "summary": "Summary with </script><script>window.pwned=6</script> and \u2028 and ]]>",
            "location": {"name": "Hall\"><script>window.pwned=7</script>",
                         "address": "1 Street;\\nBEGIN:VALARM", "postcode": "TS1 1AA"},
            "accessibility_notes": "Line one\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:evil",
            "cost": "Free <img src=x onerror=alert(1)>",
            "organiser": {"name": "Org</script>", "email": "a@example.org"},
            "tags": ["<b>tag</b>", "a&b"],
            "uid": "injected@test",
        }, allow_unicode=True) + "---\n" + INJECTED_BODY, encoding="utf-8")
    output = root / "output"
    result = build_site(content, output)
    assert result.returncode == 0, result.stderr
    return output


def test_html_pages_escape_everything(injected_site):
    for path in injected_site.rglob("*.html"):
        soup = BeautifulSoup(path.read_text(), "html.parser")
        scripts = soup.find_all("script")
        for script in scripts:
            assert script.get("type") == "application/ld+json" or (
                script.get("src", "").endswith("/theme/js/search.js")), (path, script)
        for tag in soup.find_all(True):
            assert not any(attr.lower().startswith("on") for attr in tag.attrs), (path, tag)
            for attr in ("href", "src"):
                assert not str(tag.get(attr, "")).lower().startswith(("javascript:", "data:")), tag
        assert not soup.find_all(["iframe", "style", "svg", "object", "embed"]), path
    page = BeautifulSoup((injected_site / "events/injected/index.html").read_text(), "html.parser")
    assert page.h1.get_text() == INJECTED_TITLE  # shown as text, exactly
    for link in page.find_all("a", target="_blank"):
        assert "noopener" in link.get("rel", []), link


def test_json_ld_cannot_close_its_script_element(injected_site):
    html = (injected_site / "events/injected/index.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    [script] = soup.find_all("script", type="application/ld+json")
    assert "</" not in script.string and "<script" not in script.string.lower()
    data = json.loads(script.string)
    assert data["name"] == INJECTED_TITLE


def test_calendar_files_keep_the_text_and_cannot_gain_properties(injected_site):
    data = (injected_site / "events/injected/injected.ics").read_bytes()
    calendar = icalendar.Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == INJECTED_TITLE
    assert "VALARM" not in [c.name for c in calendar.walk()]
    assert len(calendar.walk("VEVENT")) == 1
    assert "ATTACH" not in event
    whole = icalendar.Calendar.from_ical((injected_site / "calendar.ics").read_bytes())
    assert [str(e["UID"]) for e in whole.walk("VEVENT")].count("injected@test") == 1


def test_feeds_and_json_keep_the_text(injected_site):
    for name in ("upcoming.rss.xml", "upcoming.atom.xml"):
        parsed = feedparser.parse((injected_site / name).read_bytes())
        assert not parsed.bozo, name
        titles = [e.title for e in parsed.entries]
        assert any(t.endswith(INJECTED_TITLE) for t in titles), titles
        assert "Injected" not in titles
    document = json.loads((injected_site / "events.json").read_text())
    [record] = [r for r in document["events"] if r["uid"] == "injected@test"]
    assert record["title"] == INJECTED_TITLE
    assert "<script" not in record["description_html"]
    assert "onerror" not in record["description_html"]
    search = json.loads((injected_site / "search" / "events.json").read_text())
    [record] = [r for r in search["events"] if r["url"] == "events/injected/"]
    assert record["title"] == INJECTED_TITLE
    # Tags by slug, the values of the search form's topics (the tag pages' addresses):
    # nothing in them is markup.
    assert record["tags"] == ["b-tag-b", "a-b"]
    assert (injected_site / "tags" / "b-tag-b" / "index.html").is_file()


# --- paths: nothing written outside the output folder ----------------------------------

def test_no_name_writes_outside_the_output_folder(tmp_path):
    content = tmp_path / "work" / "content"
    shutil.copytree(FIXTURES / "small", content)
    events = content / "events"
    (events / "%2e%2e%2fescaped.md").write_text("---\ntitle: A\nstart: 2026-12-01\n---\n")
    (events / "ünïcödé name.md").write_text("---\ntitle: B\nstart: 2026-12-02\n---\n")
    (events / "tags.md").write_text("---\ntitle: C\nstart: 2026-12-03\n"
                                    "tags: [\"../../../../escaped\", \"/etc/passwd\", \"..\"]\n---\n")
    (content / "series" / "%2e%2e%2fseries.md").write_text("---\ntitle: S\n---\n")
    output = tmp_path / "work" / "output"
    before = {p for p in tmp_path.rglob("*")}
    result = build_site(content, output)
    assert result.returncode == 0, result.stderr
    created = {p for p in tmp_path.rglob("*")} - before
    outside = [p for p in created if output not in p.parents and p != output]
    assert outside == []
    assert (output / "tags" / "escaped" / "index.html").is_file()
    assert (output / "events" / "2e-2e-2fescaped" / "index.html").is_file()


# --- nothing lost ------------------------------------------------------------------------

def source_events() -> list[dict]:
    """The published events as an independent reading of the files gives them."""
    found = []
    for path in sorted((ROOT / "content" / "events").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        fields = yaml.load(text.split("---\n")[1], Loader=yaml.BaseLoader)
        if fields.get("draft") == "true":
            continue
        found.append({"slug": path.stem, "uid": fields["uid"], "fields": fields})
    return found




def test_every_event_and_occurrence_is_published(sample_site):
    events = source_events()
    assert len(events) >= 30
    whole = icalendar.Calendar.from_ical((sample_site / "calendar.ics").read_bytes())
    whole_uids = {str(e["UID"]) for e in whole.walk("VEVENT")}
    document = json.loads((sample_site / "events.json").read_text())
    json_by_uid = {r["uid"]: r for r in document["events"]}
    assert set(json_by_uid) == {e["uid"] for e in events}
    # The search page's own document: every event, with every occurrence.
    search = json.loads((sample_site / "search" / "events.json").read_text())
    search_by_slug = {r["url"].split("/")[1]: r for r in search["events"]}
    assert set(search_by_slug) == {e["slug"] for e in events}
    window_start = TODAY - timedelta(days=365)
    for event in events:
        fields = event["fields"]
        page = BeautifulSoup((sample_site / "events" / event["slug"] / "index.html").read_text(),
                             "html.parser")
        page_dates = {t["datetime"][:10] for t in page.find_all("time")}
        # Occurrences, expanded from the event's own calendar file by recurring-ical-events.
        single = icalendar.Calendar.from_ical(
            (sample_site / "events" / event["slug"] / f"{event['slug']}.ics").read_bytes())
        expanded = recurring_ical_events.of(single).between(date(2000, 1, 1), date(2030, 1, 1))
        starts = sorted(o["DTSTART"].dt for o in expanded)
        assert starts, event["slug"]
        for start in starts:
            day = start.date() if isinstance(start, datetime) else start
            assert day.isoformat() in page_dates, (event["slug"], day)
        assert len(json_by_uid[event["uid"]]["occurrences"]) == len(starts), event["slug"]
        assert len(search_by_slug[event["slug"]]["occurrences"]) == len(starts), event["slug"]
        last = starts[-1].date() if isinstance(starts[-1], datetime) else starts[-1]
        if last >= window_start:
            assert event["uid"] in whole_uids, event["slug"]
        series = fields.get("series") or []
        for slug in [series] if isinstance(series, str) else series:
            feed = icalendar.Calendar.from_ical(
                (sample_site / "series" / slug / "calendar.ics").read_bytes())
            if last >= window_start:
                assert event["uid"] in {str(e["UID"]) for e in feed.walk("VEVENT")}, (slug, event)


# --- reproducible: whatever the file times and the order they are read in ---------------

def test_builds_are_identical_whatever_the_file_times_and_order(tmp_path):
    outputs = []
    for number, (stamp, order) in enumerate([(1_000_000_000, sorted), (1_700_000_000, reversed)]):
        content = tmp_path / f"copy{number}" / "content"
        files = sorted(p for p in (ROOT / "content").rglob("*") if p.is_file())
        for source in order(files):  # made in a different order, so listed in another
            target = content / source.relative_to(ROOT / "content")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            os.utime(target, (stamp + number, stamp - len(str(target))))
        output = tmp_path / f"copy{number}" / "output"
        result = build_site(content, output, extra_env={"SOURCE_DATE_EPOCH": "1767225600",
                                                        "PYTHONHASHSEED": str(number + 1)})
        assert result.returncode == 0, result.stderr
        outputs.append(output)
    first, second = outputs
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


# --- embeds and images in descriptions ------------------------------------------------------

EMBEDS = """<iframe src="https://www.youtube-nocookie.com/embed/abc" title="Film trailer"></iframe>
<iframe src="https://evil.example/track" title="Tracker"></iframe>
<iframe src="http://www.youtube-nocookie.com/embed/abc" title="Not https"></iframe>
<img src="/images/poster.png" alt="Poster"> <img src="https://tracker.example/pixel.gif" alt="">
"""


def test_iframes_only_from_hosts_the_site_allows(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "small", content)
    (content / "events" / "embed.md").write_text(
        "---\ntitle: Trailer\nstart: 2026-12-20 18:00\n---\n" + EMBEDS)
    pages = {}
    for name, hosts in (("none", []), ("youtube", ["www.youtube-nocookie.com"])):
        output = tmp_path / name
        result = build_site(content, output, extra_settings={"EVENTS_EMBED_HOSTS": hosts,
                                                             "EVENTS_CACHE": False})
        assert result.returncode == 0, result.stderr
        pages[name] = BeautifulSoup((output / "events/embed/index.html").read_text(),
                                    "html.parser")
    assert pages["none"].find_all("iframe") == []
    frames = pages["youtube"].find_all("iframe")
    assert [frame.get("src") for frame in frames] == [
        "https://www.youtube-nocookie.com/embed/abc", None, None]
    policy = pages["youtube"].find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert "frame-src 'self' https://www.youtube-nocookie.com" in policy["content"]
    assert "frame-src" not in pages["none"].find(
        "meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    for page in pages.values():
        assert [img.get("src") for img in page.select(".app-prose img")] == ["/images/poster.png", None]
