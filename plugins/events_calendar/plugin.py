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
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.generators import Generator

from . import (build_cache, calendar_links, ical, json_feed, markdown_body, news_feeds,
               output_folder, page_fragments, parallel, search_document, search_index,
               site_map, structured_data)
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
        # From here on the build writes: what the last build left in the output folder.
        self.record = output_folder.FolderRecord(self.cache, Path(self.output_path))
        _THIS_BUILD.start(self.record, Path(self.path), output_folder.build_started(
            build_cache.cache_folder(self.settings)))
        if events_setting(self.settings, "EVENTS_SEARCH_INDEX"):
            _SEARCH_PAGES.start(Path(self.output_path))
        # Digests before any HTML is attached: an event's digest is its fields, nothing more.
        self.digests = {event.uid: build_cache.object_digest(_as_published(event))
                        for event in content.events}
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
        self._occurrence_texts: dict[int, str] = {}
        self._site = self._site_fingerprint() if self.cache.path else ""
        # An event page's links and structured data are made by the process that renders it.
        event_jobs = [(f"{page['event'].url}index.html",
                       self._page_job(writer, f"{page['event'].url}index.html", "event", page,
                                      lambda page=page: {**page, **self._event_extras(page)}))
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
            # Event pages first, part by part of the search index of a large calendar, each
            # part indexed while the next part's pages and then the feeds and lists are
            # written (it waits on Pagefind, another program, meanwhile).
            counted_jobs, indexing = early_index
            jobs = counted_jobs + other_jobs
        else:
            jobs = other_jobs[:-1] + [job for _, job in event_jobs] + other_jobs[-1:]
            indexing = None
        # Pages and feeds are independent files: shared out between the machine's cores.
        # Each process records the files it made or kept once its jobs are done.
        parallel.run_split(jobs, finish=self.record.save, alongside=indexing)
        self.cache.prune()

    def _index_event_pages_early(self, event_jobs: list[tuple[str, Callable[[], None]]]):
        """With the search index on and a calendar too large for one part of it: the event
        pages' jobs, part by part of the index, each counting as it finishes, and what
        indexes each part as soon as its pages are written."""
        cache = build_cache.cache_folder(self.settings)
        staging = _SEARCH_PAGES.staging
        part_size = max(1, events_setting(self.settings, "EVENTS_SEARCH_INDEX_PART_SIZE"))
        count = search_index.event_parts(len(event_jobs), part_size)
        if staging is None or cache is None or self.cache.path is None or not count \
                or parallel.workers() < 2:
            return None  # (in one process, nothing could be done meanwhile)
        in_part = {path: search_index.part_of(path, count) for path, _ in event_jobs}
        expected = Counter(in_part.values())
        # How many pages of each part are written: shared by the processes forked later.
        finished = multiprocessing.get_context("fork").Array("l", count + 2)

        def counted(path, job):
            def run() -> None:
                job()
                with finished.get_lock():
                    finished[in_part[path]] += 1
            return run

        def index(number: int) -> bool:
            try:
                return search_index.index_event_part_early(Path(self.output_path), cache,
                                                           staging, number, count)
            except search_index.SearchIndexFailed as error:
                # The index is made again at the end of the build, and fails there if it must.
                logger.debug("Search index, made early: %s", error)
                return False

        def indexing(done) -> None:
            waiting, started = sorted(expected), []
            # Two Pagefind runs at once at most: the build's own processes need the cores too.
            with ThreadPoolExecutor(max_workers=2) as pool:
                while waiting:
                    ready = [number for number in waiting if finished[number] >= expected[number]]
                    for number in ready:
                        waiting.remove(number)
                        started.append(pool.submit(index, number))
                    if waiting and done.wait(0.05):  # the jobs failed: the build stops
                        return
                indexed = sum(future.result() for future in started)
            logger.info("Search index: %d part(s) of event pages indexed while the other "
                        "pages were written", indexed)

        # Part by part, so that each part's pages are all written, and it can be indexed,
        # while the next part's are.
        ordered = sorted(event_jobs, key=lambda item: in_part[item[0]])
        return [counted(path, job) for path, job in ordered], indexing

    # --- pages, kept between builds ----------------------------------------------------

    def _page_job(self, writer, save_as: str, template: str, inputs: dict,
                  context: Callable[[], dict] | None = None):
        """A job writing one page, rendered with ``context()`` (default: the inputs), unless
        the output folder holds it as made from the same inputs."""
        def render() -> list[str]:
            writer.write_file(save_as, self.get_template(template), self.context,
                              relative_urls=self.settings.get("RELATIVE_URLS", False),
                              page_path=save_as.removesuffix("index.html"),
                              **(context() if context else inputs))
            return [save_as]

        return lambda: self._kept("page", [template, save_as, inputs], render)

    def _kept(self, kind: str, inputs, make: Callable[[], list[str]]) -> None:
        """Make files with ``make()`` (which writes them and returns their paths), unless the
        output folder holds them as the last build made them from the same inputs and site
        (see _site_fingerprint): then they are left as they are, not even read."""
        try:
            key = self.cache.key(kind, self._site, self._inputs_text(inputs)) \
                if self._site else None
        except TypeError:  # something in the inputs has no stable text: made every time
            key = None
        held = self.record.holding(key) if key else None
        if held is not None:
            for path, written in held.items():
                search = _SEARCH_PAGES.unchanged(Path(self.output_path) / path, written.search)
                self.record.add(path, key, search)
            return
        for path in make():
            self.record.add(path, key)

    def _inputs_text(self, value) -> str:
        """A page's inputs as text that is the same in every build for the same inputs:
        events by the digest of their fields, dates and other values by their repr.

        (Not a pickle: an event's lazily made properties, such as its place in words, would
        be in it or not depending on what ran first.)"""
        text = self._inputs_text
        if isinstance(value, Event):
            return f"event {self.digests[value.uid]}"
        if isinstance(value, Occurrence):
            # One occurrence is in many lists (upcoming, its month, series, topics...): its
            # text is made once per process. (Occurrences live as long as the build, so
            # their ids are not reused meanwhile.)
            found = self._occurrence_texts.get(id(value))
            if found is None:
                found = self._occurrence_texts[id(value)] = repr((
                    "occurrence", self.digests[value.event.uid], value.start, value.end,
                    value.first_day, value.last_day, value.is_past, value.is_happening))
            return found
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
                for field in dataclasses.fields(value) if field.name != "source_path") + ")"
        raise TypeError(f"a page's {type(value).__name__} has no stable text")

    def _site_fingerprint(self) -> str:
        """Everything a page is made from besides its own inputs: the theme, the settings,
        today, and the site's other pages (for menus)."""
        parts: list[bytes | str] = [str(self.context.get("today")), self.site_url]
        theme = Path(self.settings["THEME"])
        for path in sorted(theme.rglob("*")):
            if path.is_file():
                parts += [path.relative_to(theme).as_posix(), path.read_bytes()]
        # Where the content is read from and the site and the cache are written does not
        # change what a page says (`make html INPUTDIR=content` and an absolute INPUTDIR
        # build the same site); what is read is in each page's inputs.
        settings = {name: value for name, value in self.settings.items()
                    if name not in ("PATH", "OUTPUT_PATH", "CACHE_PATH")}
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
        news_items = max(1, events_setting(self.settings, "EVENTS_NEWS_FEED_ITEMS"))
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
                coming = views.next_occurrences(series)[:news_items]
                info = news_feeds.NewsFeedInfo(f"Upcoming events: {feeds.title}", about,
                                               page_url, feeds.rss.url, feeds.atom.url)

                # Each feed is kept between builds: an edit elsewhere leaves them be, and an
                # edit to a past event leaves the news feeds (of upcoming events) be.
                self._kept("calendar feed", [feeds.calendar, feeds.title, about, in_feeds,
                                             [revisions[event.uid] for event in in_feeds]],
                           lambda: self._write_files({feeds.calendar.path: calendars.feed(
                               in_feeds, ical.FeedInfo(feeds.title, about))}))

                def news() -> list[str]:
                    files = {}
                    files[feeds.rss.path], files[feeds.atom.path] = news_feeds.news_feeds(
                        coming, info, site_url, revisions, self.site_zone)
                    return self._write_files(files)

                self._kept("news feeds", [feeds.rss, feeds.atom, info, coming,
                                          [revisions[occurrence.event.uid]
                                           for occurrence in coming]], news)
            return job

        def event_files_job(events):
            def job() -> None:
                for event in events:
                    path = self._event_file(event).path
                    self._kept("event file", [event, revisions[event.uid]],
                               lambda: self._write_files({path: calendars.event_file(event)}))
            return job

        jobs = [scope_job(*scopes[0])]  # the whole calendar's: the longest
        jobs.append(lambda: self._write_files({"events.json": json_feed.json_feed(
            views.events, views.by_event, site_url, revisions, self.whole.title,
            self.site_zone)}))
        jobs.append(lambda: self._write_files({
            search_document.PATH: search_document.search_document(
                views.events, views.by_event, self.site_zone)}))
        jobs += [scope_job(*scope) for scope in scopes[1:]]
        jobs += [event_files_job(views.events[start:start + 100])
                 for start in range(0, len(views.events), 100)]
        return jobs

    def _write_files(self, files: dict[str, bytes]) -> list[str]:
        """Write files (paths relative to the output folder) and return their paths."""
        output = Path(self.output_path)
        for path, data in sorted(files.items()):
            target = output / path
            try:
                # Building over an earlier build (make devserver, a rebuild): a file that
                # would not change is not written again.
                if target.stat().st_size == len(data) and target.read_bytes() == data:
                    self.record.add(path)
                    continue
            except FileNotFoundError:
                if target.parent not in self._folders_made:  # a system call saved per file
                    target.parent.mkdir(parents=True, exist_ok=True)
                    self._folders_made.add(target.parent)
            target.write_bytes(data)
            self.record.add(path)
        return sorted(files)


def _as_published(event: Event) -> Event:
    """The event without where its file and its series' files are, which is on no page and
    is written relative to the folder the build runs in (for editors' messages): a build run
    from another folder must not make every page again."""
    return dataclasses.replace(event, source_path="", series=tuple(
        dataclasses.replace(item, source_path="") for item in event.series))


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

    def add(self, path: Path, data: bytes) -> str | None:
        """Hand over a page as written; return what ``Staging.add`` does (None if there is
        no search index, or this is not a page)."""
        if self.staging is None or path.suffix != ".html":
            return None
        return self.staging.add(path.relative_to(self.site).as_posix(), data)

    def unchanged(self, path: Path, search: str | None) -> str | None:
        """Hand over a page the build left as it was, by what the last build gave the index
        of it (read again if that is not known: the last build had no search index)."""
        if self.staging is None or path.suffix != ".html":
            return search
        if search is None:
            return self.add(path, path.read_bytes())
        if search:
            self.staging.add_unchanged(path.relative_to(self.site).as_posix(), search)
        return search

    def close(self) -> None:
        if self.staging is not None and self.owner == os.getpid():
            self.staging.close()
        self.staging = None


_SEARCH_PAGES = _SearchPages()
atexit.register(_SEARCH_PAGES.close)


class _ThisBuild:
    """The output folder's record for the signals that run outside the generator: pages
    Pelican writes itself, and the end of the build."""

    def __init__(self) -> None:
        self.record: output_folder.FolderRecord | None = None
        self.content = Path()
        self.started_ns = 0

    def start(self, record: output_folder.FolderRecord, content: Path, started_ns: int) -> None:
        self.record, self.content, self.started_ns = record, content, started_ns


_THIS_BUILD = _ThisBuild()


def page_written(path, context) -> None:
    """Pelican's content_written signal: every page its writer writes, the calendar's and its
    own. Handed to the search index, and recorded as made by this build."""
    written = Path(path)
    search = _SEARCH_PAGES.add(written, written.read_bytes()) \
        if _SEARCH_PAGES.staging is not None and written.suffix == ".html" else None
    record = _THIS_BUILD.record
    if record is not None:
        record.add(written.relative_to(record.folder).as_posix(), search=search)


def finish_build(pelican) -> None:
    """Pelican's finalized signal, once every generator has written: remove what this build
    no longer makes (building over an earlier build), then write the site map and robots.txt
    from the pages left, then the search index."""
    output = Path(pelican.output_path)
    record, _THIS_BUILD.record = _THIS_BUILD.record, None
    if record is not None:
        record.save()  # (this process's: the pages Pelican wrote itself)
        # The site map and robots.txt are written below, from the pages left.
        pages = record.finish(_THIS_BUILD.started_ns, _THIS_BUILD.content,
                              written_after=site_map.FILES)
    else:
        pages = output_folder.page_paths(output)
    site_url = events_setting(pelican.settings, "EVENTS_SITE_URL").rstrip("/")
    site_map.write(output, site_url, pages)
    index_for_search(pelican)


def index_for_search(pelican) -> None:
    """Build the search index when EVENTS_SEARCH_INDEX is on (at the end of the build)."""
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
    # content_written sees every page Pelican's writer writes, the calendar's and its own.
    signals.content_written.connect(page_written)
    # finalized runs after every generator has written, so the site map sees every page.
    signals.finalized.connect(finish_build)
