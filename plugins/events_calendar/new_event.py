"""Start a new event file: ``make new-event`` or ``python -m events_calendar.new_event``.

Takes the details as options, or asks for each one when run without --title. Every value is
checked as the build would check it before anything is written; the file gets a fresh uid (so
that it can be renamed later without duplicating the event in subscribers' calendars) and
every field, with the ones not used commented out and explained.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from datetime import date
from pathlib import Path
from typing import Callable, TextIO

from .access_features import VOCABULARY
from .check import read_site_settings
from .frontmatter import parse_source
from .loading import EventReader, load_content, slugify
from .settings import events_setting, today_for

# (field, option help / question, note written above it in the file)
FIELDS = [
    ("title", "Title", "The event's name."),
    ("start", "Start: 2027-03-05 for all day, or 2027-03-05 19:00",
     "2027-03-05 for an all-day event, or 2027-03-05 19:00 (London time unless timezone says)."),
    ("end", "End (optional): the same kind as start",
     "The same kind as start. For all-day events the LAST day (inclusive)."),
    ("timezone", "Time zone (optional, default Europe/London)",
     "Only for events set in another time zone, e.g. America/New_York."),
    ("summary", "Summary (optional): one or two sentences",
     "One or two sentences for lists, feeds and search results."),
    ("series", "Series (optional): slugs separated by commas",
     "A series from content/series/, or a list of them."),
    ("tags", "Tags (optional): words separated by commas", "A list of words."),
    ("location", "Venue (optional)",
     "A venue name, or a mapping with name, address, postcode and url."),
    ("online", "Online link (optional): https://...",
     "For online or hybrid events: the https address to join."),
    ("accessibility", "Access features (optional): terms separated by commas",
     "From the vocabulary in docs/event-format.md: " + ", ".join(VOCABULARY) + "."),
    ("accessibility_notes", "Access notes (optional)", "Anything else about access."),
    ("cost", "Cost (optional), e.g. Free", "Free, or the price in words."),
    ("booking", "Booking link (optional): https://...", "Where to book."),
    ("organiser", "Organiser (optional)", "A name, or a mapping with name, url and email."),
    ("image", None, "An https address or a path such as images/poster.jpg."),
    ("image_alt", None, "Required with image: what the image shows."),
    ("status", None, "scheduled (the default), cancelled, postponed or rescheduled. "
                     "Never delete an event: set status: cancelled."),
    ("repeat", None, "For repeating events, a rule such as FREQ=WEEKLY;COUNT=6."),
    ("except", None, "Dates the repeat leaves out, e.g. [2027-04-06]."),
]
LISTS = ("series", "tags", "accessibility")


def yaml_text(value: str) -> str:
    """A value quoted for YAML whenever it could be read as anything but itself."""
    plain = (value and ": " not in value and " #" not in value and not value.endswith(":")
             and value[0] not in "-?:,[]{}#&*!|>'\"%@`" and value.strip() == value)
    if plain:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def front_matter(values: dict[str, str], uid: str) -> str:
    lines = ["---",
             "# A new event. Every field is explained in docs/event-format.md.",
             "# Lines starting with # are notes: remove the # to use a field."]
    for name, _, note in FIELDS:
        lines.append(f"# {note}")
        value = values.get(name, "")
        if name in LISTS and value:
            items = [item.strip() for item in value.split(",") if item.strip()]
            lines.append(f"{name}: [{', '.join(yaml_text(item) for item in items)}]")
        elif value:
            lines.append(f"{name}: {yaml_text(value)}")
        else:
            lines.append(f"# {name}:")
    lines += ["# Never change the uid: subscribers' calendars know the event by it.",
              f"uid: {uid}", "---", "",
              "Describe the event here, in plain English. Say who it is for, what will happen",
              "and anything people need to know before they come.", ""]
    return "\n".join(lines)


def target_path(events_dir: Path, title: str, start: str) -> Path:
    year = start[:4] if start[:4].isdigit() else str(date.today().year)
    folder = events_dir / year
    slug = slugify(title)[:60].strip("-") or "event"
    path, number = folder / f"{slug}.md", 2
    while path.exists():
        path, number = folder / f"{slug}-{number}.md", number + 1
    return path


def problems_with(text: str, path: Path, content_dir: Path, settings, today) -> list[str]:
    """Check the new file as the build would, with the site's real series and uids."""
    content = load_content(content_dir, settings, today)
    source, problems = parse_source(text, str(path))
    if source is None:
        return [str(p) for p in problems]
    reader = EventReader(path, str(path), settings, content.series, today, content_dir)
    event = reader.read(source)
    found = [str(p) for p in reader.problems]
    if event is not None and any(e.uid == event.uid for e in content.events + content.drafts):
        found.append(f"{path}:1: uid: {event.uid!r} is already used (run again for a new one)")
    return found


def ask(values: dict[str, str], stdin: TextIO, stdout: TextIO,
        check: Callable[[dict[str, str]], list[str]]) -> dict[str, str]:
    """Ask for each field in turn, asking again for a field the check finds wrong."""
    stdout.write("New event. Press Enter to leave an optional field empty.\n")
    for name, question, _ in FIELDS:
        if question is None or values.get(name):
            continue
        while True:
            stdout.write(f"{question}: ")
            stdout.flush()
            answer = stdin.readline()
            if answer == "":  # end of input: stop asking
                return values
            values[name] = answer.strip()
            wrong = [line for line in check(values) if f": {name}: " in line]
            if not wrong:
                break
            stdout.write("\n".join(line.split(": ", 2)[-1] for line in wrong) + "\n")
            values[name] = ""
    return values


def main(argv: list[str] | None = None, stdin: TextIO = sys.stdin,
         stdout: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="make new-event", description=__doc__.splitlines()[0])
    for name, question, _ in FIELDS:
        if question:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, default="",
                                help=question)
    parser.add_argument("--content", default="content", type=Path)
    parser.add_argument("-s", "--settings", default="pelicanconf.py", type=Path)
    args = parser.parse_args(argv)
    settings = read_site_settings(args.settings)
    today = today_for(settings)
    events_dir = args.content / events_setting(settings, "EVENTS_PATH")
    values = {name: getattr(args, name, "") or "" for name, _, _ in FIELDS}

    def check(current: dict[str, str]) -> list[str]:
        draft = {"title": "Untitled", "start": today.isoformat(), **{
            k: v for k, v in current.items() if v}}
        path = target_path(events_dir, draft["title"], draft["start"])
        return problems_with(front_matter(draft, "new@example"), path, args.content, settings,
                             today)

    if not values["title"]:
        values = ask(values, stdin, stdout, check)
    path = target_path(events_dir, values.get("title", ""), values.get("start", ""))
    uid = f"{path.stem}-{secrets.token_hex(3)}@{events_setting(settings, 'EVENTS_UID_DOMAIN')}"
    text = front_matter(values, uid)
    problems = problems_with(text, path, args.content, settings, today)
    if problems:
        sys.stderr.write("\n".join(problems) + "\nNo file was written.\n")
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    stdout.write(f"Wrote {path}. Add the description, then run make check.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
