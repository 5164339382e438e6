"""Links that add one event to Google Calendar or Outlook, and the feeds people subscribe to.

Google and Outlook have no standard for these links; the parameters below are the ones their
"add event" pages document or have long accepted. The .ics file is the standard way and works
in every client, so the event page always offers it first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone
from urllib.parse import urlencode

from .ical import description
from .model import Event, Occurrence


@dataclass(frozen=True)
class Feed:
    """A feed announced in page heads and linked from the pages that list its events."""

    title: str
    path: str  # inside the site, e.g. "calendar.ics" or "series/refugee-week/calendar.ics"
    site_url: str
    media_type: str = "text/calendar"

    @property
    def url(self) -> str:
        return f"{self.site_url}/{self.path}"

    @property
    def webcal_url(self) -> str:
        """The same address with the webcal: scheme, which opens the subscribe dialogue."""
        return "webcal:" + self.url.split(":", 1)[1]


@dataclass(frozen=True)
class FeedSet:
    """The calendar, RSS and Atom feeds of one list of events (the whole calendar or a series)."""

    title: str
    calendar: Feed
    rss: Feed
    atom: Feed

    @classmethod
    def under(cls, title: str, folder: str, site_url: str) -> "FeedSet":
        """The feeds of a page at ``folder`` ('' for the whole calendar, 'series/x/' for one)."""
        return cls(title,
                   Feed(f"{title} (calendar)", f"{folder}calendar.ics", site_url),
                   Feed(f"{title} (RSS)", f"{folder}upcoming.rss.xml", site_url,
                        "application/rss+xml"),
                   Feed(f"{title} (Atom)", f"{folder}upcoming.atom.xml", site_url,
                        "application/atom+xml"))

    @property
    def all(self) -> list[Feed]:
        return [self.calendar, self.rss, self.atom]


def google_calendar_url(event: Event, occurrence: Occurrence, page_url: str) -> str:
    start, end = _times(event, occurrence)
    if event.all_day:
        dates = f"{start:%Y%m%d}/{end:%Y%m%d}"
    else:
        dates = f"{start.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}/{end.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}"
    query = {"action": "TEMPLATE", "text": event.title, "dates": dates,
             "details": description(event, page_url), "location": event.place_text}
    if not event.all_day:
        query["ctz"] = event.timezone
    if event.repeat is not None:
        query["recur"] = f"RRULE:{event.repeat.published}"
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_urls(event: Event, occurrence: Occurrence, page_url: str) -> tuple[str, str]:
    """Outlook on the web: for work and school accounts (outlook.office.com), and for personal
    ones (outlook.live.com). The same query for both, encoded once."""
    start, end = _times(event, occurrence)
    query = urlencode({"path": "/calendar/action/compose", "rru": "addevent",
                       "subject": event.title, "startdt": start.isoformat(),
                       "enddt": end.isoformat(), "allday": "true" if event.all_day else "false",
                       "body": description(event, page_url), "location": event.place_text})
    return tuple(f"https://{host}/calendar/0/deeplink/compose?{query}"
                 for host in ("outlook.office.com", "outlook.live.com"))


def _times(event: Event, occurrence: Occurrence):
    if event.all_day:
        # Both services take an exclusive end date for all-day events, as iCalendar does.
        return occurrence.start, (occurrence.end or occurrence.start) + timedelta(days=1)
    start = occurrence.start
    # With no end given, offer an hour: both services need an end.
    end = occurrence.end or start + timedelta(hours=1)
    return start, end
