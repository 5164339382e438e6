"""Dates and times in words, as GOV.UK writes them: "Thursday 1 October 2026, 6:30pm to 8:30pm".

Each phrase is built as pieces, some carrying the machine-readable value for a ``<time>``
element, so the words and the markup can never disagree.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from .model import Occurrence, Series

# (text, value for <time datetime>, or None for joining words)
Piece = tuple[str, str | None]


def date_words(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date_words(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def time_words(moment: datetime) -> str:
    """6:30pm, 6pm, midday or midnight (GOV.UK style: no ':00', no '12pm' ambiguity)."""
    if moment.hour == 0 and moment.minute == 0:
        return "midnight"
    if moment.hour == 12 and moment.minute == 0:
        return "midday"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def zone_words(zone: ZoneInfo) -> str:
    """'New York time' for America/New_York."""
    return zone.key.rsplit("/", 1)[-1].replace("_", " ") + " time"


def machine_value(value: date | datetime) -> str:
    """The value of a ``<time datetime>`` attribute: a date, or a date and time with offset."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat()


def occurrence_pieces(occurrence: Occurrence, site_zone: ZoneInfo) -> list[Piece]:
    """The pieces of an occurrence's date and time, in the site's time zone."""
    start, end = occurrence.start, occurrence.end
    if not isinstance(start, datetime):
        pieces: list[Piece] = [(date_words(start), machine_value(start))]
        if end is not None and end != start:
            pieces += [(" to ", None), (date_words(end), machine_value(end))]
        return pieces
    pieces = _timed_pieces(start.astimezone(site_zone),
                           end.astimezone(site_zone) if end is not None else None)
    event_zone = ZoneInfo(occurrence.event.timezone)
    if event_zone.key != site_zone.key:
        local = _timed_pieces(start.astimezone(event_zone),
                              end.astimezone(event_zone) if end is not None else None,
                              with_date=start.astimezone(event_zone).date()
                              != start.astimezone(site_zone).date())
        pieces += [(" (", None), *[(text, None) for text, _ in local],
                   (f" {zone_words(event_zone)})", None)]
    return pieces


def _timed_pieces(start: datetime, end: datetime | None, with_date: bool = True) -> list[Piece]:
    first = f"{date_words(start.date())}, {time_words(start)}" if with_date else time_words(start)
    pieces: list[Piece] = [(first, machine_value(start))]
    if end is None:
        return pieces
    if end.date() == start.date() or (end.time() == datetime.min.time()
                                      and (end - start).days < 1):
        last = time_words(end)
    else:
        last = f"{date_words(end.date())}, {time_words(end)}"
    return pieces + [(" to ", None), (last, machine_value(end))]


def short_when_text(occurrence: Occurrence, site_zone: ZoneInfo) -> str:
    """'Thu 1 Oct 2026, 6:30pm' or 'Thu 1 Oct 2026' for all-day events: to lead a feed title."""
    start = occurrence.start
    if not isinstance(start, datetime):
        return short_date_words(start)
    local = start.astimezone(site_zone)
    return f"{short_date_words(local.date())}, {time_words(local)}"


def pieces_text(pieces: list[Piece]) -> str:
    return "".join(text for text, _ in pieces)


def pieces_html(pieces: list[Piece]) -> Markup:
    return Markup("").join(
        Markup('<time datetime="{}">{}</time>').format(value, text) if value else escape(text)
        for text, value in pieces
    )


def series_period_pieces(series: Series) -> list[Piece]:
    if series.start is None:
        return []
    pieces: list[Piece] = [(date_words(series.start), machine_value(series.start))]
    if series.end is not None and series.end != series.start:
        pieces += [(" to ", None), (date_words(series.end), machine_value(series.end))]
    return pieces


def template_filters(site_zone: ZoneInfo) -> dict:
    """The Jinja filters the theme uses to show dates."""
    # An occurrence is shown on many pages (its month, series, access and topic lists...):
    # its words, and their markup, are made once per build.
    made: dict[tuple, list[Piece]] = {}
    made_html: dict[tuple, Markup] = {}

    def pieces(occurrence: Occurrence) -> list[Piece]:
        key = (occurrence.event.uid, occurrence.start)
        if key not in made:
            made[key] = occurrence_pieces(occurrence, site_zone)
        return made[key]

    def when_html(occurrence: Occurrence) -> Markup:
        key = (occurrence.event.uid, occurrence.start)
        if key not in made_html:
            made_html[key] = pieces_html(pieces(occurrence))
        return made_html[key]

    return {
        "when_html": when_html,
        "when_text": lambda occurrence: pieces_text(pieces(occurrence)),
        "date_html": lambda day: pieces_html([(date_words(day), machine_value(day))]),
        "date_words": date_words,
        "short_date_words": short_date_words,
        "period_html": lambda series: pieces_html(series_period_pieces(series)),
    }
