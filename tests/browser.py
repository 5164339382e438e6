"""Checking built pages in a real browser: Debian's Chromium driven by Playwright, axe-core
injected into each page, and the Nu HTML checker (vnu) over the files.

Each check is a function that returns a list of problems in words, so the tests assert that a
list is empty and print every problem at once, and the test over a deliberately broken page
shows that the same functions do find problems.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, never a browser that Playwright downloads. No sandbox because the tests
# (and CI) run as root, where Chromium's sandbox refuses to start.
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
MISSING_TOOL = "{} is missing: {} (`make test` and .ci/run set it up; never skip these checks)"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA. axe-core has no "wcag22a" tag: the level A criteria
# new in 2.2 (3.2.6 Consistent help, 3.3.7 Redundant entry) cannot be tested automatically.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
BEST_PRACTICE_TAG = "best-practice"

# Best-practice findings that stay, each with the reason (also in docs/accessibility-testing.md).
# Only best-practice rules may be listed here: a WCAG A or AA rule is never excused.
JUSTIFIED_BEST_PRACTICE: dict[str, str] = {}

DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 640}  # WCAG 1.4.10 Reflow: 320 CSS pixels wide


def require_tools() -> None:
    """Fail, never skip, when a tool the checks need is not installed."""
    assert CHROMIUM.is_file(), MISSING_TOOL.format(
        "Chromium", f"{CHROMIUM} (apt-get install chromium)")
    assert AXE_JS.is_file(), MISSING_TOOL.format("axe-core", f"{AXE_JS} (npm ci)")
    assert VNU_JAR.is_file(), MISSING_TOOL.format("The Nu HTML checker", f"{VNU_JAR} (npm ci)")
    assert shutil.which("java"), MISSING_TOOL.format(
        "Java", "java on the PATH (apt-get install default-jre-headless)")


def launch(playwright):
    """Start Debian's Chromium headless."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the name http.server uses
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 at a free port, as `make serve` would; yield the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietHandler, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="test-http-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def url_paths(output: Path) -> list[str]:
    """The URL path of every HTML page in a build, as a visitor would type it."""
    paths = []
    for file in sorted(output.rglob("*.html")):
        relative = file.relative_to(output).as_posix()
        if relative == "index.html":
            paths.append("/")
        elif relative.endswith("/index.html"):
            paths.append("/" + relative.removesuffix("index.html"))
        else:
            paths.append("/" + relative)
    return paths


# ---------- What is collected from each page ----------

# Headings as assistive technology sees them: hidden ones (display: none, visibility: hidden,
# aria-hidden) are left out; visually hidden ones stay in.
HEADINGS_JS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role="heading"]')]
  .filter(el => el.checkVisibility({visibilityProperty: true})
                && !el.closest('[aria-hidden="true"]'))
  .map(el => ({
    level: el.hasAttribute('aria-level') ? Number(el.getAttribute('aria-level'))
         : /^H[1-6]$/.test(el.tagName) ? Number(el.tagName[1]) : 2,
    text: el.textContent.replace(/\\s+/g, ' ').trim(),
  }))"""

# Everything on the page wider than the viewport, when the page scrolls sideways.
OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width) return {scrollWidth: root.scrollWidth, width, wide: []};
  const wide = [...document.body.querySelectorAll('*')]
    .filter(el => el.checkVisibility() && el.getBoundingClientRect().right > width + 0.5)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + [...el.classList].join('.') : ''));
  return {scrollWidth: root.scrollWidth, width, wide: [...new Set(wide)].slice(0, 5)};
}"""

# Every animation or transition longer than 0s, on any element or pseudo-element.
MOTION_JS = """() => {
  const moving = [];
  const longer = list => list.split(',').some(d => parseFloat(d) > 0);
  for (const el of [document.documentElement, ...document.documentElement.querySelectorAll('*')]) {
    for (const pseudo of [null, '::before', '::after']) {
      const style = getComputedStyle(el, pseudo);
      const what = [];
      if (style.animationName !== 'none' && longer(style.animationDuration)) {
        what.push('animation ' + style.animationDuration);
      }
      if (longer(style.transitionDuration)) what.push('transition ' + style.transitionDuration);
      if (what.length) {
        moving.push(el.tagName.toLowerCase() + (pseudo || '') + ': ' + what.join(', '));
      }
    }
  }
  for (const animation of document.getAnimations()) {
    moving.push('running animation: ' + animation.constructor.name);
  }
  if (getComputedStyle(document.documentElement).scrollBehavior === 'smooth') {
    moving.push('smooth scrolling');
  }
  return moving;
}"""

# What stays on screen when printed: navigation should not.
PRINT_JS = """() => ({
  navigation: [...document.querySelectorAll('nav, [role="navigation"], .app-skip-link')]
    .filter(el => el.checkVisibility()).map(el => el.outerHTML.slice(0, 80)),
  main: !!document.querySelector('main') && document.querySelector('main').checkVisibility(),
})"""

# The main content as it shows, its h1, and how many scripts could change it.
MAIN_CONTENT_JS = """() => {
  const shown = el => el && el.checkVisibility({visibilityProperty: true})
                      ? el.innerText.replace(/\\s+/g, ' ').trim() : '';
  const main = document.querySelector('main');
  return {text: shown(main), h1: shown(main && main.querySelector('h1')),
          scripts: document.querySelectorAll(
            'script:not([type="application/ld+json"]):not([type="application/json"])').length};
}"""


def run_axe(page, tags=(*WCAG_TAGS, BEST_PRACTICE_TAG), rules: list[str] | None = None) -> list:
    """Run axe-core in the page (injected if it is not there yet).

    Returns its violations and the checks it could not decide ("incomplete": say, text over an
    image), each marked with its outcome: a check that axe could not decide proves nothing.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools, which the page's Content Security Policy allows, unlike a
        # <script> added to the page.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    run_only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": list(tags)}
    options = json.dumps({"runOnly": run_only, "resultTypes": ["violations", "incomplete"]})
    return page.evaluate(f"""axe.run(document, {options}).then(r => [
        ...r.violations.map(v => ({{...v, outcome: 'violation'}})),
        ...r.incomplete.map(v => ({{...v, outcome: 'incomplete'}}))])""")


@dataclass
class PageReport:
    """What the browser found on one page."""

    path: str
    title: str = ""
    lang: str = ""
    headings: list = field(default_factory=list)
    main_content: dict = field(default_factory=dict)  # MAIN_CONTENT_JS, with JavaScript on
    axe: list = field(default_factory=list)  # light scheme, desktop width, all rules
    axe_dark: list = field(default_factory=list)  # dark scheme: the contrast rules
    overflow_narrow: dict = field(default_factory=dict)  # at 320 pixels wide
    motion_reduced: list = field(default_factory=list)  # with prefers-reduced-motion: reduce
    printed: dict = field(default_factory=dict)  # with media print


def survey(page, base_url: str, path: str) -> PageReport:
    """Load a page once and collect everything the per-page checks need."""
    page.set_viewport_size(DESKTOP)
    page.emulate_media(media="screen", color_scheme="light", reduced_motion="no-preference")
    response = page.goto(base_url + path)
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    report = PageReport(path=path, title=page.title(),
                        lang=page.evaluate("document.documentElement.lang"),
                        headings=page.evaluate(HEADINGS_JS),
                        main_content=page.evaluate(MAIN_CONTENT_JS))
    report.axe = run_axe(page)

    page.emulate_media(color_scheme="dark")
    report.axe_dark = run_axe(page, rules=["color-contrast", "link-in-text-block"])
    page.emulate_media(color_scheme="light")

    page.emulate_media(reduced_motion="reduce")
    report.motion_reduced = page.evaluate(MOTION_JS)
    page.emulate_media(reduced_motion="no-preference")

    page.emulate_media(media="print")
    report.printed = page.evaluate(PRINT_JS)
    page.emulate_media(media="screen")

    page.set_viewport_size(NARROW)
    report.overflow_narrow = page.evaluate(OVERFLOW_JS)
    page.set_viewport_size(DESKTOP)
    return report


# ---------- The checks: each returns its problems in words ----------

def describe(result: dict) -> str:
    targets = ", ".join(" ".join(map(str, node["target"])) for node in result["nodes"][:3])
    more = len(result["nodes"]) - 3
    outcome = "could not be decided" if result["outcome"] == "incomplete" else result["impact"]
    return (f"{result['id']} ({outcome}): {result['help']} at {targets}"
            + (f" and {more} more" if more > 0 else "") + f" [{result['helpUrl']}]")


def wcag_violations(results: list) -> list[str]:
    """Failures of a WCAG A or AA rule, and checks of one that axe could not decide."""
    return [describe(r) for r in results if set(r["tags"]) & set(WCAG_TAGS)]


def best_practice_findings(results: list) -> list[str]:
    """Best-practice violations that are neither fixed nor justified."""
    return [describe(r) for r in results
            if not set(r["tags"]) & set(WCAG_TAGS) and r["outcome"] == "violation"
            and r["id"] not in JUSTIFIED_BEST_PRACTICE]


def heading_problems(report: PageReport) -> list[str]:
    levels = [h["level"] for h in report.headings]
    problems = []
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} h1 headings, not exactly one")
    previous = 0
    for heading in report.headings:
        if heading["level"] > previous + 1:
            problems.append(f"h{heading['level']} {heading['text']!r} follows "
                            + (f"h{previous}" if previous else "no heading")
                            + ": a level is skipped")
        if not heading["text"]:
            problems.append(f"an empty h{heading['level']}")
        previous = heading["level"]
    return problems


TITLE_SEPARATOR = " – "
WORD = re.compile(r"[\w']+")


def title_problems(report: PageReport, site_name: str) -> list[str]:
    """A title names the page first, then the site, and says what the h1 says (WCAG 2.4.2)."""
    title = report.title.strip()
    if not title:
        return ["no title"]
    page_part, _, site_part = title.rpartition(TITLE_SEPARATOR)
    problems = []
    if site_part != site_name or not page_part.strip():
        problems.append(f"title {title!r} is not '<what the page is>{TITLE_SEPARATOR}{site_name}'")
    h1 = next((h["text"] for h in report.headings if h["level"] == 1), "")
    h1_words = set(WORD.findall(h1.lower()))
    if h1_words and len(h1_words & set(WORD.findall(page_part.lower()))) < len(h1_words) / 2:
        problems.append(f"title {title!r} does not describe the page, whose h1 is {h1!r}")
    return problems


def lang_problems(report: PageReport) -> list[str]:
    return [] if re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", report.lang) else [
        f"<html lang> is {report.lang!r}, not a language tag"]


def overflow_problems(report: PageReport) -> list[str]:
    overflow = report.overflow_narrow
    if overflow["scrollWidth"] <= overflow["width"]:
        return []
    return [f"scrolls sideways at {overflow['width']}px: {overflow['scrollWidth']}px wide, "
            f"because of {', '.join(overflow['wide']) or 'something'}"]


def motion_problems(report: PageReport) -> list[str]:
    return [f"moves although reduced motion is asked for: {what}"
            for what in report.motion_reduced[:5]]


def print_problems(report: PageReport) -> list[str]:
    problems = [f"printed with navigation: {html}" for html in report.printed["navigation"]]
    if not report.printed["main"]:
        problems.append("the main content is not printed")
    return problems


def no_javascript_problems(report: PageReport, without_javascript: dict) -> list[str]:
    """With JavaScript off, the main content shows under the same h1; on a page without
    scripts, exactly as with JavaScript on. (MAIN_CONTENT_JS gives `without_javascript`.)"""
    with_javascript = report.main_content
    if not without_javascript["text"]:
        return ["the main content is empty without JavaScript"]
    if without_javascript["h1"] != with_javascript["h1"]:
        return [f"the h1 is {without_javascript['h1']!r} without JavaScript, "
                f"{with_javascript['h1']!r} with it"]
    if not with_javascript["scripts"] and without_javascript["text"] != with_javascript["text"]:
        return ["the main content differs without JavaScript, on a page without scripts"]
    return []


# ---------- Keyboard ----------

# Everything that can take focus is numbered in document order, and how each looks without
# focus is kept, to compare with how it looks when Tab reaches it (WCAG 2.4.7 Focus visible).
FOCUSABLE_JS = """() => {
  window.__look = el => {
    const style = getComputedStyle(el);
    return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow,
            style.color, style.backgroundColor, style.textDecorationLine].join(' | ');
  };
  window.__focusable = [...document.querySelectorAll(
    'a[href], area[href], button, input:not([type="hidden"]), select, textarea, summary, '
    + 'iframe, [contenteditable], [tabindex]')]
    .filter(el => !el.disabled && el.tabIndex >= 0)
    // Tab reaches one radio button of a group (the checked one, else the first); arrows the rest.
    .filter(el => {
      if (el.type !== 'radio' || !el.name || el.checked) return true;
      const group = `input[type="radio"][name="${CSS.escape(el.name)}"]`;
      const owner = el.form || document;
      return !owner.querySelector(group + ':checked') && owner.querySelector(group) === el;
    });
  window.__unfocused = window.__focusable.map(window.__look);
  return window.__focusable.map(el => ({
    visible: el.checkVisibility({visibilityProperty: true}) && !el.closest('[inert]'),
    html: el.outerHTML.slice(0, 100)}));
}"""

FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const number = window.__focusable.indexOf(el);
  return {
    number,
    html: el.outerHTML.slice(0, 100),
    skipLink: el.matches('a[href="#main-content"]'),
    indicator: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
               || style.boxShadow !== 'none',
    changed: number < 0 || window.__look(el) !== window.__unfocused[number],
    visible: box.width > 1 && box.height > 1 && el.checkVisibility({visibilityProperty: true}),
  };
}"""


def tab_through(page, base_url: str, path: str, limit: int = 400) -> tuple[list, list]:
    """Press Tab from the top of a page until focus leaves it.

    Returns what can take focus (FOCUSABLE_JS) and where each Tab stopped (FOCUS_JS)."""
    page.set_viewport_size(DESKTOP)
    page.emulate_media(media="screen", color_scheme="light", reduced_motion="no-preference")
    page.goto(base_url + path)
    focusable = page.evaluate(FOCUSABLE_JS)
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_JS)
        if stop is None or (stops and stop == stops[0]):
            break
        stops.append(stop)
    return focusable, stops


def keyboard_problems(focusable: list, stops: list) -> list[str]:
    problems = []
    if not stops or not stops[0]["skipLink"]:
        problems.append("the first Tab does not reach a skip link to #main-content, but "
                        + (stops[0]["html"] if stops else "nothing"))
    reached = {stop["number"] for stop in stops}
    for number, element in enumerate(focusable):
        if element["visible"] and number not in reached:
            problems.append(f"Tab never reaches {element['html']}")
    for stop in stops:
        if not stop["visible"]:
            problems.append(f"focus is on something that cannot be seen: {stop['html']}")
        if not stop["indicator"]:
            problems.append(f"no focus indicator (outline or box shadow): {stop['html']}")
        elif not stop["changed"]:
            problems.append(f"looks the same with and without focus: {stop['html']}")
    return problems


# ---------- Nu HTML checker ----------

def run_vnu(files: list[Path]) -> dict[str, list[str]]:
    """Check HTML files (and CSS files) with vnu in one Java process; return errors by file."""
    css = [str(f) for f in files if f.suffix == ".css"]
    command = ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
               *(["--also-check-css"] if css else []), *[str(f) for f in files]]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    report = json.loads(result.stderr or result.stdout)  # vnu writes its report to stderr
    errors: dict[str, list[str]] = {}
    for message in report["messages"]:
        where = message.get("url", "").removeprefix("file:")
        errors.setdefault(where, []).append(
            f"line {message.get('lastLine', '?')}: {message.get('type')}: {message['message']}")
    assert result.returncode in (0, 1) and (result.returncode == 0) == (not errors), result.stderr
    return errors
