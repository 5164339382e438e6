"""With CSS off, the content still reads in a sensible order (WCAG 1.3.2 Meaningful sequence)."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from browser import launch, require_tools, serve

PAGES = {
    "/events/thameside-equality-coalition/": ["Skip to main content", "What's on",
                                              "Thameside Equality Coalition partners' meeting",
                                              "Venue website for", "Access information",
                                              "\nComing dates\n", "\nAbout this event\n",
                                              "\nAdd to your calendar\n",
                                              "Accessibility statement"],
    "/months/2026-12/": ["Skip to main content", "Events in December 2026",
                         "Calendar of events in December 2026", "Monday",
                         "Events in December 2026 as a list", "Previous month",
                         "Accessibility statement"],
}


@pytest.fixture(scope="module")
def base_url(sample_site):
    require_tools()
    with serve(sample_site) as url:
        yield url


@pytest.mark.parametrize("path", PAGES)
def test_content_reads_in_order_without_css(base_url, path):
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        # No stylesheet at all, as a visitor with CSS turned off (or a text browser) gets it.
        page.route("**/*.css", lambda route: route.abort())
        page.goto(base_url + path)
        assert page.evaluate("getComputedStyle(document.querySelector('.app-skip-link'))"
                             ".position") == "static"
        text = page.evaluate("document.body.innerText")
        browser.close()
    positions = [text.find(words) for words in PAGES[path]]
    assert -1 not in positions, dict(zip(PAGES[path], positions))
    assert positions == sorted(positions), dict(zip(PAGES[path], positions))
