"""Finding an event: the search page in a real browser, and the plain filter pages without it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect, sync_playwright

from browser import launch, require_tools, run_axe, serve, wcag_violations




@pytest.fixture
def site(sample_site) -> Path:
    return sample_site


@pytest.fixture(scope="module")
def browser_page(sample_site):
    require_tools()
    with serve(sample_site) as base_url, sync_playwright() as playwright:
        browser = launch(playwright)
        # A fixed clock: the search page's "today" is the visitor's, and the tests' is 24 Nov 2026.
        # The page's own Content Security Policy stays on: search must work under it.
        context = browser.new_context()
        page = context.new_page()
        page.clock.set_fixed_time("2026-11-24T10:00:00")
        yield page, base_url
        browser.close()


def result_titles(page) -> list[str]:
    return [text.strip() for text in page.locator(".app-search-result__title").all_inner_texts()]


def test_typing_a_query_finds_the_event(browser_page):
    page, base_url = browser_page
    page.goto(f"{base_url}/search/")
    page.get_by_label("Words to search for").fill("Windrush")
    page.get_by_role("button", name="Show events").click()
    expect(page.locator("#search-status")).to_contain_text("found")
    titles = result_titles(page)
    assert "Windrush stories from Thameside" in " ".join(titles)
    # The Windrush talk was in October: it is found, marked as past.
    item = page.locator(".app-search-result", has_text="Windrush stories from Thameside")
    expect(item).to_contain_text("Past event")
    expect(item).to_contain_text("Thursday 8 October 2026")


def test_header_search_leads_to_results(browser_page):
    page, base_url = browser_page
    page.goto(f"{base_url}/")
    page.locator("#header-search").fill("iftar")
    page.locator(".app-header__search-button").click()
    page.wait_for_url("**/search/?q=iftar")
    expect(page.locator("#search-status")).to_contain_text("1 event found")
    assert result_titles(page) == ["Thameside open iftar"]


def test_two_filters_together_and_the_address_keeps_them(browser_page, site):
    page, base_url = browser_page
    page.goto(f"{base_url}/search/")
    page.get_by_label("Free events only").check()
    page.get_by_label("British Sign Language interpretation").check()
    page.get_by_role("button", name="Show events").click()
    expect(page.locator("#search-status")).to_contain_text("found")
    first = result_titles(page)
    assert len(first) >= 2
    # Every result is free and has BSL, by the event's own page.
    for href in page.locator(".app-search-result__title a").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"):
        event_page = BeautifulSoup((site / href.strip("/") / "index.html").read_text(),
                                   "html.parser")
        text = " ".join(event_page.get_text(" ").split())
        assert "Cost Free" in text and "British Sign Language interpretation" in text, href
    query = parse_qs(urlsplit(page.url).query)
    assert query["free"] == ["yes"] and query["access"] == ["bsl"]
    page.reload()
    expect(page.locator("#search-status")).to_contain_text("found")
    assert result_titles(page) == first
    assert page.get_by_label("Free events only").is_checked()
    assert page.get_by_label("British Sign Language interpretation").is_checked()


def test_a_month_filter_with_words(browser_page):
    page, base_url = browser_page
    page.goto(f"{base_url}/search/?q=film&when=chosen&month=2027-02")
    expect(page.locator("#search-status")).to_contain_text("1 event found")
    assert result_titles(page) == ["LGBT+ History Month film night"]


def test_search_page_with_results_has_no_accessibility_violations(browser_page):
    page, base_url = browser_page
    page.goto(f"{base_url}/search/?q=film&free=yes")
    expect(page.locator("#search-status")).to_contain_text("found")
    assert wcag_violations(run_axe(page)) == []


def test_search_assets_load_only_on_the_search_page(site):
    for path in site.rglob("index.html"):
        has_script = "search.js" in path.read_text()
        assert has_script == (path.parent.name == "search"), path


# --- without JavaScript: each filter is a plain page --------------------------------------

def listed(site: Path, path: str) -> set[str]:
    soup = BeautifulSoup((site / path / "index.html").read_text(), "html.parser")
    main = soup.find("main")
    return {a["href"].strip("/").split("/")[-1] for a in main.select(".app-event-card a, h3 a")
            if a["href"].startswith("/events/")}


def test_free_online_and_in_person_pages(site):
    free = listed(site, "events/free")
    assert "accessible-digital-services-webinar" in free and "black-british-film-night" not in free
    online = listed(site, "events/online")
    assert {"accessible-digital-services-webinar", "disability-and-work-panel"} <= online
    assert "relaxed-film-screening" not in online
    in_person = listed(site, "events/in-person")
    assert "disability-and-work-panel" in in_person
    assert "accessible-digital-services-webinar" not in in_person
    # Only upcoming events: the October talks are over.
    assert "windrush-stories-talk" not in free | online | in_person


def test_tag_pages(site):
    film = listed(site, "tags/film")
    assert "relaxed-film-screening" in film
    index = (site / "tags" / "index.html").read_text()
    assert 'href="/tags/film/"' in index
