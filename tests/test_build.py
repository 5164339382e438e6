"""Whole builds with the real Pelican command line, read back with an HTML parser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import FIXTURES, ROOT, build_site
from test_loading import MISTAKES

PROBLEM_LINE = re.compile(r"^\S+\.md:\d+: [a-z_ ]+: .+$")


def page(output: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((output / path).read_text(encoding="utf-8"), "html.parser")


def text_of(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ").split())


@pytest.fixture(scope="module")
def small_site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("small") / "output"
    result = build_site(FIXTURES / "small", output)
    assert result.returncode == 0, result.stderr
    return output




def test_generator_writes_every_view_of_a_small_site(small_site):
    for path in ["index.html", "events/index.html", "events/past/index.html", "404.html",
                 "series/index.html", "series/refugee-week/index.html", "about/index.html",
                 "events/welcome-festival/index.html", "events/cafe/index.html",
                 "events/cancelled-talk/index.html", "months/2026-11/index.html",
                 "months/2027-06/index.html", "theme/css/main.css"]:
        assert (small_site / path).is_file(), path
    # Drafts are in no output at all.
    assert not (small_site / "events" / "hidden").exists()
    assert not any("Secret draft" in p.read_text() for p in small_site.rglob("*.html"))


def test_event_page_shows_dates_place_and_access(small_site):
    soup = page(small_site, "events/welcome-festival/index.html")
    assert soup.h1.get_text(" ", strip=True) == "Welcome festival"
    times = [t["datetime"] for t in soup.find_all("time")]
    assert "2027-06-19T11:00+01:00" in times and "2027-06-20T17:00+01:00" in times
    text = text_of(soup)
    assert "Saturday 19 June 2027, 11am to Sunday 20 June 2027, 5pm" in text
    assert "Riverside Park" in text and "TS2 1AA" in text
    assert "Step-free access" in text and "Quiet space" in text
    assert "Free" in text
    assert soup.find("a", href="/series/refugee-week/")


def test_repeating_event_lists_its_coming_dates_without_the_skipped_one(small_site):
    text = text_of(page(small_site, "events/cafe/index.html"))
    for day in ["Tuesday 1 December 2026", "Tuesday 8 December 2026"]:
        assert day in text
    assert "Tuesday 24 November 2026" not in text
    assert "Tuesday 3 November 2026" in text  # under past dates


def test_cancelled_event_has_a_banner_and_stays_listed(small_site):
    soup = page(small_site, "events/cancelled-talk/index.html")
    assert "This event has been cancelled" in text_of(soup)
    upcoming = text_of(page(small_site, "events/index.html"))
    assert "Cancelled" in upcoming and "History talk" in upcoming


def test_month_page_is_a_real_table_with_the_events(small_site):
    soup = page(small_site, "months/2026-12/index.html")
    table = soup.find("table")
    assert "December 2026" in table.caption.get_text()
    headers = [th.get_text(" ", strip=True) for th in table.find_all("th", scope="col")]
    assert len(headers) == 7 and "Mon" in headers[0]
    links = {a.get_text(" ", strip=True) for a in table.find_all("a")}
    assert any("History talk" in link for link in links)
    assert any("Conversation café" in link for link in links)
    assert soup.find("a", href="/months/2026-11/") and soup.find("a", href="/months/2027-01/")


def test_today_is_marked_in_words_on_the_month_page(small_site):
    soup = page(small_site, "months/2026-11/index.html")
    today_cell = [td for td in soup.find_all("td") if "Today" in td.get_text()]
    assert len(today_cell) == 1 and "24" in today_cell[0].get_text()


def test_past_and_upcoming_lists(small_site):
    past = text_of(page(small_site, "events/past/index.html"))
    upcoming = text_of(page(small_site, "events/index.html"))
    assert "Conversation café" in past and "Welcome festival" not in past
    assert "Welcome festival" in upcoming
    assert upcoming.index("December 2026") < upcoming.index("June 2027")


def test_series_page_lists_its_events(small_site):
    text = text_of(page(small_site, "series/refugee-week/index.html"))
    assert "Refugee Week is a UK-wide festival." in text and "Welcome festival" in text


def test_sample_programme_builds_every_view(sample_site):
    # An event's folder is the one with its calendar file in it.
    events = sorted(p.parent.name for p in sample_site.glob("events/*/index.html")
                    if (p.parent / f"{p.parent.name}.ics").is_file())
    sources = [p for p in (ROOT / "content" / "events").rglob("*.md")]
    drafts = [p for p in sources if re.search(r"^draft:\s*true", p.read_text(), re.M)]
    assert len(events) == len(sources) - len(drafts) >= 30
    assert len(list(sample_site.glob("series/*/index.html"))) >= 5
    for path in ["index.html", "events/index.html", "events/past/index.html", "404.html",
                 "about/index.html", "accessibility/index.html", "months/2026-11/index.html"]:
        assert (sample_site / path).is_file(), path
    home = text_of(page(sample_site, "index.html"))
    assert "Disability History Month" in home


def test_sample_coalition_skips_one_meeting(sample_site):
    soup = page(sample_site, "events/thameside-equality-coalition/index.html")
    dates = {t["datetime"][:10] for t in soup.find_all("time")}
    assert {"2026-09-15", "2026-10-27", "2027-01-19", "2027-08-17"} <= dates
    assert "2026-12-08" not in dates


@pytest.mark.parametrize("name, front_matter, field, line", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_stops_the_build_with_one_line(tmp_path, name, front_matter, field, line):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "small" / "series", content / "series")
    shutil.copytree(FIXTURES / "small" / "images", content / "images")
    (content / "events").mkdir()
    (content / "events" / f"{name}.md").write_text(f"---\n{front_matter}\n---\nBody.\n")
    result = build_site(content, tmp_path / "output")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    problems = [l for l in result.stderr.splitlines() if PROBLEM_LINE.match(l)]
    assert len(problems) == 1, result.stderr
    assert f"{name}.md:{line}: {field}: " in problems[0]
    assert not (tmp_path / "output" / "index.html").exists()


@pytest.mark.parametrize("target", ["html", "publish"])
def test_make_keeps_the_previous_site_when_a_build_fails(tmp_path, target):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "small", content)
    output = tmp_path / "site"

    def make():
        return subprocess.run(["make", "--no-print-directory", target, f"INPUTDIR={content}",
                               f"OUTPUTDIR={output}"], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "EVENTS_TODAY": "2026-11-24"})

    built = make()
    assert built.returncode == 0, built.stderr
    assert (output / "pagefind" / "pagefind.js").is_file()  # the search index is part of it
    before = (output / "index.html").read_bytes()
    if target == "publish":
        assert 'href="https://events.thameside.example/events/"' in before.decode()
        # Feeds and canonical links follow the address the site is published at.
        moved = subprocess.run(["make", "--no-print-directory", target, f"INPUTDIR={content}",
                                f"OUTPUTDIR={tmp_path / 'elsewhere'}"], cwd=ROOT,
                               capture_output=True, text=True,
                               env={**os.environ, "EVENTS_TODAY": "2026-11-24",
                                    "SITEURL": "https://calendar.example.gov.uk/"})
        assert moved.returncode == 0, moved.stderr
        home = (tmp_path / "elsewhere" / "index.html").read_text()
        assert 'rel="canonical" href="https://calendar.example.gov.uk/"' in home
        assert b"URL:https://calendar.example.gov.uk/events/" in (
            tmp_path / "elsewhere" / "calendar.ics").read_bytes().replace(b"\r\n ", b"")
    (content / "events" / "broken.md").write_text("---\ntitle: Broken\nstart: 2026-02-30\n---\n")
    result = make()
    assert result.returncode != 0 and "broken.md:3: start:" in result.stderr
    assert (output / "index.html").read_bytes() == before
    assert not Path(f"{output}.partial").exists()


def test_make_check_reports_and_exits_non_zero(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "small", content)
    (content / "events" / "broken.md").write_text("---\ntitle:\nstart: 2026-12-01\n---\n")
    result = subprocess.run(["make", "--no-print-directory", "check", f"INPUTDIR={content}"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert re.search(r"broken\.md:2: title: is empty \(", result.stderr)
    good = subprocess.run(["make", "--no-print-directory", "check"], cwd=ROOT,
                          capture_output=True, text=True)
    assert good.returncode == 0 and "no problems found" in good.stdout


def test_access_feature_pages_list_upcoming_events_and_are_linked(small_site):
    festival = page(small_site, "events/welcome-festival/index.html")
    link = festival.find("a", href="/access/quiet-space/")
    assert link and link.get_text(" ", strip=True) == "Other events with quiet space"
    quiet = text_of(page(small_site, "access/quiet-space/index.html"))
    assert "Welcome festival" in quiet and "Conversation café" not in quiet
    assert "No upcoming events offer British Sign Language interpretation yet" in text_of(
        page(small_site, "access/bsl/index.html"))
    index = text_of(page(small_site, "access/index.html"))
    assert "Quiet space (1 upcoming event)" in index
