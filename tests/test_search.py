"""Finding an event: the search page in a real browser, and the plain filter pages without it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect, sync_playwright

from browser import launch, require_tools, run_axe, serve, wcag_violations
from conftest import FIXTURES, ROOT, build_site




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


def result_slugs(page) -> list[str]:
    """The events found, in order, by their pages' addresses (/events/<slug>/)."""
    hrefs = page.locator(".app-search-result__title a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))")
    assert all(href.startswith("/events/") and href.endswith("/") for href in hrefs), hrefs
    return [href.strip("/").split("/")[-1] for href in hrefs]


def test_the_page_filters_with_its_own_document_never_the_partners_feed(browser_page):
    page, base_url = browser_page
    # A context of its own, so nothing comes from the browser's cache unseen; the partners'
    # feed is refused outright, so the page cannot be quietly relying on it.
    context = page.context.browser.new_context()
    context.route(f"{base_url}/events.json", lambda route: route.abort())
    fresh = context.new_page()
    fresh.clock.set_fixed_time("2026-11-24T10:00:00")
    fetched = []
    fresh.on("request", lambda request: fetched.append(urlsplit(request.url).path))
    try:
        fresh.goto(f"{base_url}/search/")
        form = fresh.locator("[data-search-form]")
        assert form.get_attribute("data-events-url") == "/search/events.json"
        fresh.get_by_label("Online", exact=True).check()
        fresh.get_by_role("button", name="Show events").click()
        expect(fresh.locator("#search-status")).to_contain_text("5 events found")
        assert "/search/events.json" in fetched
        assert "/events.json" not in fetched
        # No words to search for: Pagefind is not even loaded.
        assert not [path for path in fetched if path.startswith("/pagefind/")], fetched
    finally:
        context.close()


# What the sample programme gives for each choice, seen on 24 November 2026: upcoming events
# unless past ones are asked for, by each event's first date.
FILTERED = [
    ("series=disability-history-month",
     ["disability-history-exhibition", "accessible-digital-services-webinar",
      "relaxed-film-screening", "disability-and-work-panel",
      "international-day-of-persons-with-disabilities", "disability-history-month-closing-event",
      "sensory-friendly-winter-crafts"]),
    ("attendance=online",
     ["thameside-equality-coalition", "accessible-digital-services-webinar",
      "disability-and-work-panel", "pride-across-the-atlantic-panel", "partition-memories-talk"]),
    ("attendance=in-person&tag=film", ["relaxed-film-screening", "lgbt-film-night"]),
    ("when=chosen&month=2027-01",
     ["thameside-equality-coalition", "bsl-taster-course", "holocaust-memorial-day",
      "holocaust-memorial-day-reading-room", "holocaust-memorial-day-commemoration"]),
    ("series=black-history-month&past=yes",
     ["bhm-2027-closing-night", "bhm-opening-evening", "windrush-stories-talk",
      "black-history-family-fun-day", "black-british-film-night",
      "young-black-leaders-workshop"]),
    ("free=yes&access=changing-places&when=chosen&month=2027-06",
     ["refugee-week-conversation-cafe", "refugee-week-welcome-festival"]),
]


@pytest.mark.parametrize("query, expected", FILTERED, ids=[query for query, _ in FILTERED])
def test_filters_give_the_right_events(browser_page, query, expected):
    page, base_url = browser_page
    page.goto(f"{base_url}/search/?{query}")
    expect(page.locator("#search-status")).to_contain_text("found")
    assert result_slugs(page) == expected


def test_results_show_status_dates_place_and_past(browser_page):
    page, base_url = browser_page
    page.goto(f"{base_url}/search/?series=disability-history-month&past=yes")
    expect(page.locator("#search-status")).to_contain_text("found")
    cancelled = page.locator(".app-search-result", has_text="Sensory-friendly winter crafts")
    expect(cancelled.locator(".app-tag--cancelled")).to_have_text("Cancelled")
    expect(cancelled).to_contain_text("Saturday 12 December 2026, 10:30am to 12:30pm")
    webinar = page.locator(".app-search-result", has_text="Designing digital services")
    expect(webinar.locator(".app-search-result__place")).to_have_text("Online")
    panel = page.locator(".app-search-result", has_text="Disability and work")
    expect(panel.locator(".app-search-result__place")).to_contain_text(", and online")
    opening = page.locator(".app-search-result", has_text="Disability History Month launch")
    expect(opening.locator(".app-tag--past")).to_have_text("Past event")
    # Upcoming events first, then past ones.
    assert result_slugs(page)[-1] == "disability-history-month-launch"


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


LIVE = "https://events.thameside.example"


def test_search_works_on_the_published_site_at_its_own_address(browser_page, tmp_path):
    """`make publish` gives every address absolutely (SITEURL): the page, its document and its
    results must all be the live site's. The browser is handed the built files for that
    address, so nothing goes to the network."""
    output = tmp_path / "output"
    result = build_site(FIXTURES / "small", output, settings=ROOT / "publishconf.py",
                        extra_settings={"EVENTS_SEARCH_INDEX": True,
                                        "CACHE_PATH": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr

    def from_output(route):
        path = urlsplit(route.request.url).path
        file = output / path.lstrip("/")
        if path.endswith("/"):
            file = file / "index.html"
        if not file.is_file():
            return route.fulfill(status=404)
        kind = {".wasm": "application/wasm", ".js": "text/javascript", ".json": "application/json",
                ".html": "text/html", ".css": "text/css"}.get(file.suffix, "application/octet-stream")
        return route.fulfill(status=200, body=file.read_bytes(), content_type=kind)

    context = browser_page[0].context.browser.new_context()
    context.route(f"{LIVE}/**", from_output)
    page = context.new_page()
    page.clock.set_fixed_time("2026-11-24T10:00:00")
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    try:
        page.goto(f"{LIVE}/search/?q=festival")
        expect(page.locator("#search-status")).to_contain_text("1 event found")
        assert page.locator(".app-search-result__title a").get_attribute("href") == (
            f"{LIVE}/events/welcome-festival/")
        page.goto(f"{LIVE}/search/?attendance=online")
        expect(page.locator("#search-status")).to_contain_text("1 event found")
        assert page.locator(".app-search-result__title a").get_attribute("href") == (
            f"{LIVE}/events/cafe/")
        assert f"{LIVE}/search/events.json" in fetched and f"{LIVE}/events.json" not in fetched
    finally:
        context.close()


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
