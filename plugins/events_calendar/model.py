"""The typed event model: what an event, a series and one occurrence of an event are.

Everything after loading (pages, feeds, structured data) reads these objects, never raw front
matter. They are immutable so that no view can change what another view sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from functools import cached_property

from . import markdown_body, schema
from .access_features import AccessFeature

STATUSES = schema.allowed_values("event", "status")

# A date for an all-day event, or a time zone-aware date and time.
When = date | datetime


@dataclass(frozen=True)
class RepeatRule:
    """A checked repeat rule: the RRULE to publish, and one to expand in local wall time."""

    published: str  # RFC 5545 form: UNTIL in UTC for timed events, a DATE for all-day ones
    local: str  # UNTIL as a local wall time, for expanding from a start without a time zone


@dataclass(frozen=True)
class Location:
    name: str
    address: str = ""
    postcode: str = ""
    url: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def one_line(self) -> str:
        """'Thameside Library, 1 High Street, TS1 4AB': for calendars, feeds and map links."""
        return ", ".join(part for part in (self.name, self.address, self.postcode) if part)


@dataclass(frozen=True)
class Organiser:
    name: str
    url: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Series:
    """An awareness month or programme that events belong to."""

    slug: str
    title: str
    summary: str
    body_html: str
    source_path: str
    start: date | None = None
    end: date | None = None  # the last day, inclusive

    @property
    def url(self) -> str:
        return f"series/{self.slug}/"

    def state_on(self, today: date) -> str:
        """Say whether the series period is 'current', 'coming', 'past' or 'ongoing' (no period)."""
        if self.start is None:
            return "ongoing"
        if today < self.start:
            return "coming"
        if self.end is not None and today > self.end:
            return "past"
        if self.end is None and today > self.start:
            return "past"
        return "current"


@dataclass(frozen=True)
class Event:
    """One event file, converted and checked."""

    uid: str
    slug: str
    source_path: str
    title: str
    start: When
    end: When | None  # for all-day events the last day, inclusive, as editors write it
    timezone: str
    summary: str = ""
    body: str = ""  # the Markdown below the front matter, as written
    series: tuple[Series, ...] = ()
    tags: tuple[str, ...] = ()
    location: Location | None = None
    online: str | None = None
    access_features: tuple[AccessFeature, ...] = ()
    accessibility_notes: str = ""
    cost: str = ""
    booking: str | None = None
    organiser: Organiser | None = None
    image: str | None = None
    image_alt: str = ""
    status: str = "scheduled"
    repeat: RepeatRule | None = None
    except_dates: tuple[date, ...] = ()
    draft: bool = False

    @property
    def url(self) -> str:
        return f"events/{self.slug}/"

    @cached_property
    def body_html(self) -> str:
        """The description as sanitised HTML, made when first needed (``make check`` never
        needs it, and it is the slowest part of reading an event)."""
        return markdown_body.render(self.body)

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def is_repeating(self) -> bool:
        return self.repeat is not None

    @property
    def status_label(self) -> str:
        return "" if self.status == "scheduled" else self.status.capitalize()

    @property
    def place_text(self) -> str:
        """Where, on one line: the venue, or the online address for an online-only event."""
        return self.location.one_line if self.location else (self.online or "")

    @property
    def is_free(self) -> bool:
        """Whether the cost says the event is free ("Free", "Free, booking needed")."""
        return self.cost.strip().lower().startswith("free")

    @property
    def attendance(self) -> str:
        if self.online and self.location:
            return "online and in person"
        return "online" if self.online else "in person"

    @property
    def duration(self) -> timedelta | None:
        """How long each occurrence lasts (whole days for all-day events), if it has an end.

        The exact elapsed time, as RFC 5545 3.8.5.3 gives every repeat: Python subtracts two
        times in one zone by their clock faces, which is an hour out across a clock change.
        """
        if self.end is None:
            return None
        if isinstance(self.start, datetime):
            return self.end.astimezone(timezone.utc) - self.start.astimezone(timezone.utc)
        return self.end - self.start


@dataclass(frozen=True)
class Occurrence:
    """One date of an event: the only one for most events, one of many for repeating ones."""

    event: Event
    start: When
    end: When | None
    first_day: date  # in the site's time zone, for grouping by day and month
    last_day: date
    is_past: bool
    is_happening: bool

    @property
    def all_day(self) -> bool:
        return self.event.all_day

    def sort_key(self) -> tuple:
        """Order by day, all-day events first, then by time, then by title and uid.

        The title and uid make the order total, so a build never depends on file order.
        """
        instant = self.start.timestamp() if isinstance(self.start, datetime) else 0
        return (self.first_day, not self.all_day, instant, self.event.title.casefold(),
                self.event.uid)
