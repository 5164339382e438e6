"""What people subscribed to the calendar will see change: ``make diff``.

Compares the events at a base revision (by default the merge base with main) with the events in
the working tree, by uid, and writes Markdown to paste into a pull request: events added,
removed, moved in time or place, cancelled or otherwise changed. A uid that disappears or
changes is an error: subscribers' calendars know events only by uid, so they would keep a ghost
of the old event and get a duplicate. SEQUENCE needs no editor's action: the build counts the
commits that changed an event's time, place or status, so every change listed here reaches
subscribers' calendars as an update.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from .check import read_site_settings
from .dates import last_day
from .loading import Content, load_content, shown_path
from .model import Event
from .problems import Problem
from .schedule import occurrences, window_end
from .settings import events_setting, site_timezone, today_for
from .wording import occurrence_pieces, pieces_text


@dataclass
class Changes:
    added: list[Event] = field(default_factory=list)
    removed: list[Event] = field(default_factory=list)
    dropped: list[Event] = field(default_factory=list)  # long past: out of every feed already
    moved: list[tuple[Event, Event]] = field(default_factory=list)
    relocated: list[tuple[Event, Event]] = field(default_factory=list)
    status: list[tuple[Event, Event]] = field(default_factory=list)
    retitled: list[tuple[Event, Event]] = field(default_factory=list)
    uid_changed: list[tuple[Event, Event]] = field(default_factory=list)
    # Where a removed event's file was, as a path in the working tree.
    removed_paths: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return len(self.removed) + len(self.uid_changed)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


def _schedule(event: Event) -> tuple:
    return (event.start, event.end, event.timezone,
            event.repeat.published if event.repeat else None, event.except_dates)


def _place(event: Event) -> tuple:
    return (event.location, event.online)


def compare(base: list[Event], head: list[Event], base_root: Path, head_root: Path,
            today: date, past_days: int) -> Changes:
    """The changes subscribers will see, going from ``base`` to ``head``."""
    changes = Changes()
    base_by_uid = {event.uid: event for event in base}
    head_by_uid = {event.uid: event for event in head}
    head_by_path = {_relative(event, head_root): event for event in head}
    cutoff = today - timedelta(days=past_days)
    for event in base:
        if event.uid in head_by_uid:
            continue
        same_file = head_by_path.get(_relative(event, base_root))
        if same_file is not None and same_file.uid not in base_by_uid:
            changes.uid_changed.append((event, same_file))
        elif last_day(event.start, event.end, ZoneInfo(event.timezone)) < cutoff and not event.is_repeating:
            changes.dropped.append(event)
        else:
            changes.removed.append(event)
            changes.removed_paths[event.uid] = shown_path(head_root / _relative(event, base_root))
    renamed_to = {new.uid for _, new in changes.uid_changed}
    for event in head:
        old = base_by_uid.get(event.uid)
        if old is None:
            if event.uid not in renamed_to:
                changes.added.append(event)
            continue
        if _schedule(old) != _schedule(event):
            changes.moved.append((old, event))
        if _place(old) != _place(event):
            changes.relocated.append((old, event))
        if old.status != event.status:
            changes.status.append((old, event))
        if old.title != event.title:
            changes.retitled.append((old, event))
    return changes


def _relative(event: Event, root: Path) -> str:
    try:
        return Path(event.source_path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return event.source_path


class Describer:
    """Events in words, as the site shows them."""

    def __init__(self, settings: Mapping[str, Any], today: date):
        self.zone = site_timezone(settings)
        self.today = today
        self.until = window_end(today, events_setting(settings, "EVENTS_REPEAT_WINDOW_DAYS"))
        self.limit = events_setting(settings, "EVENTS_MAX_OCCURRENCES")

    def when(self, event: Event) -> str:
        found = occurrences(event, self.today, self.until, self.limit, self.zone)
        coming = [o for o in found if not o.is_past] or found
        text = pieces_text(occurrence_pieces(coming[0], self.zone))
        return f"{text}, and {len(coming) - 1} more dates" if len(coming) > 1 else text

    @staticmethod
    def where(event: Event) -> str:
        parts = []
        if event.location:
            parts.append(", ".join(p for p in (event.location.name, event.location.postcode) if p))
        if event.online:
            parts.append(f"online ({event.online})")
        return " and ".join(parts) or "no place given"


def to_markdown(changes: Changes, base_label: str, words: Describer) -> str:
    lines = ["## What subscribers will see", "",
             f"Compared with {base_label}. Calendars that subscribe to the calendar or a series "
             "update by themselves: this is what they will show differently.", ""]
    if changes.empty:
        return "\n".join(lines + ["No changes that subscribers will see.", ""])

    def section(title: str, items: list[str]) -> None:
        if items:
            lines.extend([f"### {title} ({len(items)})", "", *items, ""])

    section("Errors: fix these before merging", [
        f"- **{new.title}** (`{new.source_path}`): the uid changed from `{old.uid}` to "
        f"`{new.uid}`. Subscribers would keep the old event and get a second copy. "
        f"Put back `uid: {old.uid}`." for old, new in changes.uid_changed] + [
        f"- **{event.title}** (`{changes.removed_paths[event.uid]}`, uid `{event.uid}`) was "
        "removed. "
        "Subscribers' calendars would keep it as a ghost. To call it off, keep the file and "
        "set `status: cancelled`." for event in changes.removed])
    section("Added", [f"- **{e.title}**: {words.when(e)}; {words.where(e)}"
                      for e in changes.added])
    section("Cancelled, postponed or rescheduled", [
        f"- **{new.title}**: {old.status} → **{new.status}**" for old, new in changes.status])
    section("Moved in time", [
        f"- **{new.title}**: {words.when(old)} → **{words.when(new)}**"
        for old, new in changes.moved])
    section("Moved in place", [
        f"- **{new.title}**: {words.where(old)} → **{words.where(new)}**"
        for old, new in changes.relocated])
    section("Renamed", [f"- **{old.title}** → **{new.title}**" for old, new in changes.retitled])
    section("Dropped from the archive", [
        f"- **{e.title}** ended more than a year ago and was already out of every feed."
        for e in changes.dropped])
    return "\n".join(lines)


def problems_of(changes: Changes) -> list[Problem]:
    """The errors of a change, as check findings."""
    found = [Problem(new.source_path, 1, "uid", f"changed from {old.uid!r} to {new.uid!r}: "
                     "subscribers would get the event twice", f"put back uid: {old.uid}")
             for old, new in changes.uid_changed]
    found += [Problem(changes.removed_paths[event.uid], 1, "file",
                      f"was removed (uid {event.uid!r}): "
                      "subscribers' calendars would keep it",
                      "restore the file and set status: cancelled instead")
              for event in changes.removed]
    return found


# --- git ---------------------------------------------------------------------------------

def default_base(repo: Path) -> str | None:
    """The merge base with main (or origin/main), or None outside git."""
    for branch in ("main", "origin/main"):
        result = subprocess.run(["git", "-C", str(repo), "merge-base", "HEAD", branch],
                                capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.strip()
    return None


def content_at(revision: str, content_dir: Path, into: Path) -> Path | None:
    """Extract the content folder as it was at ``revision`` into ``into``; None if it did not exist."""
    top = subprocess.run(["git", "-C", str(content_dir), "rev-parse", "--show-toplevel"],
                         capture_output=True, text=True, check=True).stdout.strip()
    relative = content_dir.resolve().relative_to(Path(top).resolve()).as_posix()
    archive = subprocess.run(["git", "-C", top, "archive", "--format=tar", revision, "--",
                              relative], capture_output=True)
    if archive.returncode != 0:
        return None
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into / relative


@dataclass
class DiffResult:
    changes: Changes
    base_label: str


def diff_against(base: str | None, content_dir: Path, settings: Mapping[str, Any],
                 today: date, head: Content | None = None) -> DiffResult | None:
    """Compare the working tree's content with ``base`` (default: the merge base with main).

    ``head`` is the working tree's content if the caller has already read it (make check has).
    """
    base = base or default_base(content_dir)
    if base is None:
        return None
    head = head or load_content(content_dir, settings, today)
    with tempfile.TemporaryDirectory() as folder:
        old_dir = content_at(base, content_dir, Path(folder))
        old_events = load_content(old_dir, settings, today).events if old_dir else []
        changes = compare(old_events, head.events, old_dir or Path(folder), content_dir, today,
                          events_setting(settings, "EVENTS_FEED_PAST_DAYS"))
    short = subprocess.run(["git", "-C", str(content_dir), "rev-parse", "--short", base],
                           capture_output=True, text=True).stdout.strip()
    named = short and not base.startswith(short)
    return DiffResult(changes, f"`{base}` ({short})" if named else f"`{short or base}`")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make diff", description=__doc__.splitlines()[0])
    parser.add_argument("content", nargs="?", default="content", type=Path)
    parser.add_argument("--base", help="a git revision (default: the merge base with main)")
    parser.add_argument("-s", "--settings", default="pelicanconf.py", type=Path)
    args = parser.parse_args(argv)
    settings = read_site_settings(args.settings)
    today = today_for(settings)
    result = diff_against(args.base, args.content, settings, today)
    if result is None:
        sys.stderr.write("make diff: no base to compare with (not a git checkout, or no main "
                         "branch): give one with BASE=<revision>\n")
        return 2
    sys.stdout.write(to_markdown(result.changes, result.base_label, Describer(settings, today)))
    return 1 if result.changes.errors else 0


if __name__ == "__main__":
    sys.exit(main())
