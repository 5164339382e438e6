"""Shared helpers: tiny content folders written for each test, and builds of them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

TODAY = date(2026, 11, 24)
SETTINGS = {"TIMEZONE": "Europe/London"}
FIXTURES = ROOT / "tests" / "fixtures"


class ContentFolder:
    """A content folder in a temporary directory, with helpers to add files to it."""

    def __init__(self, root: Path):
        self.root = root
        (root / "events").mkdir(parents=True, exist_ok=True)
        (root / "series").mkdir(parents=True, exist_ok=True)
        # An image events may use: images/poster.png.
        shutil.copytree(FIXTURES / "small" / "images", root / "images", dirs_exist_ok=True)

    def event(self, name: str, front_matter: str, body: str = "About the event.\n") -> Path:
        path = self.root / "events" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{textwrap.dedent(front_matter).strip()}\n---\n{body}",
                        encoding="utf-8")
        return path

    def series(self, slug: str, front_matter: str, body: str = "About the series.\n") -> Path:
        path = self.root / "series" / f"{slug}.md"
        path.write_text(f"---\n{textwrap.dedent(front_matter).strip()}\n---\n{body}",
                        encoding="utf-8")
        return path


@pytest.fixture
def content(tmp_path: Path) -> ContentFolder:
    folder = ContentFolder(tmp_path / "content")
    folder.series("disability-history-month", """
        title: Disability History Month
        summary: A month of events.
        start: 2026-11-16
        end: 2026-12-16
    """)
    return folder


def build_site(content_dir: Path, output_dir: Path, today: str = "2026-11-24",
               settings: Path = ROOT / "pelicanconf.py",
               extra_env: dict | None = None,
               extra_settings: dict | None = None,
               options: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Build a content folder with the real Pelican command line, as `make html` does."""
    env = {**os.environ, "EVENTS_TODAY": today, "PYTHONPATH": str(ROOT / "plugins"),
           **(extra_env or {})}
    return subprocess.run(
        [sys.executable, "-m", "pelican", str(content_dir), "-o", str(output_dir), "-s",
         str(settings), "--fatal", "errors", *options,
         *(["-e", *(f"{key}={json.dumps(value)}" for key, value in extra_settings.items())]
           if extra_settings else [])],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample programme, built once for the whole test run with its search index, as
    `make html` builds it. Shared by many tests: read it, never change it."""
    folder = tmp_path_factory.mktemp("sample")
    output = folder / "output"
    result = build_site(ROOT / "content", output, extra_settings={
        "EVENTS_SEARCH_INDEX": True, "CACHE_PATH": str(folder / "cache")})
    assert result.returncode == 0, result.stderr
    return output


def index_for_search(output_dir: Path, *options: str) -> subprocess.CompletedProcess:
    """Build the search index of a built site from the command line (reading its pages)."""
    return subprocess.run([sys.executable, "-m", "events_calendar.search_index", str(output_dir),
                           *options], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")})
