"""The search page's document of events: what its filters and its list of results read.

Made for the search page only (theme/static/js/search.js), never an interface for partners:
they have the JSON feed (json_feed.py), which carries every field and every description and so
is far too large for a phone to download before it can filter. This holds only what the page
uses, with addresses relative to the site, so the same file serves a local build and the live
site. Documented in docs/feeds-and-metadata.md.
"""

from __future__ import annotations

import json
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo

from .model import Event, Occurrence
from .views import Tag
from .wording import occurrence_pieces, pieces_text

# Where the search page finds it (search.html's data-events-url), beside the page itself.
PATH = "search/events.json"


def search_record(event: Event, occurrences: Sequence[Occurrence], site_zone: ZoneInfo) -> dict:
    """What the search page filters an event by and shows of it."""
    return {
        "url": event.url,
        "title": event.title,
        "summary": event.summary,
        "status": event.status,
        "series": [series.slug for series in event.series],
        # By slug, as the tag pages group them: "LGBT+" and "lgbt+" are one topic, one page.
        "tags": list(dict.fromkeys(Tag(name).slug for name in event.tags)),
        "free": event.is_free,
        "online": bool(event.online),
        # The venue's name, for the results; null for an event only online.
        "venue": event.location.name if event.location else None,
        "access": [feature.slug for feature in event.access_features],
        # Days in the site's time zone, as the site lists them (an end at midnight ends the
        # day before), and the date and time in words as the site shows them.
        "occurrences": [{"first_day": o.first_day.isoformat(), "last_day": o.last_day.isoformat(),
                         "when": pieces_text(occurrence_pieces(o, site_zone))}
                        for o in occurrences],
    }


def search_document(events: Sequence[Event], occurrences: Mapping[str, Sequence[Occurrence]],
                    site_zone: ZoneInfo) -> bytes:
    """Every published event, by first date (then uid), as the search page reads them."""
    ordered = sorted(events, key=lambda e: (occurrences[e.uid][0].sort_key(), e.uid))
    document = {"events": [search_record(e, occurrences[e.uid], site_zone) for e in ordered]}
    # Written by Python's fast (C) encoder, which needs no indentation; with no spaces either.
    return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
