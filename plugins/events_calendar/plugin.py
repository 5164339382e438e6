"""The Pelican glue: settings, signals and the generator that reads and writes the calendar.

Pelican builds in two phases: every generator fills the shared context, then every generator
writes. The calendar reads and checks every event file in the first phase, so a single mistake
stops the build before any page is written.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import logging
import multiprocessing
import os
import pickle
import sys
from datetime import date
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.generators import Generator

from . import (build_cache, calendar_links, ical, json_feed, markdown_body, news_feeds,
               page_fragments, parallel, search_index, site_map, structured_data)
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
        self.cache = build_cache.open_cache(self.settings)
        content = load_content(Path(self.path), self.settings, today, self.cache)
        if report(content.problems, sys.stderr):
            # SystemExit, not an exception: Pelican would print a traceback for an exception,
            # and an editor's mistake deserves only the lines above.
            raise SystemExit(1)
        self.site_zone = site_timezone(self.settings)
        if events_setting(self.settings, "EVENTS_SEARCH_INDEX"):
            _SEARCH_PAGES.start(Path(self.output_path))
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
        # Long lists in pages: each page's address is its Paged's (page 1 the list's own).
        size = max(1, events_setting(self.settings, "EVENTS_LIST_PAGE_SIZE"))
        pages = [("index.html", "index", views.home())]
        pages += [(f"{page['paged'].url}index.html", "events", page)
                  for page in views.upcoming_pages(size)]
        pages += [(f"{page['paged'].url}index.html", "past", page)
                  for page in views.past_pages(size)]
        pages += [
            ("series/index.html", "series_index", views.series_index()),
            ("access/index.html", "access_index", views.access_index()),
            ("subscribe/index.html", "subscribe",
             {"series_feeds": [self._series_feeds(item) for item in views.series]}),
        ]
        pages += [(f"{page['month'].url}index.html", "month", page)
                  for page in views.month_pages()]
        pages += [(f"{page['paged'].url}index.html", "access", page)
                  for page in views.access_pages(size)]
        pages += [(f"{page['paged'].url}index.html", "filter", page)
                  for page in views.filter_pages(size)]
        pages.append(("tags/index.html", "tags", {"tags": views.tags()}))
        pages.append(("search/index.html", "search", {
            "series_list": views.series, "features": list(VOCABULARY.values()),
            "tags": views.tags(), "months": views.months()}))
        for template, series_pages in [("series", views.series_pages(size)),
                                       ("series_past", views.series_past_pages(size))]:
            for page in series_pages:
                feeds = self._series_feeds(page["series"])
                pages.append((f"{page['paged'].url}index.html", template,
                              {**page, "series_feeds": feeds,
                               "page_feeds": self.whole.all + feeds.all}))
        self._folders_made: set[Path] = set()
        self._made: dict[str, bytes] = {}  # files made by this process, for the cache
        self._used: list[str] = []  # cache entries this process used
        self._site = self._site_fingerprint() if self.cache.path else ""
        # An event page's links and structured data are made by the process that renders it.
        event_jobs = [self._page_job(writer, f"{page['event'].url}index.html", "event", page,
                                     lambda page=page: {**page, **self._event_extras(page)})
                      for page in views.event_pages()]
        # The longest jobs (the whole calendar's feeds, the long list pages) first, so that no
        # process is left with one of them while the others have finished.
        other_jobs = self._feed_jobs()
        other_jobs += [self._page_job(writer, *page) for page in pages]
        # The 404 page is served at any address, so it has no canonical address of its own.
        other_jobs.append(lambda: writer.write_file("404.html", self.get_template("404"),
                                                    self.context, relative_urls=False))
        early_index = self._index_event_pages_early(event_jobs)
        if early_index is not None:
            # Event pages first, then the search index of a large calendar is made while the
            # feeds and lists are written (it waits on Pagefind, another program, meanwhile).
            event_jobs, indexing = early_index
            jobs = event_jobs + other_jobs
        else:
            jobs, indexing = other_jobs[:-1] + event_jobs + other_jobs[-1:], None
        # Pages and feeds are independent files: shared out between the machine's cores.
        parallel.run_split(jobs, finish=self._save_kept, alongside=indexing)
        self.cache.prune()

    def _index_event_pages_early(self, event_jobs: list):
        """With the search index on and a calendar too large for one part of it: the event
        pages' jobs, counting as they finish, and what indexes their parts once all have."""
        cache = build_cache.cache_folder(self.settings)
        staging = _SEARCH_PAGES.staging
        part_size = max(1, events_setting(self.settings, "EVENTS_SEARCH_INDEX_PART_SIZE"))
        if staging is None or cache is None or self.cache.path is None \
                or len(event_jobs) < part_size or parallel.workers() < 2:
            return None  # (in one process, nothing could be done meanwhile)
        finished = multiprocessing.get_context("fork").Value("l", 0)  # shared once forked

        def counted(job):
            def run() -> None:
                job()
                with finished.get_lock():
                    finished.value += 1
            return run

        def indexing(done) -> None:
            while finished.value < len(event_jobs):
                if done.wait(0.05):  # the jobs failed: the build stops
                    return
            try:
                parts = search_index.index_event_parts_early(Path(self.output_path), cache,
                                                             staging, part_size)
            except search_index.SearchIndexFailed as error:
                # The index is made again at the end of the build, and fails there if it must.
                logger.debug("Search index, made early: %s", error)
                return
            logger.info("Search index: %d part(s) of event pages indexed while the other "
                        "pages were written", parts)

        return [counted(job) for job in event_jobs], indexing

    # --- pages, kept between builds ----------------------------------------------------

    def _page_job(self, writer, save_as: str, template: str, inputs: dict,
                  context: Callable[[], dict] | None = None):
        """A job writing one page, rendered with ``context()`` (default: the inputs), or
        from the build cache if nothing it is made from has changed."""
        def render() -> dict[str, bytes]:
            writer.write_file(save_as, self.get_template(template), self.context,
                              relative_urls=self.settings.get("RELATIVE_URLS", False),
                              page_path=save_as.removesuffix("index.html"),
                              **(context() if context else inputs))
            return {save_as: (Path(self.output_path) / save_as).read_bytes()}

        return lambda: self._kept("page", [template, save_as, inputs], render, written=True)

    def _kept(self, kind: str, inputs, make: Callable[[], dict[str, bytes]],
              written: bool = False) -> None:
        """Write the files ``make()`` returns (unless ``make`` has ``written`` them itself),
        or the same files from the build cache if nothing they are made from has changed:
        their ``inputs`` and the site (see _site_fingerprint). What is made is kept for the
        next build (by _save_kept)."""
        try:
            key = self.cache.key(kind, self._site, self._inputs_text(inputs)) \
                if self._site else None
        except TypeError:  # something in the inputs has no stable text: made every time
            key = None
        found = self.cache.get_many([key]).get(key) if key else None
        if found is not None:
            files = pickle.loads(found)
            self._write_files(files)
            for path, data in files.items():  # (a page Pelican writes is handed over as written)
                _SEARCH_PAGES.add(Path(self.output_path) / path, data)
            self._used.append(key)
            return
        files = make()
        if not written:
            self._write_files(files)
        if key:
            self._made[key] = pickle.dumps(files, protocol=5)

    def _inputs_text(self, value) -> str:
        """A page's inputs as text that is the same in every build for the same inputs:
        events by the digest of their fields, dates and other values by their repr.

        (Not a pickle: an event's lazily made properties, such as its place in words, would
        be in it or not depending on what ran first.)"""
        text = self._inputs_text
        if isinstance(value, Event):
            return f"event {self.digests[value.uid]}"
        if isinstance(value, Occurrence):
            return repr(("occurrence", self.digests[value.event.uid], value.start,
                         value.end, value.first_day, value.last_day, value.is_past,
                         value.is_happening))
        if value is None or isinstance(value, (str, int, float, date, ZoneInfo)):
            return repr(value)  # bool is an int, datetime a date
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(map(text, value)) + "]"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{key!r}: {text(item)}"
                                   for key, item in sorted(value.items())) + "}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return type(value).__name__ + "(" + ", ".join(
                f"{field.name}={text(getattr(value, field.name))}"
                for field in dataclasses.fields(value)) + ")"
        raise TypeError(f"a page's {type(value).__name__} has no stable text")

    def _save_kept(self) -> None:
        """In each process, once its jobs are done: keep the files it made."""
        self.cache.put_many(self._made)
        self.cache.touch(self._used)

    def _site_fingerprint(self) -> str:
        """Everything a page is made from besides its own inputs: the theme, the settings,
        today, and the site's other pages (for menus)."""
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
        outlook_work, outlook_personal = calendar_links.outlook_urls(event, occurrence, page_url)
        return {
            "calendar_file": self._event_file(event),
            "google_calendar_url": calendar_links.google_calendar_url(event, occurrence, page_url),
            "outlook_work_url": outlook_work,
            "outlook_personal_url": outlook_personal,
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
                in_feeds = views.in_feeds(past_days, series)
                coming = views.next_occurrences(series)
                info = news_feeds.NewsFeedInfo(f"Upcoming events: {feeds.title}", about,
                                               page_url, feeds.rss.url, feeds.atom.url)

                def make() -> dict[str, bytes]:
                    files = {feeds.calendar.path: calendars.feed(
                        in_feeds, ical.FeedInfo(feeds.title, about))}
                    files[feeds.rss.path], files[feeds.atom.path] = news_feeds.news_feeds(
                        coming, info, site_url, revisions, self.site_zone)
                    return files

                # A series' feeds are kept between builds: an edit elsewhere leaves them be.
                self._kept("feeds", [feeds, info, in_feeds, coming,
                                     [revisions[event.uid] for event in in_feeds],
                                     [revisions[occurrence.event.uid] for occurrence in coming]],
                           make)
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


class _SearchPages:
    """With EVENTS_SEARCH_INDEX on, the pages of this build handed to the search index as they
    are written (by this process or a forked one), so that it need not read them back."""

    def __init__(self) -> None:
        self.staging: search_index.Staging | None = None
        self.site = Path()
        self.owner = 0  # the process that started it, the only one that may delete it

    def start(self, site: Path) -> None:
        self.close()  # a build that failed before the end (make devserver goes on)
        self.staging, self.site, self.owner = search_index.Staging(), site, os.getpid()

    def add(self, path: Path, data: bytes) -> None:
        if self.staging is not None and path.suffix == ".html":
            self.staging.add(path.relative_to(self.site).as_posix(), data)

    def close(self) -> None:
        if self.staging is not None and self.owner == os.getpid():
            self.staging.close()
        self.staging = None


_SEARCH_PAGES = _SearchPages()
atexit.register(_SEARCH_PAGES.close)


def hand_page_to_search_index(path, context) -> None:
    """Pelican's content_written signal: every page its writer writes, ours and its own."""
    if _SEARCH_PAGES.staging is not None and path.endswith(".html"):
        _SEARCH_PAGES.add(Path(path), Path(path).read_bytes())


def index_for_search(pelican) -> None:
    """Build the search index when EVENTS_SEARCH_INDEX is on (Pelican's finalized signal)."""
    if not events_setting(pelican.settings, "EVENTS_SEARCH_INDEX"):
        return
    try:
        indexed, reused = search_index.build(
            Path(pelican.output_path), build_cache.cache_folder(pelican.settings),
            max(1, events_setting(pelican.settings, "EVENTS_SEARCH_INDEX_PART_SIZE")),
            staged=_SEARCH_PAGES.staging)
    except search_index.SearchIndexFailed as error:
        logger.error("%s", error)  # an error: with --fatal errors the build fails
        return
    finally:
        _SEARCH_PAGES.close()
    logger.info("Search index: %d part(s) indexed, %d from the cache", indexed, reused)


def get_generators(pelican):
    return EventsGenerator


def register() -> None:
    # generator_init runs as each generator is made, before any template is loaded.
    signals.generator_init.connect(add_template_filters)
    signals.get_generators.connect(get_generators)
    # finalized runs after every generator has written, so the site map sees every page.
    signals.finalized.connect(write_site_map)
    signals.content_written.connect(hand_page_to_search_index)
    signals.finalized.connect(index_for_search)
