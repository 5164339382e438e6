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

from .loading import load_content
from .problems import report
from .settings import DEFAULTS, TodayError, events_setting, site_timezone, today_for
from .views import CalendarViews
from .wording import template_filters

logger = logging.getLogger(__name__)


class EventsGenerator(Generator):
    """Read event and series files, then write every browsing page."""

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
        # Shared with every generator, so Pelican's own pages can show "today" in the header.
        self.context["today"] = today
        self.context["events_calendar"] = self.views
        logger.info("Read %d events (%d drafts left out) and %d series",
                    len(content.events), len(content.drafts), len(content.series))

    def generate_output(self, writer) -> None:
        """Write every browsing page of the calendar."""
        views = self.views
        pages = [
            ("index.html", "index", views.home()),
            ("events/index.html", "events", views.upcoming_page()),
            ("events/past/index.html", "past", views.past_page()),
            ("series/index.html", "series_index", views.series_index()),
            ("404.html", "404", {}),
        ]
        pages += [(f"{page['month'].url}index.html", "month", page)
                  for page in views.month_pages()]
        pages += [(f"{page['series'].url}index.html", "series", page)
                  for page in views.series_pages()]
        pages += [(f"{page['event'].url}index.html", "event", page)
                  for page in views.event_pages()]
        for save_as, template, page_context in pages:
            writer.write_file(save_as, self.get_template(template), self.context,
                              relative_urls=self.settings.get("RELATIVE_URLS", False),
                              url=save_as.removesuffix("index.html"), **page_context)


def add_template_filters(generator: Generator) -> None:
    """Give every generator's templates the date filters, so the shared base template can use them."""
    generator.env.filters.update(template_filters(site_timezone(generator.settings)))


def get_generators(pelican):
    return EventsGenerator


def register() -> None:
    # generator_init runs as each generator is made, before any template is loaded.
    signals.generator_init.connect(add_template_filters)
    signals.get_generators.connect(get_generators)
