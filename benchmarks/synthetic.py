"""Synthetic but realistic event sets for the benchmark: series, repeating, all-day, cancelled
and multi-timezone events with Markdown bodies of realistic length. Seeded: the same size
always gives the same files."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

SERIES = ["black-history-month", "disability-history-month", "lgbt-history-month",
          "holocaust-memorial-day", "south-asian-heritage-month", "refugee-week",
          "interfaith-week", "community-coalition", "pride-month", "womens-history-month",
          "carers-week", "mental-health-awareness-week", "deaf-awareness-week",
          "gypsy-roma-traveller-history-month", "windrush-day", "black-history-season",
          "neurodiversity-celebration-week", "older-peoples-day", "trans-awareness-week",
          "volunteers-week"]
ACCESS = ["step-free", "accessible-toilet", "changing-places", "hearing-loop", "bsl",
          "captions", "audio-description", "large-print", "easy-read", "quiet-space",
          "relaxed", "seating", "blue-badge-parking", "assistance-dogs"]
TAGS = ["talk", "film", "music", "food", "family", "workshop", "exhibition", "young-people",
        "history", "art", "sport", "walk", "meeting", "dance", "books"]
VENUES = ["Thameside Central Library", "Old Pumphouse Arts Centre", "Riverside Community Centre",
          "Thameside Town Hall", "Eastwick Youth Hub", "The Granary Cinema", "Thameside Museum",
          "Marshgate Community Kitchen", "Wharfside Park", "Hollybrook Meeting House"]
WORDS = ("community history people stories celebrate local residents together welcome "
         "families music heritage learn share voices borough culture experiences young older "
         "neighbours partners creative evening afternoon talk film discussion archive memories "
         "campaign rights equality inclusion accessible free everyone join us").split()
ZONES = ["America/New_York", "Europe/Paris", "Asia/Kolkata", "Africa/Lagos"]


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def body(rng: random.Random) -> str:
    parts = [paragraph(rng, rng.randint(40, 90)) for _ in range(rng.randint(2, 4))]
    parts.insert(1, "## What to expect\n\n" + "\n".join(
        f"- {paragraph(rng, rng.randint(5, 12))}" for _ in range(3)))
    return "\n\n".join(parts) + "\n"


def write_event_set(content: Path, count: int, start: date = date(2026, 1, 1),
                    seed: int = 2026) -> None:
    rng = random.Random(seed + count)
    (content / "series").mkdir(parents=True, exist_ok=True)
    for slug in SERIES:
        (content / "series" / f"{slug}.md").write_text(
            f"---\ntitle: {slug.replace('-', ' ').title()}\nsummary: {paragraph(rng, 15)}\n---\n"
            f"{paragraph(rng, 60)}\n", encoding="utf-8")
    (content / "pages").mkdir(exist_ok=True)
    (content / "pages" / "about.md").write_text("Title: About\nSlug: about\n\nAbout.\n")
    (content / "pages" / "accessibility.md").write_text(
        "Title: Accessibility\nSlug: accessibility\n\nStatement.\n")
    span = 3 * 365  # events spread over three years around "today"
    for number in range(count):
        day = start + timedelta(days=rng.randrange(span))
        kind = rng.random()
        lines = [f"title: {paragraph(rng, rng.randint(3, 7))[:-1]}"]
        if kind < 0.10:  # all-day, some over several days
            lines.append(f"start: {day}")
            if rng.random() < 0.5:
                lines.append(f"end: {day + timedelta(days=rng.randint(1, 30))}")
        else:
            hour = rng.randint(9, 20)
            lines += [f"start: {day} {hour:02d}:{rng.choice(['00', '30'])}",
                      f"end: {day} {hour + rng.randint(1, 3):02d}:00"]
            if kind < 0.15:
                lines.append(f"timezone: {rng.choice(ZONES)}")
            elif kind < 0.20:
                lines += [f"repeat: FREQ=WEEKLY;INTERVAL={rng.randint(1, 6)};COUNT={rng.randint(3, 12)}"]
        lines.append(f"summary: {paragraph(rng, rng.randint(12, 30))}")
        lines.append(f"series: [{', '.join(rng.sample(SERIES, rng.randint(0, 2)))}]")
        lines.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(0, 3)))}]")
        if rng.random() < 0.85:
            lines += ["location:", f"  name: {rng.choice(VENUES)}",
                      f"  address: {rng.randint(1, 200)} High Street, Thameside",
                      f"  postcode: TS{rng.randint(1, 9)} {rng.randint(1, 9)}AB"]
        if rng.random() < 0.3:
            lines.append(f"online: https://meet.thameside.example/{number}")
        lines.append(f"accessibility: [{', '.join(rng.sample(ACCESS, rng.randint(0, 5)))}]")
        lines.append(f"cost: {'Free' if rng.random() < 0.7 else '£5, concessions £3'}")
        if rng.random() < 0.03:
            lines.append("status: cancelled")
        lines.append(f"uid: event-{number}@bench.thameside.example")
        folder = content / "events" / str(day.year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"event-{number:05d}.md").write_text(
            "---\n" + "\n".join(lines) + "\n---\n" + body(rng), encoding="utf-8")


def write_plain_articles(content: Path, count: int, seed: int = 2026) -> None:
    """The same number of plain Pelican articles, with bodies of the same length: the baseline."""
    rng = random.Random(seed + count)
    content.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        (content / f"article-{number:05d}.md").write_text(
            f"Title: {paragraph(rng, rng.randint(3, 7))[:-1]}\nDate: {day}\nSlug: article-{number:05d}\n"
            f"Category: {rng.choice(SERIES)}\nTags: {', '.join(rng.sample(TAGS, 2))}\n"
            f"Summary: {paragraph(rng, 20)}\n\n{body(rng)}", encoding="utf-8")
