"""Every page of the sample build in a real browser: axe-core (WCAG 2.0, 2.1 and 2.2, A and AA,
and best practice), reflow at 320 pixels, headings, titles, the keyboard, no JavaScript, reduced
motion, print, and the Nu HTML checker. How and why: docs/accessibility-testing.md.

The browser is Debian's Chromium (/usr/bin/chromium), never one Playwright downloads; axe-core
and vnu come from npm (package-lock.json). A missing tool fails the tests: nothing is skipped.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

import browser
from conftest import FIXTURES, ROOT, build_site

SITE_NAME = "Thameside equality and inclusion calendar"
HOME, MONTH, EVENT = "/", "/months/2026-11/", "/events/disability-history-month-closing-event/"
BROKEN_PAGE = FIXTURES / "broken-page"
# The sample programme fits on one page of each list. Built again with four dates a page, one
# list of each kind is in pages, and every page of these is checked too (the pagination).
PAGE_SIZE = 4
PAGED_LISTS = ["/events/", "/events/past/", "/series/community-coalition/",
               "/series/black-history-month/past/", "/access/bsl/", "/events/online/",
               "/tags/family/"]
PAGED = "/events/page/3/"


@pytest.fixture(scope="session")
def sample_build(sample_site) -> Path:
    return sample_site


@pytest.fixture(scope="session")
def site_url(sample_build):
    with browser.serve(sample_build) as url:
        yield url


# The browser lives as long as this module's tests: Playwright's synchronous API allows one
# instance at a time, and other modules (tests/test_search.py) start their own.
@pytest.fixture(scope="module")
def chromium():
    browser.require_tools()
    with sync_playwright() as playwright:
        launched = browser.launch(playwright)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def tab(chromium):
    """One browser tab for the whole session, reused page after page."""
    context = chromium.new_context(viewport=browser.DESKTOP)
    context.add_init_script(path=str(browser.AXE_JS))  # cheaper than injecting it into each page
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def reports(tab, site_url, sample_build) -> dict[str, browser.PageReport]:
    paths = browser.url_paths(sample_build)
    assert len(paths) > 50 and {HOME, MONTH, EVENT, "/404.html"} <= set(paths)
    return {path: browser.survey(tab, site_url, path) for path in paths}


@pytest.fixture(scope="session")
def paged_build(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sample-in-pages")
    output = folder / "output"
    result = build_site(ROOT / "content", output, extra_settings={
        "EVENTS_LIST_PAGE_SIZE": PAGE_SIZE, "CACHE_PATH": str(folder / "cache")})
    assert result.returncode == 0, result.stderr
    return output


def paged_paths(paged_build: Path) -> list[str]:
    """Every page of the lists in PAGED_LISTS, in the build with small pages."""
    paths = [path for path in browser.url_paths(paged_build)
             if any(path == first or path.startswith(f"{first}page/") for first in PAGED_LISTS)]
    # Each list is still long enough to be in pages, or it would check nothing new.
    assert all(f"{first}page/2/" in paths for first in PAGED_LISTS), paths
    return paths


@pytest.fixture(scope="module")
def paged_url(paged_build):
    with browser.serve(paged_build) as url:
        yield url


@pytest.fixture(scope="module")
def paged_reports(tab, paged_url, paged_build) -> dict[str, browser.PageReport]:
    return {path: browser.survey(tab, paged_url, path) for path in paged_paths(paged_build)}


@pytest.fixture(scope="session")
def vnu_errors(sample_build, paged_build) -> dict[str, list[str]]:
    """vnu's errors for every page of the build, the pages of the lists in pages and the broken
    page, from one Java process."""
    browser.require_tools()
    files = [*sorted(sample_build.rglob("*.html")), *sorted(sample_build.rglob("*.css")),
             *(paged_build / path.lstrip("/") / "index.html" for path in paged_paths(paged_build)),
             BROKEN_PAGE / "index.html"]
    return browser.run_vnu(files)


def every(reports: dict, check, *args) -> str:
    """The problems one check finds on every page, a line each ("" when there are none)."""
    return listed({path: check(report, *args) for path, report in reports.items()})


def assert_none(problems: str) -> None:
    assert not problems, "\n" + problems


def listed(problems_by_page: dict[str, list[str]]) -> str:
    return "\n".join(f"{path}: {problem}" for path, problems in problems_by_page.items()
                     for problem in problems)


# ---------- axe-core ----------

def test_axe_tags_each_select_rules(tab, site_url):
    tab.goto(site_url + HOME)
    browser.run_axe(tab, rules=["document-title"])
    for tag in (*browser.WCAG_TAGS, browser.BEST_PRACTICE_TAG):
        assert tab.evaluate(f"axe.getRules(['{tag}']).length") > 0, tag


def test_no_page_has_a_wcag_a_or_aa_violation(reports):
    assert_none(every(reports, lambda r: browser.wcag_violations(r.axe)))


def test_no_page_has_a_contrast_violation_in_the_dark_scheme(reports):
    assert_none(every(reports, lambda r: browser.wcag_violations(r.axe_dark)))


def test_best_practice_findings_are_fixed_or_justified(reports):
    assert_none(every(reports, lambda r: browser.best_practice_findings(r.axe)))


def test_the_justified_findings_are_best_practice_only_and_still_found(tab, site_url, reports):
    tab.goto(site_url + HOME)
    browser.run_axe(tab, rules=["document-title"])
    for rule, reason in browser.JUSTIFIED_BEST_PRACTICE.items():
        tags = tab.evaluate(f"axe.getRules().find(r => r.ruleId === '{rule}').tags")
        assert not set(tags) & set(browser.WCAG_TAGS), f"{rule} is a WCAG rule: fix, never excuse"
        assert reason.strip()
        assert any(v["id"] == rule for r in reports.values() for v in r.axe), (
            f"{rule} is no longer found: take it off the list (and docs/accessibility-testing.md)")


# ---------- Structure, reflow, motion, print ----------

def test_no_page_scrolls_sideways_at_320_pixels(reports):
    assert_none(every(reports, browser.overflow_problems))


def test_every_page_has_one_h1_and_no_skipped_heading_level(reports):
    assert_none(every(reports, browser.heading_problems))


def test_every_page_has_a_language_and_a_descriptive_title(reports):
    assert_none(every(reports, browser.lang_problems))
    assert_none(every(reports, browser.title_problems, SITE_NAME))


def test_every_title_is_unique(reports):
    by_title: dict[str, list[str]] = {}
    for path, report in reports.items():
        by_title.setdefault(report.title, []).append(path)
    assert {title: paths for title, paths in by_title.items() if len(paths) > 1} == {}


def test_nothing_moves_when_reduced_motion_is_asked_for(reports):
    assert_none(every(reports, browser.motion_problems))


def test_printing_leaves_out_the_navigation(reports):
    assert_none(every(reports, browser.print_problems))


def test_every_page_shows_its_main_content_without_javascript(chromium, site_url, reports):
    context = chromium.new_context(java_script_enabled=False, viewport=browser.DESKTOP)
    try:
        page = context.new_page()
        found = {}
        for path, report in reports.items():
            page.goto(site_url + path)
            without_javascript = page.evaluate(browser.MAIN_CONTENT_JS)
            found[path] = browser.no_javascript_problems(report, without_javascript)
    finally:
        context.close()
    assert_none(listed(found))


# ---------- Keyboard ----------

@pytest.mark.parametrize("path", [EVENT, MONTH])
def test_tab_reaches_the_skip_link_first_then_every_link_with_visible_focus(tab, site_url, path):
    """Links, and the header's search box and button: every one, each with a focus ring."""
    focusable, stops = browser.tab_through(tab, site_url, path)
    assert len(stops) >= sum(element["visible"] for element in focusable) > 10
    assert browser.keyboard_problems(focusable, stops) == []


@pytest.mark.parametrize("path", [EVENT, MONTH])
def test_the_skip_link_moves_focus_to_the_main_content(tab, site_url, path):
    tab.goto(site_url + path)
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Skip to main content"
    assert tab.evaluate("document.activeElement.getBoundingClientRect().height") > 20
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "main-content"
    tab.keyboard.press("Tab")  # the next stop is the first link inside the main content
    assert tab.evaluate("document.activeElement.closest('main') !== null")


# ---------- Screenshots for review ----------

VARIANTS = {
    "light": {"viewport": browser.DESKTOP, "color_scheme": "light"},
    "dark": {"viewport": browser.DESKTOP, "color_scheme": "dark"},
    "narrow": {"viewport": browser.NARROW, "color_scheme": "light"},
}
COLOURS_JS = """() => ({
  text: getComputedStyle(document.body).color,
  background: getComputedStyle(document.body).backgroundColor,
  navigation: [...document.querySelectorAll('.app-nav__link')].map(a => a.checkVisibility()),
})"""


def luminance(css_colour: str) -> float:
    """Relative luminance of an rgb() colour (WCAG 2 definition)."""
    red, green, blue = (int(x) / 255 for x in re.findall(r"\d+", css_colour)[:3])
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
              for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def png_width(path: Path) -> int:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">I", header[16:20])[0]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name, path", [("home", HOME), ("month", MONTH), ("event", EVENT)])
def test_screenshot(tab, site_url, name, path, variant):
    settings = VARIANTS[variant]
    tab.set_viewport_size(settings["viewport"])
    tab.emulate_media(media="screen", color_scheme=settings["color_scheme"],
                      reduced_motion="no-preference")
    try:
        tab.goto(site_url + path)
        browser.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = browser.SCREENSHOTS / f"{name}-{variant}.png"
        tab.screenshot(path=str(shot), full_page=True)
        assert png_width(shot) == settings["viewport"]["width"]  # nothing widened the page

        colours = tab.evaluate(COLOURS_JS)
        text, background = luminance(colours["text"]), luminance(colours["background"])
        contrast = (max(text, background) + 0.05) / (min(text, background) + 0.05)
        assert contrast >= 7, colours  # body text: WCAG AAA, more than the 4.5 of AA
        if settings["color_scheme"] == "dark":
            assert background < 0.05 < 0.7 < text, f"the dark scheme is not applied: {colours}"
        else:
            assert text < 0.05 < 0.7 < background, colours
        assert colours["navigation"] and all(colours["navigation"]), "navigation hidden"
        assert browser.overflow_problems(browser.PageReport(
            path=path, overflow_narrow=tab.evaluate(browser.OVERFLOW_JS))) == []
        # The whole of axe again in this scheme and at this width (contrast, target size).
        assert browser.wcag_violations(browser.run_axe(tab)) == []
    finally:
        tab.set_viewport_size(browser.DESKTOP)
        tab.emulate_media(color_scheme="light")


# ---------- Nu HTML checker ----------

def test_nu_html_checker_finds_no_error_in_any_page_or_the_stylesheet(vnu_errors, sample_build):
    assert len(list(sample_build.rglob("*.html"))) > 50
    assert_none(listed({file: errors for file, errors in vnu_errors.items()
                        if not file.startswith(str(BROKEN_PAGE))}))


# ---------- Long lists in pages ----------

# Every test above that takes the reports of every page.
EVERY_PAGE_TESTS = [test_no_page_has_a_wcag_a_or_aa_violation,
                    test_no_page_has_a_contrast_violation_in_the_dark_scheme,
                    test_best_practice_findings_are_fixed_or_justified,
                    test_no_page_scrolls_sideways_at_320_pixels,
                    test_every_page_has_one_h1_and_no_skipped_heading_level,
                    test_every_page_has_a_language_and_a_descriptive_title,
                    test_nothing_moves_when_reduced_motion_is_asked_for,
                    test_printing_leaves_out_the_navigation]


@pytest.mark.parametrize("test", EVERY_PAGE_TESTS, ids=lambda test: test.__name__[5:])
def test_the_pages_of_a_long_list_pass_every_page_check(paged_reports, test):
    assert PAGED in paged_reports
    test(paged_reports)


def test_the_pages_of_a_long_list_have_unique_titles_and_work_without_javascript(
        chromium, paged_url, paged_reports):
    test_every_title_is_unique(paged_reports)
    test_every_page_shows_its_main_content_without_javascript(chromium, paged_url, paged_reports)


def test_tab_reaches_every_link_of_a_page_of_a_list_with_visible_focus(tab, paged_url):
    test_tab_reaches_the_skip_link_first_then_every_link_with_visible_focus(tab, paged_url, PAGED)


@pytest.mark.parametrize("variant", VARIANTS)
def test_screenshot_of_a_page_of_a_list(tab, paged_url, variant):
    """In each scheme and at 320 pixels, with axe again there (target sizes at that width)."""
    test_screenshot(tab, paged_url, "list-page", PAGED, variant)


# ---------- The checks do fail ----------

def test_every_check_finds_the_faults_of_a_deliberately_broken_page(chromium, vnu_errors):
    """The same checks over tests/fixtures/broken-page, which breaks each rule once."""
    with browser.serve(BROKEN_PAGE) as url:
        context = chromium.new_context(viewport=browser.DESKTOP)
        no_script = chromium.new_context(java_script_enabled=False, viewport=browser.DESKTOP)
        try:
            page = context.new_page()
            report = browser.survey(page, url, "/")
            focusable, stops = browser.tab_through(page, url, "/")
            plain = no_script.new_page()
            plain.goto(url + "/")
            without_javascript = plain.evaluate(browser.MAIN_CONTENT_JS)
        finally:
            context.close()
            no_script.close()

    wcag = " ".join(browser.wcag_violations(report.axe))
    for rule in ["html-has-lang", "document-title", "image-alt", "color-contrast", "link-name"]:
        assert rule in wcag, rule
    assert "color-contrast" in " ".join(browser.wcag_violations(report.axe_dark))
    assert "heading-order" in " ".join(browser.best_practice_findings(report.axe))

    assert browser.heading_problems(report) == [
        "2 h1 headings, not exactly one", "h3 'Skipped level' follows h1: a level is skipped"]
    assert browser.lang_problems(report) == ["<html lang> is '', not a language tag"]
    assert browser.title_problems(report, SITE_NAME) == ["no title"]
    assert "div.app-too-wide" in " ".join(browser.overflow_problems(report))
    assert "animation 2s" in " ".join(browser.motion_problems(report))
    assert "<nav" in " ".join(browser.print_problems(report))
    assert browser.no_javascript_problems(report, without_javascript) == [
        "the h1 is '' without JavaScript, 'A broken page' with it"]

    keyboard = browser.keyboard_problems(focusable, stops)
    assert keyboard[0].startswith("the first Tab does not reach a skip link")
    assert any(problem.startswith("no focus indicator") for problem in keyboard)

    broken = [errors for file, errors in vnu_errors.items() if file.startswith(str(BROKEN_PAGE))]
    assert broken and any("title" in error for error in broken[0]), vnu_errors

    # And so the tests over the sample build fail when a page like this one joins it.
    for test in EVERY_PAGE_TESTS:
        with pytest.raises(AssertionError):
            test({"/broken-page/": report})
    with pytest.raises(AssertionError):
        test_every_title_is_unique({"/one/": report, "/another/": report})
