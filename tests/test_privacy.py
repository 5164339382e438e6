"""Privacy and injected script, in a real browser: no request leaves the site, no cookie is set,
the Content Security Policy holds, and nothing from a hostile event file runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect, sync_playwright

from browser import launch, require_tools, serve, url_paths
from conftest import FIXTURES, build_site, index_for_search
from test_hostile import INJECTED_BODY, INJECTED_TITLE


@pytest.fixture(scope="module")
def sites(tmp_path_factory, sample_site) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("privacy")
    content = root / "content"
    shutil.copytree(FIXTURES / "small", content)
    (content / "events" / "hostile.md").write_text(
        "---\n" + yaml.safe_dump({
            "title": INJECTED_TITLE, "start": "2026-12-20 18:00",
            "summary": "</script><script>window.pwned = 'summary'</script>",
            "location": {"name": "Hall\"><img src=x onerror=\"window.pwned='location'\">"},
            "tags": ["<script>window.pwned='tag'</script>"],
            "uid": "hostile@test"}, allow_unicode=True) + "---\n" + INJECTED_BODY)
    hostile = root / "hostile"
    result = build_site(content, hostile)
    assert result.returncode == 0, result.stderr
    assert index_for_search(hostile).returncode == 0
    return {"sample": sample_site, "hostile": hostile}


@pytest.fixture(scope="module")
def chromium():
    require_tools()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


def visit_all(browser, folder: Path, bypass_csp: bool = False, only_with: str = ""):
    """Load every page (or those whose HTML holds ``only_with``); return the requests, console
    messages, dialogs and cookies seen."""
    seen = {"requests": [], "csp": [], "dialogs": [], "pwned": []}
    with serve(folder) as base_url:
        context = browser.new_context(bypass_csp=bypass_csp)
        page = context.new_page()
        page.on("request", lambda request: seen["requests"].append(request.url))
        page.on("console", lambda message: seen["csp"].append(message.text)
                if "Content Security Policy" in message.text else None)
        page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message),
                                          dialog.dismiss()))
        for path in url_paths(folder):
            relative = path.strip("/")
            file = folder / relative / "index.html" if path.endswith("/") else folder / relative
            if only_with and only_with not in file.read_text():
                continue
            page.goto(base_url + path, wait_until="load")
            if page.evaluate("typeof window.pwned !== 'undefined'"):
                seen["pwned"].append((path, page.evaluate("String(window.pwned)")))
        page.goto(f"{base_url}/search/?q=film")
        expect(page.locator("#search-status")).to_contain_text("found")
        seen["cookies"] = context.cookies()
        seen["base_url"] = base_url
        context.close()
    return seen


def test_no_page_makes_a_third_party_request_or_sets_a_cookie(chromium, sites):
    seen = visit_all(chromium, sites["sample"])
    assert len(seen["requests"]) > 100
    outside = sorted({url for url in seen["requests"] if not url.startswith(seen["base_url"] + "/")})
    assert outside == []
    assert seen["cookies"] == []
    # The site never breaks its own policy (search's WebAssembly included).
    assert seen["csp"] == []


def test_nothing_from_a_hostile_file_runs(chromium, sites):
    seen = visit_all(chromium, sites["hostile"])
    assert seen["pwned"] == [] and seen["dialogs"] == []
    outside = {url for url in seen["requests"] if not url.startswith(seen["base_url"] + "/")}
    assert outside == set()


def test_escaping_alone_stops_it_too(chromium, sites):
    # With the policy switched off, escaping and the sanitiser must still stop every script.
    seen = visit_all(chromium, sites["hostile"], bypass_csp=True, only_with="Film")
    assert seen["pwned"] == [] and seen["dialogs"] == []


def test_every_page_carries_the_policy(sites):
    for path in sites["sample"].rglob("*.html"):
        html = path.read_text()
        assert 'http-equiv="Content-Security-Policy"' in html, path
        assert "default-src 'self'" in html and "object-src 'none'" in html, path
