"""The Pelican glue: settings, signals and the generator that reads and writes the calendar.

Pelican builds in two phases: every generator fills the shared context, then every generator
writes. The calendar reads and checks every event file in the first phase, so a single mistake
stops the build before any page is written.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
from pathlib import Path
from typing import Callable

from pelican import signals
from pelican.generators import Generator

from . import (build_cache, calendar_links, ical, json_feed, markdown_body, news_feeds,
               page_fragments, parallel, site_map, structured_data)
from .access_features import VOCABULARY
from .calendar_links import Feed, FeedSet
from .loading import derived_uid, load_content
from .model import Event, Occurrence
from .problems import report
from .revisions import event_revisions
from .settings import DEFAULTS, TodayError, events_setting, site_timezone, today_for
from .views import CalendarViews
from .wording import template_filters

logger = logging.getLogger(__name__)


class EventsGenerator(Generator):
    """Read event and series files, then write every browsing page and feed."""

    def generate_context(self) -> None:
        """Read and check every file; stop the build if any has a problem."""
        for name, value in DEFAULTS.items():
            self.settings.setdefault(name, value)
            self.context.setdefault(name, value)
        markdown_body.configure(events_setting(self.settings, "EVENTS_EMBED_HOSTS"))
        try:
            today = today_for(self.settings)
        except TodayError as error:
            sys.stderr.write(f"{error}\n")
            raise SystemExit(2) from None
        content = load_content(Path(self.path), self.settings, today)
        # What was read lives for the whole build: the garbage collector need not look at it
        # again (at 10,000 events its full passes were several percent of the build).
        gc.freeze()
        if report(content.problems, sys.stderr):
            # SystemExit, not an exception: Pelican would print a traceback for an exception,
            # and an editor's mistake deserves only the lines above.
            raise SystemExit(1)
        self.site_zone = site_timezone(self.settings)
        cache_file = None
        if events_setting(self.settings, "EVENTS_CACHE"):
            cache_file = Path(self.settings.get("CACHE_PATH") or "cache") / \
                "events-calendar.sqlite"
        self.cache = build_cache.BuildCache(cache_file, build_cache.code_fingerprint())
        # Digests before any HTML is attached: an event's digest is its fields, nothing more.
        self.digests = {event.uid: build_cache.object_digest(event) for event in content.events}
        self._describe(content.events)
        self.views = CalendarViews(
            content.events, content.series.values(), today, self.site_zone,
            events_setting(self.settings, "EVENTS_REPEAT_WINDOW_DAYS"),
            events_setting(self.settings, "EVENTS_MAX_OCCURRENCES"),
            events_setting(self.settings, "EVENTS_HOME_COMING_UP"))
        events_dir = Path(self.path) / events_setting(self.settings, "EVENTS_PATH")
        self.revisions = event_revisions(
            [(event.uid, content.front_matter[event.uid]) for event in content.events],
            events_dir, lambda stem, fields: fields.get("uid") or derived_uid(stem, self.settings))
        self.site_url = events_setting(self.settings, "EVENTS_SITE_URL").rstrip("/")
        self.whole = FeedSet.under(events_setting(self.settings, "EVENTS_CALENDAR_NAME"), "",
                                   self.site_url)
        # Shared with every generator, so Pelican's own pages get "today", the absolute site
        # address for canonical links, and the feeds in their head.
        self.context.update(today=today, site_url=self.site_url, whole_calendar=self.whole,
                            page_feeds=self.whole.all)
        logger.info("Read %d events (%d drafts left out) and %d series",
                    len(content.events), len(content.drafts), len(content.series))

    def _describe(self, events) -> None:
        """Turn every description into HTML now, from the cache or on every core, so that the
        pages and feeds written later (in forked workers too) find it made."""
        keys = [self.cache.key("body", event.body, *markdown_body.EMBED_HOSTS)
                for event in events]
        bodies = build_cache.cached_map(self.cache, "body", events, keys, _body_html,
                                        parallel.map_in_workers)
        for event, html in zip(events, bodies):
            event.__dict__["body_html"] = html.decode("utf-8")

    # --- pages -------------------------------------------------------------------------

    def generate_output(self, writer) -> None:
        """Write every browsing page, then every feed."""
        views = self.views
        pages = [
            ("index.html", "index", views.home()),
            ("events/index.html", "events", views.upcoming_page()),
            ("events/past/index.html", "past", views.past_page()),
            ("series/index.html", "series_index", views.series_index()),
            ("access/index.html", "access_index", views.access_index()),
            ("subscribe/index.html", "subscribe",
             {"series_feeds": [self._series_feeds(item) for item in views.series]}),
        ]
        pages += [(f"{page['month'].url}index.html", "month", page)
                  for page in views.month_pages()]
        pages += [(f"{page['feature'].url}index.html", "access", page)
                  for page in views.access_pages()]
        pages += [(f"{path}index.html", "filter", page) for path, page in views.filter_pages()]
        pages.append(("tags/index.html", "tags", {"tags": views.tags()}))
        pages.append(("search/index.html", "search", {
            "series_list": views.series, "features": list(VOCABULARY.values()),
            "tags": views.tags(), "months": views.months()}))
        for page in views.series_pages():
            feeds = self._series_feeds(page["series"])
            pages.append((f"{page['series'].url}index.html", "series",
                          {**page, "series_feeds": feeds,
                           "page_feeds": self.whole.all + feeds.all}))
        relative_urls = self.settings.get("RELATIVE_URLS", False)
        self._folders_made: set[Path] = set()

        def page_job(save_as: str, template: str, page_context: dict | Callable[[], dict]):
            def job():
                made = page_context() if callable(page_context) else page_context
                writer.write_file(save_as, self.get_template(template), self.context,
                                  relative_urls=relative_urls,
                                  page_path=save_as.removesuffix("index.html"), **made)
            return job

        # The longest jobs (the whole calendar's feeds, the long list pages) first, so that no
        # process is left with one of them while the others have finished.
        jobs = self._feed_jobs()
        jobs += [page_job(*page) for page in pages]
        jobs += self._event_page_jobs(writer, page_job)
        # The 404 page is served at any address, so it has no canonical address of its own.
        jobs.append(lambda: writer.write_file("404.html", self.get_template("404"),
                                              self.context, relative_urls=False))
        # Pages and feeds are independent files: shared out between the machine's cores.
        parallel.run_split(jobs, finish=self._save_pages)
        self.cache.prune()

    # --- event pages, kept between builds ----------------------------------------------

    def _event_page_jobs(self, writer, page_job) -> list:
        """A job per event page: the page from the build cache if nothing it is made from has
        changed, else rendered (with its links and structured data, made by the process that
        writes it) and kept for the next build."""
        self._made_pages: dict[str, bytes] = {}
        self._used_pages: list[str] = []
        site = self._site_fingerprint() if self.cache.path else ""

        def job_for(page: dict):
            save_as = f"{page['event'].url}index.html"
            render = page_job(save_as, "event", lambda: {**page, **self._event_extras(page)})
            if not site:
                return render

            def job():
                key = self.cache.key("page", site, save_as, *self._page_inputs(page))
                found = self.cache.get_many([key]).get(key)
                if found is None:
                    render()
                    self._made_pages[key] = (Path(self.output_path) / save_as).read_bytes()
                else:
                    self._write_files({save_as: found})
                    self._used_pages.append(key)
            return job

        return [job_for(page) for page in self.views.event_pages()]

    def _page_inputs(self, page: dict) -> list[str]:
        """An event page's own inputs, as text: its event (by the digest of its fields) and
        each of its dates. (Not a pickle of the page: the event's lazily made properties,
        such as its place in words, would be in it or not depending on what ran first.)"""
        def text(value) -> str:
            if isinstance(value, Event):
                return f"event {self.digests[value.uid]}"
            if isinstance(value, Occurrence):
                return repr(("occurrence", self.digests[value.event.uid], value.start,
                             value.end, value.first_day, value.last_day, value.is_past,
                             value.is_happening))
            if isinstance(value, (list, tuple)):
                return "[" + ", ".join(map(text, value)) + "]"
            raise TypeError(f"an event page's {type(value).__name__} cannot be digested")
        return [f"{name}={text(value)}" for name, value in sorted(page.items())]

    def _save_pages(self) -> None:
        """In each process, once its jobs are done: keep the pages it rendered."""
        self.cache.put_many(self._made_pages)
        self.cache.touch(self._used_pages)

    def _site_fingerprint(self) -> str:
        """Everything an event page is made from besides its own event and dates: the theme,
        the settings, today, and the site's other pages (for menus)."""
        parts: list[bytes | str] = [str(self.context.get("today")), self.site_url]
        theme = Path(self.settings["THEME"])
        for path in sorted(theme.rglob("*")):
            if path.is_file():
                parts += [path.relative_to(theme).as_posix(), path.read_bytes()]
        # Where the site and the cache are written does not change what a page says.
        settings = {name: value for name, value in self.settings.items()
                    if name not in ("OUTPUT_PATH", "CACHE_PATH")}
        parts.append(json.dumps(settings, sort_keys=True, default=_plain_setting))
        for item in [*self.context.get("pages", ()), *self.context.get("articles", ())]:
            parts += [item.url, item.title, item.content]
        return build_cache.digest(*parts)

    def _series_feeds(self, series) -> FeedSet:
        return FeedSet.under(series.title, series.url, self.site_url)

    def _event_file(self, event) -> Feed:
        return Feed(f"{event.title} (calendar file)", f"{event.url}{event.slug}.ics",
                    self.site_url)

    def _event_extras(self, page: dict) -> dict:
        event, occurrence = page["event"], page["occurrence"]
        page_url = f"{self.site_url}/{event.url}"
        listed = page["upcoming_dates"] or [occurrence]
        return {
            "calendar_file": self._event_file(event),
            "google_calendar_url": calendar_links.google_calendar_url(event, occurrence, page_url),
            "outlook_work_url": calendar_links.outlook_url(event, occurrence, page_url, True),
            "outlook_personal_url": calendar_links.outlook_url(event, occurrence, page_url, False),
            "structured_data": structured_data.json_ld(event, listed, self.site_url),
            "page_feeds": [*self.whole.all,
                           *(feed for item in event.series for feed in
                             self._series_feeds(item).all),
                           self._event_file(event)],
        }

    # --- feeds -------------------------------------------------------------------------

    def _feed_jobs(self) -> list:
        """One job per feed (and per hundred events' own files), each writing its files."""
        views, site_url, revisions = self.views, self.site_url, self.revisions
        past_days = events_setting(self.settings, "EVENTS_FEED_PAST_DAYS")
        description = events_setting(self.settings, "EVENTS_CALENDAR_DESCRIPTION")
        calendars = ical.CalendarFiles(site_url, revisions)
        # Every VEVENT serialised once, on every core, before the jobs are shared out (the
        # workers are forked from this process, so they all have them).
        calendars.prepare(views.events, parallel.map_in_workers, self.cache, self.digests)
        scopes = [(self.whole, description, None, f"{site_url}/events/")]
        scopes += [(self._series_feeds(item), item.summary or item.title, item,
                    f"{site_url}/{item.url}") for item in views.series]

        def scope_job(feeds, about, series, page_url):
            def job():
                files = {feeds.calendar.path: calendars.feed(
                    views.in_feeds(past_days, series), ical.FeedInfo(feeds.title, about))}
                info = news_feeds.NewsFeedInfo(f"Upcoming events: {feeds.title}", about,
                                               page_url, feeds.rss.url, feeds.atom.url)
                files[feeds.rss.path], files[feeds.atom.path] = news_feeds.news_feeds(
                    views.next_occurrences(series), info, site_url, revisions, self.site_zone)
                self._write_files(files)
            return job

        def event_files_job(events):
            return lambda: self._write_files({self._event_file(event).path:
                                              calendars.event_file(event) for event in events})

        jobs = [scope_job(*scopes[0])]  # the whole calendar's: the longest
        jobs.append(lambda: self._write_files({"events.json": json_feed.json_feed(
            views.events, views.by_event, site_url, revisions, self.whole.title,
            self.site_zone)}))
        jobs += [scope_job(*scope) for scope in scopes[1:]]
        jobs += [event_files_job(views.events[start:start + 100])
                 for start in range(0, len(views.events), 100)]
        return jobs

    def _write_files(self, files: dict[str, bytes]) -> None:
        output = Path(self.output_path)
        for path, data in sorted(files.items()):
            target = output / path
            try:
                # Building over an earlier build (make devserver, a rebuild): a file that
                # would not change is not written again.
                if target.stat().st_size == len(data) and target.read_bytes() == data:
                    continue
            except FileNotFoundError:
                if target.parent not in self._folders_made:  # a system call saved per file
                    target.parent.mkdir(parents=True, exist_ok=True)
                    self._folders_made.add(target.parent)
            target.write_bytes(data)


def _plain_setting(value) -> object:
    """A setting JSON cannot write, as something that stays the same from build to build."""
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    # A function, a module, a class...: its name only (its address changes every run).
    return getattr(value, "__qualname__", type(value).__name__)


def _body_html(event) -> bytes:
    return event.body_html.encode("utf-8")


def add_template_filters(generator: Generator) -> None:
    """Give every generator's templates the date filters, so the shared base template can use
    them, and ``once`` for the event cards that many list pages share."""
    generator.env.filters.update(template_filters(site_timezone(generator.settings)))
    generator.env.globals["once"] = page_fragments.rendered_once()


def write_site_map(pelican) -> None:
    """Write sitemap.xml and robots.txt once every page is written (Pelican's finalized signal)."""
    site_url = events_setting(pelican.settings, "EVENTS_SITE_URL").rstrip("/")
    site_map.write(Path(pelican.output_path), site_url)


def get_generators(pelican):
    return EventsGenerator


def register() -> None:
    # generator_init runs as each generator is made, before any template is loaded.
    signals.generator_init.connect(add_template_filters)
    signals.get_generators.connect(get_generators)
    # finalized runs after every generator has written, so the site map sees every page.
    signals.finalized.connect(write_site_map)
