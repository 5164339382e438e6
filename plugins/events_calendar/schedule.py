"""When an event happens: its occurrences, and whether each is past, happening or to come."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from .dates import first_day, last_day, repeat_starts
from .model import Event, Occurrence, When


class TooManyDates(ValueError):
    """A repeat rule gives more dates than the calendar lists."""


def window_end(today: date, window_days: int) -> date:
    """The last day on which repeating events are listed."""
    return today + timedelta(days=window_days)


def occurrence_starts(event: Event, until: date, limit: int) -> list[When]:
    """Every start of an event up to ``until``, less its ``except`` dates.

    Raises TooManyDates when the rule gives more than ``limit`` dates.
    """
    if event.repeat is None:
        return [event.start]
    # An event that starts after the window is still listed on its first date.
    until = max(until, _day(event.start))
    starts, more = repeat_starts(event.repeat, event.start, until, limit)
    if more:
        raise TooManyDates(limit)
    skipped = set(event.except_dates)
    return [start for start in starts if _day(start) not in skipped]


def occurrences(event: Event, today: date, until: date, limit: int,
                site_zone: ZoneInfo) -> list[Occurrence]:
    """Every occurrence of an event to be listed, each knowing if it is past or happening."""
    duration = event.duration
    found = []
    for start in occurrence_starts(event, until, limit):
        end = _end(start, duration) if duration is not None else None
        first, last = first_day(start, site_zone), last_day(start, end, site_zone)
        found.append(Occurrence(event=event, start=start, end=end, first_day=first,
                                last_day=last, is_past=last < today,
                                is_happening=first <= today <= last))
    return found


def _end(start: When, duration: timedelta) -> When:
    if isinstance(start, datetime):
        return (start.astimezone(timezone.utc) + duration).astimezone(start.tzinfo)
    return start + duration


def _day(start: When) -> date:
    # An 'except' date names the day in the event's own time zone, as the editor sees it.
    return start.date() if isinstance(start, datetime) else start
