"""iCalendar (RFC 5545) feeds and single-event files, written with the icalendar library.

A pure function from events to bytes: no Pelican, no clock. Every value that icalendar would
otherwise invent (a random UID, DTSTAMP from the clock) is passed in explicitly, so the same
events give the same bytes. The choices below are the ones that Outlook, Google Calendar and
Apple Calendar get right; each says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

import icalendar

from .model import Event
from .build_cache import cached_map
from .revisions import Revision
from .schedule import occurrence_starts

PRODID = "-//Thameside Council//Equality and inclusion calendar//EN"
# Clients poll on their own schedule; this is a hint for those that honour it (Apple, Outlook).
REFRESH_INTERVAL = timedelta(hours=12)
ICAL_STATUS = {"scheduled": "CONFIRMED", "rescheduled": "CONFIRMED", "postponed": "TENTATIVE",
               "cancelled": "CANCELLED"}


@dataclass(frozen=True)
class FeedInfo:
    name: str
    description: str


class CalendarFiles:
    """Every calendar file of a build.

    An event is in the whole calendar, its series' feeds and its own file, and thousands of
    events share a few time zones, so each VEVENT and each VTIMEZONE is serialised by
    icalendar once and its lines are reused in every file that holds it.
    """

    def __init__(self, site_url: str, revisions: Mapping[str, Revision]):
        self.site_url = site_url
        self.revisions = revisions
        self._events: dict[str, bytes] = {}
        self._zones: dict[tuple[str, int, int], bytes] = {}
        self._event_file_head: bytes | None = None

    def prepare(self, events: list[Event], map_function=map, cache=None,
                digests: Mapping[str, str] | None = None) -> None:
        """Serialise every event now: from ``cache`` (a BuildCache, with each event's digest)
        where it has them, the rest with ``map_function`` (which may use every core)."""
        missing = [event for event in events if event.uid not in self._events]
        if cache is None or digests is None:
            made = list(map_function(self._serialise, missing))
        else:
            keys = [cache.key("vevent", digests[event.uid], self.site_url,
                              self.revisions[event.uid].modified.isoformat(),
                              str(self.revisions[event.uid].sequence)) for event in missing]
            made = cached_map(cache, "vevent", missing, keys, self._serialise, map_function)
        for event, data in zip(missing, made):
            self._events[event.uid] = data

    def _serialise(self, event: Event) -> bytes:
        return _vevent(event, self.site_url, self.revisions[event.uid]).to_ical()

    def feed(self, events: Iterable[Event], feed: FeedInfo) -> bytes:
        """A subscription feed: a named calendar of the given events."""
        calendar = _calendar()
        # RFC 7986 NAME and DESCRIPTION, and the X-WR- forms that Outlook and Google still
        # read. icalendar knows no type for X- properties, so each is given its type here
        # (TEXT values must be escaped; X-PUBLISHED-TTL is a DURATION).
        calendar.add("name", feed.name)
        calendar.add("x-wr-calname", icalendar.vText(feed.name))
        calendar.add("description", feed.description)
        calendar.add("x-wr-caldesc", icalendar.vText(feed.description))
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
        return self._assemble(calendar.to_ical(), sorted(events, key=lambda event: event.uid))

    def event_file(self, event: Event) -> bytes:
        """A single event to add to a calendar ("Add to calendar").

        It has no calendar name: Outlook would otherwise offer to make a new calendar of it.
        """
        if self._event_file_head is None:  # the same for every event: made once
            self._event_file_head = _calendar().to_ical()
        return self._assemble(self._event_file_head, [event])

    def _assemble(self, head: bytes, events: list[Event]) -> bytes:
        # The calendar's own lines (from icalendar), then its components' lines (each a
        # complete BEGIN...END block from icalendar), before its closing line.
        closing = b"END:VCALENDAR\r\n"
        assert head.endswith(closing)
        parts = [head[: -len(closing)], *self._timezones(events)]
        parts += [self._event(event) for event in events]
        parts.append(closing)
        return b"".join(parts)

    def _event(self, event: Event) -> bytes:
        if event.uid not in self._events:
            self._events[event.uid] = self._serialise(event)
        return self._events[event.uid]

    def _timezones(self, events: list[Event]) -> list[bytes]:
        """A VTIMEZONE for every TZID used, covering every occurrence (RFC 5545 3.6.5).

        Each covers whole years, so that events of the same years share one. They are made
        one by one in TZID order: the library's own helper adds them in set order, which
        changes from run to run and would break byte-identical builds.
        """
        timed = [event for event in events if not event.all_day]
        if not timed:
            return []
        first = (min(event.start.date() for event in timed) - timedelta(days=1)).year
        last = (max(_last_start(event) for event in timed) + timedelta(days=2)).year
        found = []
        for zone in sorted({event.timezone for event in timed}):
            key = (zone, first, last)
            if key not in self._zones:
                self._zones[key] = icalendar.Timezone.from_tzinfo(
                    ZoneInfo(zone), zone, first_date=date(first, 1, 1),
                    last_date=date(last, 12, 31)).to_ical()
            found.append(self._zones[key])
        return found


def calendar_feed(events: Iterable[Event], feed: FeedInfo, site_url: str,
                  revisions: Mapping[str, Revision]) -> bytes:
    """A subscription feed of the given events (see CalendarFiles.feed)."""
    return CalendarFiles(site_url, revisions).feed(events, feed)


def event_file(event: Event, site_url: str, revision: Revision) -> bytes:
    """One event's own calendar file (see CalendarFiles.event_file)."""
    return CalendarFiles(site_url, {event.uid: revision}).event_file(event)


def _calendar() -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    return calendar


def _vevent(event: Event, site_url: str, revision: Revision) -> icalendar.Event:
    page = f"{site_url}/{event.url}"
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    # DTSTAMP is when this version of the event was made: the last change, never "now".
    vevent.add("dtstamp", revision.modified)
    vevent.add("last-modified", revision.modified)
    vevent.add("sequence", revision.sequence)
    label = f"{event.status_label}: " if event.status_label else ""
    vevent.add("summary", f"{label}{event.title}")
    vevent.add("status", ICAL_STATUS[event.status])
    if event.all_day:
        # All-day events end on the day AFTER their last day (RFC 5545 3.6.1): 1 to 31 October
        # is DTEND 1 November. Observances must not block anyone's free/busy time.
        vevent.add("dtstart", event.start)
        vevent.add("dtend", (event.end or event.start) + timedelta(days=1))
        vevent.add("transp", "TRANSPARENT")
    else:
        # Times stay in the event's own zone (with a VTIMEZONE), so repeats keep their local
        # time across the clock change.
        vevent.add("dtstart", event.start)
        if event.end is not None:
            vevent.add("dtend", event.end)
        vevent.add("transp", "OPAQUE")
    if event.repeat is not None:
        vevent.add("rrule", icalendar.vRecur.from_ical(event.repeat.published))
        if event.except_dates:
            vevent.add("exdate", [_exdate(event, day) for day in event.except_dates])
    location = event.place_text
    if location:
        vevent.add("location", location)
    if event.location and event.location.latitude is not None:
        vevent.add("geo", (event.location.latitude, event.location.longitude))
    vevent.add("url", page)
    vevent.add("description", description(event, page))
    categories = [series.title for series in event.series] + list(event.tags)
    if categories:
        vevent.add("categories", categories)
    if event.organiser and event.organiser.email:
        vevent.add("organizer", f"mailto:{event.organiser.email}",
                   parameters={"CN": event.organiser.name})
    vevent.add("class", "PUBLIC")
    return vevent


def _exdate(event: Event, day: date):
    # EXDATE must have DTSTART's value type (RFC 5545 3.8.5.1): a DATE for all-day events, the
    # start's local time in its zone for timed ones.
    if event.all_day:
        return day
    return datetime.combine(day, event.start.timetz().replace(tzinfo=None), tzinfo=event.start.tzinfo)


def description(event: Event, page: str) -> str:
    """The plain-text description: what a subscriber needs without opening the website."""
    lines = []
    if event.status_label:
        lines.append(f"This event has been {event.status}.")
    if event.summary:
        lines.append(event.summary)
    if event.location:
        lines.append(f"Where: {event.location.one_line}")
    if event.online:
        lines.append(f"Online: {event.online}")
    if event.access_features or event.accessibility_notes:
        access = "; ".join(feature.label for feature in event.access_features)
        lines.append("Access: " + "; ".join(part for part in (access, event.accessibility_notes)
                                             if part))
    if event.cost:
        lines.append(f"Cost: {event.cost}")
    if event.booking:
        lines.append(f"Booking: {event.booking}")
    if event.organiser:
        lines.append(f"Organiser: {event.organiser.name}")
    lines.append(f"Details: {page}")
    return "\n".join(lines)


def _last_start(event: Event) -> date:
    """The date of an event's last start; for an endless repeat, 50 years after it begins."""
    end = event.end.date() if event.end is not None else event.start.date()
    if event.repeat is None:
        return end
    rule = event.repeat.published
    if "COUNT=" not in rule and "UNTIL=" not in rule:
        return event.start.date().replace(year=event.start.year + 50)
    starts = occurrence_starts(event, date(9999, 1, 1), limit=100_000)
    return max(start.date() for start in starts) + (end - event.start.date())
