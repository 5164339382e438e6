"""What each browsing page shows: pure functions from events and today to template contexts.

Nothing here knows about Pelican; the generator passes each context to a template.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby
from typing import Iterable
from zoneinfo import ZoneInfo

from .access_features import VOCABULARY
from .loading import slugify
from .model import Event, Occurrence, Series
from .schedule import occurrences, window_end

WEEKDAY_NAMES = list(calendar.day_name)  # Monday first, as UK calendars are


@dataclass(frozen=True)
class Month:
    first_day: date

    @property
    def label(self) -> str:
        return f"{self.first_day:%B %Y}"

    @property
    def url(self) -> str:
        return f"months/{self.first_day:%Y-%m}/"

    @property
    def last_day(self) -> date:
        return self.first_day.replace(
            day=calendar.monthrange(self.first_day.year, self.first_day.month)[1])

    def following(self) -> Month:
        year, month = divmod(self.first_day.month, 12)
        return Month(date(self.first_day.year + year, month + 1, 1))


@dataclass(frozen=True)
class Tag:
    name: str

    @property
    def slug(self) -> str:
        return slugify(self.name) or "tag"

    @property
    def url(self) -> str:
        return f"tags/{self.slug}/"


@dataclass(frozen=True)
class MonthGroup:
    month: Month
    occurrences: tuple[Occurrence, ...]


@dataclass(frozen=True)
class Day:
    date: date | None
    occurrences: tuple[Occurrence, ...]
    is_today: bool


def month_of(day: date) -> Month:
    return Month(day.replace(day=1))


class CalendarViews:
    """Every occurrence of every published event, and the pages that list them."""

    def __init__(self, events: Iterable[Event], series: Iterable[Series], today: date,
                 site_zone: ZoneInfo, window_days: int, max_occurrences: int,
                 home_coming_up: int = 10):
        self.today = today
        self.events = sorted(events, key=lambda event: (event.slug, event.uid))
        self.series = sorted(series, key=lambda item: (item.start or date.max, item.title))
        self.home_coming_up = home_coming_up
        until = window_end(today, window_days)
        self.by_event = {
            event.uid: occurrences(event, today, until, max_occurrences, site_zone)
            for event in self.events
        }
        self.occurrences = sorted(
            (occurrence for found in self.by_event.values() for occurrence in found),
            key=Occurrence.sort_key)
        self.upcoming = [o for o in self.occurrences if not o.is_past]
        self.past = [o for o in self.occurrences if o.is_past]
        # Each series' events, found once (by slug: comparing whole Series objects for
        # every event and every series was a measurable part of a large build).
        self._in_series: dict[str, list[Event]] = {item.slug: [] for item in self.series}
        for event in self.events:
            for item in event.series:
                self._in_series.setdefault(item.slug, []).append(event)
        self._access_pages: list[dict] | None = None

    # --- lists -------------------------------------------------------------------------

    def home(self) -> dict:
        happening = [o for o in self.upcoming if o.is_happening]
        coming = [o for o in self.upcoming if not o.is_happening][: self.home_coming_up]
        return {"happening_now": happening, "coming_up": coming,
                "current_series": self._series_in("current"),
                "coming_series": self._series_in("coming"),
                "this_month": month_of(self.today)}

    def upcoming_page(self) -> dict:
        # An event already under way is listed in this month, not the month it started.
        return {"groups": _by_month(self.upcoming, lambda o: max(o.first_day, self.today))}

    def past_page(self) -> dict:
        newest_first = sorted(self.past, key=Occurrence.sort_key, reverse=True)
        return {"groups": _by_month(newest_first, lambda o: o.first_day)}

    # --- months ------------------------------------------------------------------------

    def months(self) -> list[Month]:
        """Every month from the first event to the last, and always the current one."""
        days = [self.today] + [d for o in self.occurrences for d in (o.first_day, o.last_day)]
        month, last = month_of(min(days)), month_of(max(days))
        found = []
        while month.first_day <= last.first_day:
            found.append(month)
            month = month.following()
        return found

    def month_pages(self) -> list[dict]:
        months = self.months()
        # Each occurrence is put in every month it touches, in one pass (in date order).
        by_month: dict[Month, list[Occurrence]] = {month: [] for month in months}
        for occurrence in self.occurrences:
            month = month_of(occurrence.first_day)
            while month.first_day <= occurrence.last_day:
                by_month[month].append(occurrence)
                month = month.following()
        pages = []
        for index, month in enumerate(months):
            in_month = by_month[month]
            pages.append({
                "month": month,
                "weeks": self._weeks(month, in_month),
                "weekday_names": WEEKDAY_NAMES,
                "occurrences": in_month,
                "previous_month": months[index - 1] if index > 0 else None,
                "next_month": months[index + 1] if index + 1 < len(months) else None,
            })
        return pages

    def _weeks(self, month: Month, in_month: list[Occurrence]) -> list[list[Day]]:
        # An event over several days is shown on its first day in this month, not on every
        # day: a month-long observance on 30 cells would drown the rest for screen reader users.
        by_day: dict[date, list[Occurrence]] = {}
        for occurrence in in_month:
            by_day.setdefault(max(occurrence.first_day, month.first_day), []).append(occurrence)
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(
                month.first_day.year, month.first_day.month):
            weeks.append([
                Day(date=day, occurrences=tuple(by_day.get(day, ())), is_today=day == self.today)
                if day.month == month.first_day.month else Day(None, (), False)
                for day in week
            ])
        return weeks

    # --- series and events -------------------------------------------------------------

    def _series_in(self, state: str) -> list[Series]:
        return [item for item in self.series if item.state_on(self.today) == state]

    def series_index(self) -> dict:
        return {f"{state}_series": self._series_in(state)
                for state in ("current", "coming", "past", "ongoing")}

    def series_pages(self) -> list[dict]:
        pages = []
        for item in self.series:
            members = {event.uid for event in self._in_series[item.slug]}
            mine = [o for o in self.occurrences if o.event.uid in members]
            pages.append({"series": item,
                          "upcoming": [o for o in mine if not o.is_past],
                          "past": sorted((o for o in mine if o.is_past), key=Occurrence.sort_key,
                                         reverse=True)})
        return pages

    def access_pages(self) -> list[dict]:
        """A page per access feature listing the upcoming events that have it."""
        if self._access_pages is None:  # the access index counts from the same lists
            self._access_pages = [
                {"feature": feature,
                 "upcoming": [o for o in self.upcoming if feature in o.event.access_features]}
                for feature in VOCABULARY.values()]
        return self._access_pages

    def access_index(self) -> dict:
        counts = {page["feature"].slug: len({o.event.uid for o in page["upcoming"]})
                  for page in self.access_pages()}
        return {"features": list(VOCABULARY.values()), "event_counts": counts}

    def next_occurrences(self, series: Series | None = None) -> list[Occurrence]:
        """Each upcoming event once, at its next date, soonest first: for RSS and Atom."""
        found = [next(o for o in self.by_event[event.uid] if not o.is_past)
                 for event in self._events_of(series)
                 if any(not o.is_past for o in self.by_event[event.uid])]
        return sorted(found, key=Occurrence.sort_key)

    def _events_of(self, series: Series | None) -> list[Event]:
        """Every event, or a series' events (in the same order)."""
        return self.events if series is None else self._in_series.get(series.slug, [])

    def filter_pages(self) -> list[tuple[str, dict]]:
        """Plain pages that work as filters without JavaScript: free, online, in person, tags."""
        free = [o for o in self.upcoming if o.event.is_free]
        online = [o for o in self.upcoming if o.event.online]
        in_person = [o for o in self.upcoming if o.event.location]
        pages = [
            ("events/free/", {"filter_title": "Free events", "filter_key": "free",
                              "filter_intro": "Upcoming events that are free to attend.",
                              "upcoming": free}),
            ("events/online/", {"filter_title": "Online events", "filter_key": "online",
                                "filter_intro": "Upcoming events you can join online, "
                                                "including hybrid events.",
                                "upcoming": online}),
            ("events/in-person/", {"filter_title": "Events in person", "filter_key": "in-person",
                                   "filter_intro": "Upcoming events at a venue in Thameside, "
                                                   "including hybrid events.",
                                   "upcoming": in_person}),
        ]
        # Each event's tag slugs once, not once for every tag page.
        slugs = {event.uid: {Tag(name).slug for name in event.tags} for event in self.events}
        for tag in self.tags():
            pages.append((f"tags/{tag.slug}/", {
                "filter_title": f"Events tagged {tag.name}", "filter_key": "tag",
                "filter_intro": f"Upcoming events tagged \u201c{tag.name}\u201d.",
                "upcoming": [o for o in self.upcoming if tag.slug in slugs[o.event.uid]]}))
        return pages

    def tags(self) -> list[Tag]:
        """Every tag once; tags written differently but with one slug share a page."""
        by_slug = {}
        for name in sorted({t for e in self.events for t in e.tags}):
            by_slug.setdefault(Tag(name).slug, Tag(name))
        return list(by_slug.values())

    def in_feeds(self, past_days: int, series: Series | None = None) -> list[Event]:
        """Events for a calendar feed: all to come, and those that ended in the last days."""
        cutoff = self.today - timedelta(days=past_days)
        return [event for event in self._events_of(series)
                if max(o.last_day for o in self.by_event[event.uid]) >= cutoff]

    def event_pages(self) -> list[dict]:
        pages = []
        for event in self.events:
            found = self.by_event[event.uid]
            coming = [o for o in found if not o.is_past]
            pages.append({"event": event,
                          "occurrence": coming[0] if coming else found[-1],
                          "upcoming_dates": coming,
                          "past_dates": [o for o in found if o.is_past]})
        return pages


def _by_month(found: list[Occurrence], day_of) -> list[MonthGroup]:
    return [MonthGroup(month, tuple(items))
            for month, items in groupby(found, key=lambda o: month_of(day_of(o)))]
