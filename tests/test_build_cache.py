"""Pages and series feeds kept between builds: taken from the cache when nothing they are made
from has changed, and made again whenever anything has (an event, today, the theme, a
setting)."""

from __future__ import annotations

import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest

from conftest import ROOT, build_site

EVENT = "accessible-digital-services-webinar"
TITLE = "Designing digital services with disabled people"


@pytest.fixture
def workspace(tmp_path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "theme", tmp_path / "theme")
    return tmp_path


def build(workspace: Path, name: str, today: str = "2026-11-24", **settings) -> Path:
    output = workspace / name
    result = build_site(workspace / "content", output, today=today, extra_settings={
        "CACHE_PATH": str(workspace / "cache"), "THEME": str(workspace / "theme"), **settings})
    assert result.returncode == 0, result.stderr
    return output


def page(output: Path, slug: str = EVENT) -> str:
    return (output / "events" / slug / "index.html").read_text(encoding="utf-8")


def cached_values(workspace: Path) -> list[bytes]:
    """Every entry in the build cache (large ones are stored compressed)."""
    with sqlite3.connect(workspace / "cache" / "events-calendar.sqlite") as database:
        return [zlib.decompress(value[1:]) if value[:1] == b"z" else value[1:]
                for (value,) in database.execute("SELECT value FROM entries")]


def pages_in_cache(workspace: Path) -> int:
    return sum(b"<!DOCTYPE html>" in value for value in cached_values(workspace))


def test_an_unchanged_site_takes_every_event_page_from_the_cache(workspace):
    first = build(workspace, "first")
    stored = pages_in_cache(workspace)
    assert stored >= 30  # every event page was kept
    second = build(workspace, "second")
    assert pages_in_cache(workspace) == stored  # none made again, so none added
    assert page(second) == page(first)


def test_every_input_of_an_event_page_makes_it_again(workspace):
    build(workspace, "first")

    source = next((workspace / "content" / "events").rglob(f"{EVENT}.md"))
    source.write_text(source.read_text(encoding="utf-8").replace(
        f"title: {TITLE}", "title: Designing services with disabled residents"),
        encoding="utf-8")
    edited = build(workspace, "edited")
    assert "Designing services with disabled residents" in page(edited)
    # Every list and feed that shows the event, the series' own feeds among them.
    for shown_in in ["events/index.html", "months/2026-11/index.html",
                     "series/disability-history-month/index.html",
                     "series/disability-history-month/upcoming.rss.xml",
                     "series/disability-history-month/calendar.ics", "upcoming.atom.xml"]:
        text = (edited / shown_in).read_text(encoding="utf-8")
        assert "Designing services with disabled" in text, shown_in

    template = workspace / "theme" / "templates" / "event.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% block content %}", "{% block content %}<p>Template changed</p>", 1),
        encoding="utf-8")
    assert "Template changed" in page(build(workspace, "theme"))

    renamed = build(workspace, "setting", EVENTS_CALENDAR_NAME="Thameside community calendar")
    assert "Thameside community calendar" in page(renamed)

    # A day later the same page says something else about its dates (an event ended).
    before, after = page(build(workspace, "today", today="2026-11-24")), page(
        build(workspace, "tomorrow", today="2027-06-01"))
    assert before != after


def entries_containing(workspace: Path, word: str) -> int:
    return sum(word.encode() in value for value in cached_values(workspace))


def test_entries_no_build_has_used_for_two_builds_are_forgotten(workspace):
    source = next((workspace / "content" / "events").rglob(f"{EVENT}.md"))
    original = source.read_text(encoding="utf-8")
    for word in ["Zebraone", "Zebratwo", "Zebrathree", "Zebrafour"]:
        source.write_text(original.replace("title: ", f"title: {word} ", 1), encoding="utf-8")
        build(workspace, word)
    # The pages (and feeds) of the first two versions are gone; the last two are kept.
    assert entries_containing(workspace, "Zebraone") == 0
    assert entries_containing(workspace, "Zebratwo") == 0
    assert entries_containing(workspace, "Zebrathree") > 0
    assert entries_containing(workspace, "Zebrafour") > 0
