"""When each event last changed, and how often its time, place or status changed, from git.

Calendar clients use LAST-MODIFIED, DTSTAMP and SEQUENCE to decide whether an event has
changed. They must come from the content's history, never from the clock, so that two builds
of one commit give the same bytes. Git is asked twice, whatever the number of events: once for
the log of every event file (with the blob of each version), once for those blobs' text.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from .frontmatter import parse_source

logger = logging.getLogger(__name__)

# A change to any of these is a change subscribers must see (RFC 5545 3.8.7.4, SEQUENCE).
SCHEDULE_FIELDS = ("start", "end", "timezone", "repeat", "except", "location", "online", "status")
# Used when there is no history at all (not a git checkout, git missing): a fixed time, so
# the output is still reproducible. SOURCE_DATE_EPOCH wins when set, as reproducible-builds.org
# asks.
NO_HISTORY = datetime(2026, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Revision:
    """When an event was last changed, and how many times its time, place or status changed."""

    modified: datetime  # UTC
    sequence: int = 0


@dataclass(frozen=True)
class _Version:
    committed: datetime
    uid: str
    schedule: str


def schedule_of(fields: dict) -> str:
    """The part of an event file that, when it changes, subscribers must be told about."""
    return json.dumps({name: fields.get(name) for name in SCHEDULE_FIELDS}, sort_keys=True)


def fallback_time(environ=os.environ) -> datetime:
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return NO_HISTORY


def event_revisions(current: Iterable[tuple[str, dict]], events_dir: Path,
                    uid_of: Callable[[str, dict], str]) -> dict[str, Revision]:
    """Revisions for every current event, given as (uid, front matter fields).

    ``uid_of(file_stem, fields)`` gives the uid a past version of a file had, so an event that
    was renamed keeps its history when it has a uid of its own.
    """
    history = _history(events_dir, uid_of)
    fallback = fallback_time()
    revisions = {}
    for uid, fields in current:
        versions = sorted(history.get(uid, []), key=lambda version: version.committed)
        sequence, previous = 0, None
        for version in versions:
            if previous is not None and version.schedule != previous:
                sequence += 1
            previous = version.schedule
        modified = versions[-1].committed if versions else fallback
        if previous is not None and schedule_of(fields) != previous:
            # Changed since the last commit (a preview of uncommitted work): show it as changed.
            sequence += 1
        revisions[uid] = Revision(modified=modified, sequence=sequence)
    return revisions


def _history(events_dir: Path, uid_of) -> dict[str, list[_Version]]:
    """Every committed version of every event file, by the uid it had then."""
    try:
        top = _git(events_dir, "rev-parse", "--show-toplevel").strip()
        log = _git(Path(top), "log", "--raw", "--no-abbrev", "--no-renames", "--format=@%ct",
                   "--", str(events_dir.resolve().relative_to(Path(top).resolve())))
    except (OSError, subprocess.CalledProcessError, ValueError):
        logger.info("No git history for %s: using a fixed time for LAST-MODIFIED", events_dir)
        return {}
    changes: list[tuple[datetime, str, str]] = []  # (commit time, blob, path)
    committed = NO_HISTORY
    for line in log.splitlines():
        if line.startswith("@"):
            committed = datetime.fromtimestamp(int(line[1:]), tz=timezone.utc)
        elif line.startswith(":"):
            meta, path = line.split("\t", 1)
            blob = meta.split()[3]
            if path.endswith(".md") and set(blob) != {"0"}:  # a deletion has an all-zero blob
                changes.append((committed, blob, path))
    texts = _blobs(Path(top), sorted({blob for _, blob, _ in changes}))
    history: dict[str, list[_Version]] = {}
    for committed, blob, path in changes:
        source, problems = parse_source(texts.get(blob, ""), path)
        if source is None:
            continue  # a version that never built has nothing subscribers saw
        uid = uid_of(Path(path).stem, source.fields)
        history.setdefault(uid, []).append(_Version(committed, uid, schedule_of(source.fields)))
    return history


def _git(where: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True,
                          check=True, encoding="utf-8", errors="replace").stdout


def _blobs(top: Path, blobs: list[str]) -> dict[str, str]:
    """The text of many blobs from one `git cat-file --batch`."""
    if not blobs:
        return {}
    result = subprocess.run(["git", "-C", str(top), "cat-file", "--batch"],
                            input="\n".join(blobs).encode() + b"\n", capture_output=True, check=True)
    data, position, texts = result.stdout, 0, {}
    for blob in blobs:
        header_end = data.index(b"\n", position)
        header = data[position:header_end].split()
        if len(header) < 3:  # "<blob> missing"
            position = header_end + 1
            continue
        size = int(header[2])
        body = data[header_end + 1: header_end + 1 + size]
        texts[blob] = body.decode("utf-8", errors="replace")
        position = header_end + 1 + size + 1
    return texts
