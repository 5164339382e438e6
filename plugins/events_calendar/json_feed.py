"""A JSON feed of every published event, for partner sites that show our events on their pages.

Documented in docs/feeds-and-metadata.md. Dates are ISO 8601: dates alone for all-day events, date-times
with their UTC offset otherwise. The order is explicit (by first date, then uid) and the output
byte-identical for the same events.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo

from .model import Event, Occurrence
from .revisions import Revision
from .wording import occurrence_pieces, pieces_text

FORMAT_VERSION = 1


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat()


def event_record(event: Event, occurrences: Sequence[Occurrence], site_url: str,
                 revision: Revision, site_zone: ZoneInfo) -> dict:
    """Every field of the event model, in a form any JSON reader can use."""
    location = event.location
    organiser = event.organiser
    return {
        "uid": event.uid,
        "url": f"{site_url}/{event.url}",
        "calendar_file": f"{site_url}/{event.url}{event.slug}.ics",
        "title": event.title,
        "summary": event.summary,
        "status": event.status,
        "all_day": event.all_day,
        "start": _iso(event.start),
        # For all-day events the last day, inclusive, as editors write it.
        "end": _iso(event.end),
        "timezone": event.timezone,
        "repeat": event.repeat.published if event.repeat else None,
        "except": [day.isoformat() for day in event.except_dates],
        # "when" is the date and time in words, as the site shows them (in London time).
        "occurrences": [{"start": _iso(o.start), "end": _iso(o.end),
                         "when": pieces_text(occurrence_pieces(o, site_zone))}
                        for o in occurrences],
        "series": [{"slug": s.slug, "title": s.title, "url": f"{site_url}/{s.url}"}
                   for s in event.series],
        "tags": list(event.tags),
        "attendance": event.attendance,
        "location": None if location is None else {
            "name": location.name, "address": location.address or None,
            "postcode": location.postcode or None, "url": location.url,
            "latitude": location.latitude, "longitude": location.longitude},
        "online": event.online,
        "accessibility": [{"term": f.slug, "label": f.label} for f in event.access_features],
        "accessibility_notes": event.accessibility_notes or None,
        "cost": event.cost or None,
        "booking": event.booking,
        "organiser": None if organiser is None else {
            "name": organiser.name, "url": organiser.url, "email": organiser.email},
        "image": event.image,
        "image_alt": event.image_alt or None,
        "description_html": event.body_html,
        "last_modified": _iso(revision.modified),
        "sequence": revision.sequence,
    }


def json_feed(events: Sequence[Event], occurrences: Mapping[str, Sequence[Occurrence]],
              site_url: str, revisions: Mapping[str, Revision], title: str,
              site_zone: ZoneInfo) -> bytes:
    ordered = sorted(events, key=lambda e: (occurrences[e.uid][0].sort_key(), e.uid))
    document = {
        "version": FORMAT_VERSION,
        "title": title,
        "home_page_url": f"{site_url}/",
        "feed_url": f"{site_url}/events.json",
        "events": [event_record(e, occurrences[e.uid], site_url, revisions[e.uid], site_zone)
                   for e in ordered],
    }
    # Not indented: Python's fast (C) encoder only writes JSON without indentation, and the
    # file is a third smaller. Browsers and JSON Feed readers do not mind.
    return (json.dumps(document, ensure_ascii=False) + "\n").encode("utf-8")
