"""The Pelican glue: settings, signals and the generator that reads and writes the calendar.

Pelican builds in two phases: every generator fills the shared context, then every generator
writes. The calendar reads and checks every event file in the first phase, so a single mistake
stops the build before any page is written.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from . import calendar_links, ical
from .calendar_links import Feed
from .loading import derived_uid, load_content
from .problems import report
from .revisions import event_revisions
from .settings import DEFAULTS, TodayError, events_setting, site_timezone, today_for
from .views import CalendarViews
from .wording import template_filters

logger = logging.getLogger(__name__)


class EventsGenerator(Generator):
    """Read event and series files, then write every browsing page and calendar feed."""

    def generate_context(self) -> None:
        """Read and check every file; stop the build if any has a problem."""
        for name, value in DEFAULTS.items():
            self.settings.setdefault(name, value)
        try:
            today = today_for(self.settings)
        except TodayError as error:
            sys.stderr.write(f"{error}\n")
            raise SystemExit(2) from None
        content = load_content(Path(self.path), self.settings, today)
        if report(content.problems, sys.stderr):
            # SystemExit, not an exception: Pelican would print a traceback for an exception,
            # and an editor's mistake deserves only the lines above.
            raise SystemExit(1)
        self.views = CalendarViews(
            content.events, content.series.values(), today, site_timezone(self.settings),
            events_setting(self.settings, "EVENTS_REPEAT_WINDOW_DAYS"),
            events_setting(self.settings, "EVENTS_MAX_OCCURRENCES"),
            events_setting(self.settings, "EVENTS_HOME_COMING_UP"))
        events_dir = Path(self.path) / events_setting(self.settings, "EVENTS_PATH")
        self.revisions = event_revisions(
            [(event.uid, content.front_matter[event.uid]) for event in content.events],
            events_dir, lambda stem, fields: fields.get("uid") or derived_uid(stem, self.settings))
        self.site_url = events_setting(self.settings, "EVENTS_SITE_URL").rstrip("/")
        self.whole_calendar = Feed(events_setting(self.settings, "EVENTS_CALENDAR_NAME"),
                                   "calendar.ics", self.site_url)
        # Shared with every generator, so Pelican's own pages get "today" and the feed links.
        self.context["today"] = today
        self.context["page_feeds"] = [self.whole_calendar]
        self.context["whole_calendar"] = self.whole_calendar
        logger.info("Read %d events (%d drafts left out) and %d series",
                    len(content.events), len(content.drafts), len(content.series))

    # --- writing -----------------------------------------------------------------------

    def generate_output(self, writer) -> None:
        """Write every browsing page and every calendar file."""
        views = self.views
        pages = [
            ("index.html", "index", views.home()),
            ("events/index.html", "events", views.upcoming_page()),
            ("events/past/index.html", "past", views.past_page()),
            ("series/index.html", "series_index", views.series_index()),
            ("access/index.html", "access_index", views.access_index()),
            ("subscribe/index.html", "subscribe", {"series_feeds": [
                self._series_feed(item) for item in views.series]}),
            ("404.html", "404", {}),
        ]
        pages += [(f"{page['month'].url}index.html", "month", page)
                  for page in views.month_pages()]
        pages += [(f"{page['feature'].url}index.html", "access", page)
                  for page in views.access_pages()]
        for page in views.series_pages():
            feed = self._series_feed(page["series"])
            pages.append((f"{page['series'].url}index.html", "series",
                          {**page, "series_feed": feed,
                           "page_feeds": [self.whole_calendar, feed]}))
        for page in views.event_pages():
            pages.append((f"{page['event'].url}index.html", "event",
                          {**page, **self._add_to_calendar(page)}))
        for save_as, template, page_context in pages:
            writer.write_file(save_as, self.get_template(template), self.context,
                              relative_urls=self.settings.get("RELATIVE_URLS", False),
                              url=save_as.removesuffix("index.html"), **page_context)
        self._write_calendars()

    def _series_feed(self, series) -> Feed:
        return Feed(f"{series.title} ({self.whole_calendar.title})",
                    f"{series.url}calendar.ics", self.site_url)

    def _event_file(self, event) -> Feed:
        return Feed(f"{event.title} (calendar file)", f"{event.url}{event.slug}.ics",
                    self.site_url)

    def _add_to_calendar(self, page: dict) -> dict:
        event, occurrence = page["event"], page["occurrence"]
        page_url = f"{self.site_url}/{event.url}"
        return {
            "calendar_file": self._event_file(event),
            "google_calendar_url": calendar_links.google_calendar_url(event, occurrence, page_url),
            "outlook_work_url": calendar_links.outlook_url(event, occurrence, page_url, True),
            "outlook_personal_url": calendar_links.outlook_url(event, occurrence, page_url, False),
            "page_feeds": [self.whole_calendar, *map(self._series_feed, event.series),
                           self._event_file(event)],
        }

    def _write_calendars(self) -> None:
        past_days = events_setting(self.settings, "EVENTS_FEED_PAST_DAYS")
        description = events_setting(self.settings, "EVENTS_CALENDAR_DESCRIPTION")
        files = {self.whole_calendar.path: ical.calendar_feed(
            self.views.in_feeds(past_days),
            ical.FeedInfo(self.whole_calendar.title, description), self.site_url, self.revisions)}
        for series in self.views.series:
            files[self._series_feed(series).path] = ical.calendar_feed(
                self.views.in_feeds(past_days, series),
                ical.FeedInfo(f"{series.title} – Thameside", series.summary or series.title),
                self.site_url, self.revisions)
        for event in self.views.events:
            files[self._event_file(event).path] = ical.event_file(
                event, self.site_url, self.revisions[event.uid])
        output = Path(self.output_path)
        for path, data in sorted(files.items()):
            target = output / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def add_template_filters(generator: Generator) -> None:
    """Give every generator's templates the date filters, so the shared base template can use them."""
    generator.env.filters.update(template_filters(site_timezone(generator.settings)))


def get_generators(pelican):
    return EventsGenerator


def register() -> None:
    # generator_init runs as each generator is made, before any template is loaded.
    signals.generator_init.connect(add_template_filters)
    signals.get_generators.connect(get_generators)
