"""The search index in parts: every indexed page in exactly one part, a part indexed again only
when one of its pages changed, the same bytes with or without the cache, and one search over
every part in a real browser."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from browser import launch, require_tools, serve
from conftest import index_for_search

MARKED = re.compile(r"<main\b[^>]*\sdata-pagefind-body")


def fragments(site: Path) -> dict[str, str]:
    """What Pagefind stored for each page, read back from its compressed fragment files."""
    found = {}
    for path in (site / "pagefind").rglob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd"):])
        assert record["url"] not in found, f"{record['url']} is in two parts"
        found[record["url"]] = record["content"]
    return found


def parts(site: Path) -> list[Path]:
    listed = json.loads((site / "pagefind" / "parts.json").read_text())["merge"]
    return [site / "pagefind"] + [site / "pagefind" / part for part in listed]


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def unindexed_site(sample_site, tmp_path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(sample_site, site)
    shutil.rmtree(site / "pagefind")
    return site


def marked_pages(site: Path) -> set[str]:
    pages = set()
    for path in site.rglob("*.html"):
        if MARKED.search(path.read_text(encoding="utf-8")):
            address = "/" + path.relative_to(site).as_posix()
            pages.add(address.removesuffix("index.html"))
    return pages


def test_a_small_calendar_has_one_index_with_every_marked_page(sample_site):
    assert parts(sample_site) == [sample_site / "pagefind"]
    indexed = set(fragments(sample_site))
    assert indexed == marked_pages(sample_site)
    # The long list pages are not in the index: their events are, each once.
    assert "/events/" not in indexed and "/" not in indexed


def test_the_index_is_the_one_pagefind_makes_of_the_whole_site(sample_site, tmp_path):
    # Pagefind is given only each page's marked <main>: the index must not differ for it.
    plain = tmp_path / "plain"
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(sample_site),
                             "--output-path", str(plain), "--silent"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    # What is stored for each page (its words, title, filters) is byte for byte the same.
    # (The word index itself numbers the pages in the order the file system lists them, so
    # it may differ between two folders holding the same pages.)
    ours = {name: data for name, data in tree(sample_site / "pagefind").items()
            if name.startswith("fragment/")}
    theirs = {name: data for name, data in tree(plain).items() if name.startswith("fragment/")}
    assert len(ours) == len(marked_pages(sample_site))
    assert ours == theirs


def test_the_index_made_during_the_build_is_the_one_made_by_reading_the_site(
        sample_site, unindexed_site):
    # make html has the plugin hand each page to the index as it is written; the command
    # line reads the built site instead. Both must give Pagefind the same pages.
    assert index_for_search(unindexed_site).returncode == 0
    assert {name: data for name, data in tree(unindexed_site / "pagefind").items()
            if name.startswith("fragment/")} == \
        {name: data for name, data in tree(sample_site / "pagefind").items()
         if name.startswith("fragment/")}


def test_the_pages_handed_to_the_index_are_deleted_after_the_build(tmp_path):
    from conftest import ROOT, build_site

    def staging_folders() -> set[Path]:
        return {path for folder in (Path(tempfile.gettempdir()), Path("/dev/shm"))
                if folder.is_dir() for path in folder.glob("search-pages-*")}

    before = staging_folders()
    settings = {"EVENTS_SEARCH_INDEX": True, "CACHE_PATH": str(tmp_path / "cache")}
    result = build_site(ROOT / "content", tmp_path / "output", extra_settings=settings)
    assert result.returncode == 0, result.stderr
    assert set(fragments(tmp_path / "output")) == marked_pages(tmp_path / "output")
    # A build that fails after pages were handed over (here, at the last page) deletes them too.
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "templates" / "404.html").write_text("{% broken %}", encoding="utf-8")
    broken = {**settings, "THEME": str(theme)}
    assert build_site(ROOT / "content", tmp_path / "broken",
                      extra_settings=broken).returncode != 0
    assert staging_folders() - before == set()
    # A build killed outright cannot delete its pages: the next build does.
    killed = subprocess.Popen([sys.executable, "-c", "pass"])
    killed.wait()
    abandoned = Path(tempfile.mkdtemp(prefix=f"search-pages-{killed.pid}-",
                                      dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    assert build_site(ROOT / "content", tmp_path / "again", extra_settings=settings) \
        .returncode == 0
    assert not abandoned.exists()


def test_a_large_calendar_indexes_its_event_parts_while_the_build_goes_on(
        tmp_path, unindexed_site):
    # Parts of 10 pages make the sample programme "large": its event pages' parts are indexed
    # as soon as their pages are written, while the other pages are, and the index at
    # the end of the build finds them in the cache. It is the index the command line makes.
    from conftest import ROOT, build_site

    output = tmp_path / "output"
    result = build_site(ROOT / "content", output, extra_settings={
        "EVENTS_SEARCH_INDEX": True, "EVENTS_SEARCH_INDEX_PART_SIZE": 10,
        "CACHE_PATH": str(tmp_path / "cache")}, options=("--verbose",),
        extra_env={"COLUMNS": "300"})  # the log's lines unwrapped
    assert result.returncode == 0, result.stderr
    log = result.stderr + result.stdout
    early = re.search(r"Search index: (\d+) part\(s\) of event pages indexed while", log)
    assert early and int(early.group(1)) >= 4
    final = re.search(r"Search index: (\d+) part\(s\) indexed, (\d+) from the cache", log)
    assert final and final.groups() == ("1", early.group(1))  # only the pages not events
    assert index_for_search(unindexed_site, "--pages-per-part", "10").returncode == 0
    assert json.loads((output / "pagefind" / "parts.json").read_text()) == \
        json.loads((unindexed_site / "pagefind" / "parts.json").read_text())
    assert fragments(output) == fragments(unindexed_site)
    assert set(fragments(output)) == marked_pages(output)


def test_parts_hold_every_page_once_and_only_changed_parts_are_indexed_again(
        unindexed_site, tmp_path):
    site, cache = unindexed_site, tmp_path / "cache"
    first = index_for_search(site, "--pages-per-part", "10", "--cache", str(cache))
    assert first.returncode == 0, first.stderr
    every_part = parts(site)
    assert len(every_part) >= 4
    assert re.search(rf"{len(every_part)} part\(s\), {len(every_part)} indexed now, 0 from",
                     first.stderr)
    assert set(fragments(site)) == marked_pages(site)
    before = tree(site / "pagefind")

    # Nothing changed: every part comes from the cache, byte for byte.
    again = index_for_search(site, "--pages-per-part", "10", "--cache", str(cache))
    assert re.search(r"0 indexed now, \d+ from the cache", again.stderr), again.stderr
    assert tree(site / "pagefind") == before

    # An editor changes one event: only its part is indexed again, and search sees the change.
    page = site / "events" / "thameside-open-iftar" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "Break the fast together.", "Break the fast together, zanzibarian."),
        encoding="utf-8")
    edited = index_for_search(site, "--pages-per-part", "10", "--cache", str(cache))
    assert re.search(r"1 indexed now, \d+ from the cache", edited.stderr), edited.stderr
    assert "zanzibarian" in fragments(site)["/events/thameside-open-iftar/"]
    # And the result is exactly what indexing from nothing gives.
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh)
    shutil.rmtree(fresh / "pagefind")
    assert index_for_search(fresh, "--pages-per-part", "10").returncode == 0
    assert tree(fresh / "pagefind") == tree(site / "pagefind")
    # Parts no longer used are not kept.
    kept = [entry for entry in (cache / "search-index").iterdir() if entry.is_dir()]
    assert len(kept) == len(every_part)


def test_a_site_that_marks_no_page_has_every_page_indexed_as_pagefind_would(tmp_path):
    site = tmp_path / "site"
    (site / "about").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><html lang=en><title>x</title>"
                                     "<main><p>Welcome</p></main>")
    (site / "about" / "index.html").write_text("<!doctype html><html lang=en><title>y</title>"
                                               "<p>Contact the team</p>")
    result = index_for_search(site)
    assert result.returncode == 0, result.stderr
    assert parts(site) == [site / "pagefind"]
    found = fragments(site)
    assert set(found) == {"/", "/about/"}
    assert "Contact the team" in found["/about/"]


def test_a_missing_site_is_a_clear_error(tmp_path):
    result = index_for_search(tmp_path / "nowhere")
    assert result.returncode == 2
    assert "no built site here" in result.stderr and "Traceback" not in result.stderr


def test_one_search_finds_events_in_every_part(unindexed_site, sample_site):
    require_tools()
    assert index_for_search(unindexed_site, "--pages-per-part", "8").returncode == 0
    assert len(parts(unindexed_site)) >= 5
    results = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for name, site in (("one index", sample_site), ("parts", unindexed_site)):
            with serve(site) as base_url:
                page = browser.new_page()
                page.clock.set_fixed_time("2026-11-24T10:00:00")
                page.goto(f"{base_url}/search/?q=history")
                expect(page.locator("#search-status")).to_contain_text("found")
                results[name] = sorted(page.locator(".app-search-result__title")
                                       .all_inner_texts())
                page.close()
        browser.close()
    # "history" is in events all over the calendar, so in several parts.
    assert len(results["one index"]) >= 5
    assert results["parts"] == results["one index"]


def test_the_live_preview_indexes_after_each_build_keeping_unchanged_parts(tmp_path):
    # `make devserver` turns EVENTS_SEARCH_INDEX on: Pelican alone then builds the index, and
    # a build over the last one finds every part in the cache.
    from conftest import ROOT, build_site

    settings = {"EVENTS_SEARCH_INDEX": True, "CACHE_PATH": str(tmp_path / "cache")}
    output = tmp_path / "output"
    entries = []
    for _ in range(2):
        result = build_site(ROOT / "content", output, extra_settings=settings)
        assert result.returncode == 0, result.stderr
        entries.append((output / "pagefind" / "pagefind-entry.json").stat().st_ino)
    assert parts(output) == [output / "pagefind"]
    assert set(fragments(output)) == marked_pages(output)
    # The second build left the index the first one put there (from the cache) in place.
    assert entries[0] == entries[1]
    [kept] = [entry for entry in (tmp_path / "cache" / "search-index").iterdir()
              if entry.is_dir()]
    assert (kept / "pagefind-entry.json").stat().st_ino == entries[1]
