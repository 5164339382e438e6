"""LAST-MODIFIED, DTSTAMP and SEQUENCE come from git history, never from the clock."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from conftest import SETTINGS, TODAY
from events_calendar.loading import derived_uid, load_content
from events_calendar.revisions import NO_HISTORY, event_revisions


def git(repo: Path, *args: str, when: str = "2026-01-01T10:00:00+00:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "editor@example.org",
           "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "editor@example.org"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


def revisions(content):
    loaded = load_content(content.root, SETTINGS, TODAY)
    assert loaded.problems == []
    return event_revisions([(e.uid, loaded.front_matter[e.uid]) for e in loaded.events],
                           content.root / "events",
                           lambda stem, fields: fields.get("uid") or derived_uid(stem, SETTINGS))


def commit(repo: Path, message: str, when: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, when=when)


def test_sequence_moves_with_time_place_and_status_only(content):
    repo = content.root.parent
    git(repo, "init", "-q")
    path = content.event("talk.md", "title: Talk\nstart: 2026-12-01 18:00\nuid: talk@test")
    commit(repo, "add", "2026-10-01T09:00:00+00:00")
    assert revisions(content)["talk@test"].sequence == 0

    path.write_text(path.read_text().replace("title: Talk", "title: A talk"))
    commit(repo, "retitle", "2026-10-02T09:00:00+00:00")
    retitled = revisions(content)["talk@test"]
    assert retitled.sequence == 0
    assert retitled.modified == datetime(2026, 10, 2, 9, tzinfo=timezone.utc)

    path.write_text(path.read_text().replace("18:00", "19:00"))
    commit(repo, "move", "2026-10-03T09:00:00+00:00")
    path.write_text(path.read_text() .replace("uid:", "status: cancelled\nuid:"))
    commit(repo, "cancel", "2026-10-04T09:00:00+00:00")
    cancelled = revisions(content)["talk@test"]
    assert cancelled.sequence == 2
    assert cancelled.modified == datetime(2026, 10, 4, 9, tzinfo=timezone.utc)


def test_renaming_a_file_with_a_uid_keeps_its_history(content):
    repo = content.root.parent
    git(repo, "init", "-q")
    path = content.event("old-name.md", "title: Talk\nstart: 2026-12-01 18:00\nuid: talk@test")
    commit(repo, "add", "2026-10-01T09:00:00+00:00")
    path.write_text(path.read_text().replace("18:00", "19:00"))
    commit(repo, "move", "2026-10-02T09:00:00+00:00")
    path.rename(path.with_name("new-name.md"))
    commit(repo, "rename", "2026-10-03T09:00:00+00:00")
    assert revisions(content)["talk@test"].sequence == 1


def test_an_uncommitted_change_of_time_counts_in_a_preview(content):
    repo = content.root.parent
    git(repo, "init", "-q")
    path = content.event("talk.md", "title: Talk\nstart: 2026-12-01 18:00\nuid: talk@test")
    commit(repo, "add", "2026-10-01T09:00:00+00:00")
    path.write_text(path.read_text().replace("18:00", "20:00"))
    assert revisions(content)["talk@test"].sequence == 1


def test_without_git_a_fixed_time_is_used(content, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    content.event("talk.md", "title: Talk\nstart: 2026-12-01 18:00\nuid: talk@test")
    (content.root.parent / ".git").mkdir()  # a broken repository: git must fail, not the build
    assert revisions(content)["talk@test"].modified == NO_HISTORY
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert revisions(content)["talk@test"].modified == datetime(2026, 1, 1, tzinfo=timezone.utc)
