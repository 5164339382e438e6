"""Building over an earlier build: a page or feed whose inputs have not changed is left as the
last build wrote it (not made, not written), anything whose inputs changed (an event, today,
the theme, a setting) is made again, what the build no longer makes is removed, and the site is
byte for byte the one a build into an empty folder makes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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


def build(workspace: Path, name: str = "site", today: str = "2026-11-24", **settings) -> Path:
    output = workspace / name
    result = build_site(workspace / "content", output, today=today, extra_settings={
        "CACHE_PATH": str(workspace / "cache"), "THEME": str(workspace / "theme"),
        "EVENTS_SEARCH_INDEX": True, **settings})
    assert result.returncode == 0, result.stderr
    return output


def page(output: Path, slug: str = EVENT) -> str:
    return (output / "events" / slug / "index.html").read_text(encoding="utf-8")


def files(site: Path) -> dict[str, tuple[int, int]]:
    """Every file of a site, with what tells whether it was written again: its inode and
    time of last change."""
    found = {}
    for path in site.rglob("*"):
        if path.is_file():
            status = path.stat()
            found[path.relative_to(site).as_posix()] = (status.st_ino, status.st_mtime_ns)
    return found


def tree(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes()
            for path in sorted(site.rglob("*")) if path.is_file()}


def source(workspace: Path, slug: str = EVENT) -> Path:
    return next((workspace / "content" / "events").rglob(f"{slug}.md"))


def test_building_again_over_an_unchanged_site_writes_no_page_or_feed(workspace):
    site = build(workspace)
    before = files(site)
    # The same build run from another folder (where event files are, as editors' messages
    # give them, depends on it; no page shows it).
    result = subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-o", str(site), "-s",
         str(ROOT / "pelicanconf.py"), "--fatal", "errors", "-e", "EVENTS_SEARCH_INDEX=true",
         f"CACHE_PATH={json.dumps(str(workspace / 'cache'))}",
         f"THEME={json.dumps(str(workspace / 'theme'))}"],
        cwd=workspace, capture_output=True, text=True, timeout=300,
        env={**os.environ, "EVENTS_TODAY": "2026-11-24", "PYTHONPATH": str(ROOT / "plugins")})
    assert result.returncode == 0, result.stderr
    after = files(site)
    assert after.keys() == before.keys()
    # The calendar's pages, feeds and each event's calendar file are left as they were;
    # Pelican writes its own pages (About, the accessibility statement) and the 404 page.
    written = [name for name in before if after[name] != before[name]]
    assert sorted(name for name in written if name.endswith((".html", ".ics", ".xml"))) == \
        ["404.html", "about/index.html", "accessibility/index.html", "sitemap.xml"]


def test_every_input_of_a_page_makes_it_again(workspace):
    site = build(workspace)
    untouched = "events/lgbt-film-night/index.html"
    left = files(site)[untouched]

    event = source(workspace)
    event.write_text(event.read_text(encoding="utf-8").replace(
        f"title: {TITLE}", "title: Designing services with disabled residents"),
        encoding="utf-8")
    build(workspace)
    assert "Designing services with disabled residents" in page(site)
    # Every list and feed that shows the event, the series' own feeds among them.
    for shown_in in ["events/index.html", "months/2026-11/index.html",
                     "series/disability-history-month/index.html",
                     "series/disability-history-month/upcoming.rss.xml",
                     "series/disability-history-month/calendar.ics", "upcoming.atom.xml",
                     f"events/{EVENT}/{EVENT}.ics"]:
        text = (site / shown_in).read_text(encoding="utf-8")
        assert "Designing services with disabled" in text, shown_in
    assert files(site)[untouched] == left  # a page that does not show it is left alone

    template = workspace / "theme" / "templates" / "event.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% block content %}", "{% block content %}<p>Template changed</p>", 1),
        encoding="utf-8")
    build(workspace)
    assert "Template changed" in page(site)

    build(workspace, EVENTS_CALENDAR_NAME="Thameside community calendar")
    assert "Thameside community calendar" in page(site)

    # A day later the same page says something else about its dates (an event ended).
    before = page(build(workspace, today="2026-11-24"))
    assert page(build(workspace, today="2027-06-01")) != before


def test_a_page_changed_by_anything_else_is_made_again(workspace):
    site = build(workspace)
    written = site / "events" / EVENT / "index.html"
    original = written.read_bytes()
    written.write_bytes(original.replace(b"<h1", b"<h1 data-edited-by-hand", 1))
    build(workspace)
    assert written.read_bytes() == original


def test_what_the_build_no_longer_makes_is_removed(workspace):
    site = build(workspace)
    assert (site / "events" / EVENT / f"{EVENT}.ics").is_file()
    (site / "events" / EVENT / "left-by-hand.txt").write_text("not the build's")
    source(workspace).unlink()
    build(workspace)
    assert not (site / "events" / EVENT).exists()  # its page, its file, and its folder
    assert f"/events/{EVENT}/" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    # ...and nothing else went: Pelican's own pages and copies are this build's too.
    assert (site / "about" / "index.html").is_file()
    assert (site / "theme" / "css" / "main.css").is_file()
    assert (site / "pagefind" / "pagefind.js").is_file()


def test_a_build_over_another_site_is_the_site_an_empty_folder_gives(workspace, tmp_path):
    # `make html` builds over the site before last: one with other events, edits and pages.
    other = tmp_path / "other"
    shutil.copytree(workspace / "content", other)
    edited = source(workspace)
    (other / edited.relative_to(workspace / "content")).write_text(
        edited.read_text(encoding="utf-8").replace("title: ", "title: Another ", 1),
        encoding="utf-8")
    next((other / "events").rglob("*.md")).unlink()
    (other / "events" / "extra-event.md").write_text(
        "---\ntitle: An extra event\nstart: 2026-12-09 18:00\nend: 2026-12-09 19:00\n"
        "location: Thameside Library\n---\nOnly in the other site.\n", encoding="utf-8")
    (other / "pages" / "extra.md").write_text("Title: Extra page\n\nOnly there.\n")
    settings = {"CACHE_PATH": str(workspace / "cache"), "THEME": str(workspace / "theme"),
                "EVENTS_SEARCH_INDEX": True}
    over = tmp_path / "over"
    assert build_site(other, over, extra_settings=settings).returncode == 0
    assert build_site(workspace / "content", over, extra_settings=settings).returncode == 0
    fresh = tmp_path / "fresh"
    assert build_site(workspace / "content", fresh,
                      extra_settings={**settings, "EVENTS_CACHE": False}).returncode == 0
    ours, theirs = tree(over), tree(fresh)
    assert ours.keys() == theirs.keys()
    assert not (over / "extra").exists() and not (over / "events" / "extra-event").exists()
    differ = [name for name in ours if ours[name] != theirs[name]]
    # (Pagefind numbers pages in the order the file system lists them: its word index may
    # differ between two folders, not what it stores for each page.)
    assert [name for name in differ
            if not name.startswith("pagefind/") or name.startswith("pagefind/fragment/")] == []


def make_html(workspace: Path, output: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "html", f"INPUTDIR={workspace / 'content'}",
         f"OUTPUTDIR={output}", f"CACHEDIR={workspace / 'cache'}"], cwd=ROOT,
        capture_output=True, text=True, env={**os.environ, "EVENTS_TODAY": "2026-11-24"})


def test_make_html_builds_over_the_site_before_last(workspace):
    output = workspace / "output"
    for _ in range(2):
        assert make_html(workspace, output).returncode == 0
    spare = Path(f"{output}.spare")
    assert spare.is_dir()  # the site before last, to build over next time
    spare_folder, before = spare.stat().st_ino, files(spare)
    event = source(workspace)
    event.write_text(event.read_text(encoding="utf-8").replace(
        f"title: {TITLE}", "title: Edited for make html"), encoding="utf-8")
    assert make_html(workspace, output).returncode == 0
    assert "Edited for make html" in page(output)
    # The new site is the spare, built over: a page that does not show the event was not
    # written again, and what the build makes is what a build into an empty folder makes.
    assert output.stat().st_ino == spare_folder
    untouched = "events/lgbt-film-night/index.html"
    assert files(output)[untouched] == before[untouched]
    fresh = workspace / "fresh"
    assert build_site(workspace / "content", fresh,
                      extra_settings={"EVENTS_CACHE": False}).returncode == 0
    ours, theirs = tree(output), tree(fresh)
    assert {name for name in ours if not name.startswith("pagefind/")} == \
        {name for name in theirs if not name.startswith("pagefind/")}
    assert [name for name in theirs if not name.startswith("pagefind/")
            and ours[name] != theirs[name]] == []
    assert not Path(f"{output}.partial").exists() and not Path(f"{output}.previous").exists()


def test_a_folder_no_build_has_written_into_for_a_while_is_forgotten(tmp_path):
    from events_calendar.build_cache import BuildCache
    from events_calendar.output_folder import KEEP_BUILDS, FolderRecord

    cache_file = tmp_path / "cache.sqlite"

    def build_into(folder: Path) -> FolderRecord:
        record = FolderRecord(BuildCache(cache_file, "test"), folder)
        (folder / "index.html").write_text("page")
        record.add("index.html", key="page key")
        record.save()
        record.finish(1, tmp_path / "content")
        return record

    build_into(tmp_path / "old")
    assert FolderRecord(BuildCache(cache_file, "test", new_build=False),
                        tmp_path / "old").holding("page key")
    for _ in range(KEEP_BUILDS):
        build_into(tmp_path / "other")
    assert FolderRecord(BuildCache(cache_file, "test", new_build=False),
                        tmp_path / "old").before == {}
