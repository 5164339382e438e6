"""Every setting the calendar reads, with its default, in one place.

Sites override any of these in ``pelicanconf.py``; the names are prefixed ``EVENTS_`` as
pelican-plugins do, so they cannot clash with Pelican's own settings.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import Any, Mapping
from zoneinfo import ZoneInfo

DEFAULTS: dict[str, Any] = {
    # Where event and series files live, relative to the content folder.
    "EVENTS_PATH": "events",
    "EVENTS_SERIES_PATH": "series",
    # Used to derive a uid for an event file that does not give one ("<file name>@<domain>").
    "EVENTS_UID_DOMAIN": "events.thameside.example",
    # Repeating events are expanded up to this many days after today. Dates further ahead are
    # still in the rule (and so in calendar feeds) but are not listed on the site.
    "EVENTS_REPEAT_WINDOW_DAYS": 548,
    # A repeat rule that produces more dates than this (up to the window) is refused: it is
    # almost always a mistake, and it keeps a build bounded whatever the rule says.
    "EVENTS_MAX_OCCURRENCES": 500,
    # How many upcoming events the home page lists.
    "EVENTS_HOME_COMING_UP": 10,
    # Dates listed on each page of a long list (upcoming, past, a series, an access feature,
    # free, online, in person, a tag); the rest follow on <list>/page/2/ and so on, so that
    # every page stays light on a slow connection. Month pages are not split.
    "EVENTS_LIST_PAGE_SIZE": 50,
    # Dates outside these years are refused as mistakes (year 1, year 9999 and the like).
    "EVENTS_EARLIEST_YEAR": 1970,
    "EVENTS_LATEST_YEAR": 2100,
    # The public address of the site, for the absolute links that feeds and calendar files
    # need even when pages use relative ones (SITEURL is empty while developing).
    "EVENTS_SITE_URL": "https://events.thameside.example",
    # Calendar feeds keep an event this many days after it ended, then drop it, so that the
    # whole-calendar feed stays small for the thousands of clients polling it.
    "EVENTS_FEED_PAST_DAYS": 365,
    # RSS and Atom feeds hold the next this many upcoming events (Pelican's own feeds stop at
    # FEED_MAX_ITEMS, 100): a feed reader polls the whole file every time, and a partnership's
    # thousands of events would make it megabytes. A borough's programme fits well within it.
    "EVENTS_NEWS_FEED_ITEMS": 200,
    "EVENTS_CALENDAR_NAME": "Thameside equality and inclusion calendar",
    "EVENTS_CALENDAR_DESCRIPTION": (
        "Events for Black History Month, Disability History Month, LGBT+ History Month, "
        "Holocaust Memorial Day and other equality and inclusion dates in Thameside."),
    # Keep what was read from each event file, descriptions as HTML, VEVENTs and a record of
    # what each output folder holds between builds (and checks), in Pelican's CACHE_PATH
    # (events-calendar.sqlite), so a rebuild after one edit redoes only what changed.
    "EVENTS_CACHE": True,
    # Hosts whose pages editors may embed in descriptions with an <iframe>, e.g.
    # ["www.youtube-nocookie.com"]. Empty by default: each is a third party that sees who visits
    # the page, so a council allows one only on purpose. They are added to the page's policy.
    "EVENTS_EMBED_HOSTS": [],
    # Build the search index as part of every Pelican run (Pagefind). `make html`, `make
    # publish` and `make devserver` turn it on; off, `python -m events_calendar.search_index`
    # indexes a built site.
    "EVENTS_SEARCH_INDEX": False,
    # Pages in each part of the search index: a calendar with more indexed pages has its
    # event pages shared between parts, each indexed again only when one of its pages changed.
    "EVENTS_SEARCH_INDEX_PART_SIZE": 2000,
    # "Today" for reproducible builds; None means the date now in the site's time zone.
    # The EVENTS_TODAY environment variable, when set, wins over both.
    "EVENTS_TODAY": None,
}

SITE_TIMEZONE_DEFAULT = "Europe/London"


def events_setting(settings: Mapping[str, Any], name: str) -> Any:
    """Return a calendar setting, falling back to its default."""
    return settings.get(name, DEFAULTS[name])


def site_timezone(settings: Mapping[str, Any]) -> ZoneInfo:
    """Return the site's time zone (Pelican's TIMEZONE setting)."""
    return ZoneInfo(settings.get("TIMEZONE") or SITE_TIMEZONE_DEFAULT)


class TodayError(ValueError):
    """EVENTS_TODAY is set but is not a date."""


def today_for(settings: Mapping[str, Any], environ: Mapping[str, str] = os.environ) -> date:
    """Return the date that counts as today for this build.

    Builds must be reproducible, so "today" is taken from the EVENTS_TODAY environment
    variable or setting when given, and only otherwise from the clock.
    """
    given = environ.get("EVENTS_TODAY") or events_setting(settings, "EVENTS_TODAY")
    if given:
        if isinstance(given, date):
            return given
        try:
            return date.fromisoformat(str(given).strip())
        except ValueError:
            raise TodayError(
                f"EVENTS_TODAY: {given!r} is not a date (write it as YYYY-MM-DD, e.g. 2026-11-24)"
            ) from None
    return datetime.now(site_timezone(settings)).date()
