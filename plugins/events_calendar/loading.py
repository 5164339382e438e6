"""Read every event and series file, convert each field and report every mistake at once.

This is the one place where front matter becomes the typed model. Each field has a small
converter; a converter that cannot use a value records a Problem and the file is left out, so
the build can stop before anything is written, with every problem in every file listed.
"""

from __future__ import annotations

import copyreg
import difflib
import io
import os
import pickle
import re
from functools import cache
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from . import markdown_body, parallel, schema
from .access_features import VOCABULARY, AccessFeature
from .build_cache import BuildCache, digest, stable_pickle
from .dates import DateProblem, parse_repeat, parse_when
from .frontmatter import SourceFile, read_source, source_from_bytes
from .model import STATUSES, Event, Location, Organiser, Series
from .problems import Problem, field_label
from .schedule import TooManyDates, occurrence_starts, window_end
from .settings import DEFAULTS, events_setting, site_timezone

# Field names and lengths come from the JSON Schemas in schema/, the one source of truth.
EVENT_FIELDS = schema.field_names("event")
SERIES_FIELDS = schema.field_names("series")
LOCATION_FIELDS = schema.mapping_fields("event", "location")
ORGANISER_FIELDS = schema.mapping_fields("event", "organiser")
MAX_LENGTH = {name: schema.max_length("event", name) for name in EVENT_FIELDS
              if schema.max_length("event", name)}
DEFAULT_MAX_LENGTH = 500
_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_TRUE, _FALSE = ("true", "yes", "on"), ("false", "no", "off", "")
_THE_FIELD = object()  # "read the field itself", as opposed to a value inside it
# Unicode's control characters (category Cc) other than tab and line feed.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Pages the site writes under /events/, which no event's file name may take.
RESERVED_EVENT_SLUGS = {"past", "free", "online", "in-person", "index", "page"}


@dataclass
class Content:
    """What was read: published events, drafts, series and the problems found."""

    events: list[Event] = field(default_factory=list)
    drafts: list[Event] = field(default_factory=list)
    # The front matter of each event as typed, by uid: revisions compare it with git history.
    front_matter: dict[str, dict] = field(default_factory=dict)
    # Every file that could be read, for checks of its prose (the inclusive language check).
    sources: list[SourceFile] = field(default_factory=list)
    series: dict[str, Series] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@cache
def _zone_names() -> frozenset[str]:
    """Every IANA time zone name (read once: scanning the database is slow)."""
    return frozenset(available_timezones())


def slugify(name: str) -> str:
    """A URL-safe slug from a file name: lower case letters, digits and hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _SLUG_UNSAFE.sub("-", ascii_name.lower()).strip("-")


def load_content(content_dir: Path, settings: Mapping[str, Any], today: date,
                 file_cache: BuildCache | None = None) -> Content:
    """Read every series and event file under ``content_dir``; with ``file_cache``, an event
    file read before with the same bytes and everything else the same is not read again."""
    content = Content()
    series_dir = content_dir / events_setting(settings, "EVENTS_SERIES_PATH")
    for path, shown in _files(series_dir, content_dir, content.problems):
        series, source, problems = _read_series(path, shown)
        content.problems += problems
        if source is not None:
            content.sources.append(source)
        if series is not None:
            content.series[series.slug] = series
    events_dir = content_dir / events_setting(settings, "EVENTS_PATH")
    files = _files(events_dir, content_dir, content.problems)
    read = []
    for event, source, problems in _read_events(files, settings, content.series, today,
                                                content_dir, file_cache):
        content.problems += problems
        if source is not None:
            content.sources.append(source)
        if event is not None:
            read.append((source, event))
    content.problems += _check_unique(read)
    for source, event in read:
        (content.drafts if event.draft else content.events).append(event)
        content.front_matter[event.uid] = source.fields
    return content


def _read_events(files, settings, series, today, content_dir,
                 file_cache: BuildCache | None = None) -> list[tuple]:
    """Read every event file: (event or None, source or None, problems), in the files' order,
    on every core when there are enough files to pay for it, and from the cache when a file
    has been read before (see _ReadCache)."""
    def read_one(number: int, raw: bytes | None = None) -> tuple:
        path, shown = files[number]
        reader = EventReader(path, shown, settings, series, today, content_dir)
        event = reader.read(raw=raw)
        return event, reader.source, reader.problems

    if file_cache is None or file_cache.path is None:
        return parallel.map_in_workers(read_one, range(len(files)), worth_it=PARALLEL_FROM)
    kept = _ReadCache(file_cache, settings, series, today, content_dir)
    found = kept.find(files)
    missing = [number for number in range(len(files)) if number not in found]
    if not file_cache.stores:  # (make check): what is not kept is read, not packed to keep
        read = parallel.map_in_workers(lambda number: read_one(number, kept.raw.get(number)),
                                       missing, worth_it=PARALLEL_FROM)
        found.update(zip(missing, read))
        return [found[number] for number in range(len(files))]

    def read_and_pack(number):
        # Packed by the process that read it: what comes back to this one is then the
        # entry for the cache, unpacked once here.
        path, shown = files[number]
        reader = EventReader(path, shown, settings, series, today, content_dir)
        event = reader.read(raw=kept.raw.get(number))
        return kept.pack((event, reader.source, reader.problems), reader.image_checked)

    packed = parallel.map_in_workers(read_and_pack, missing, worth_it=PARALLEL_FROM)
    found.update(kept.keep(dict(zip(missing, packed))))
    return [found[number] for number in range(len(files))]


# Reading is shared between the machine's cores from this many files.
PARALLEL_FROM = 800

# What reading an event file depends on besides its bytes, its path, today, the series and
# the images folder: these settings (a test checks that the reader asks for no other).
READER_SETTINGS = ("TIMEZONE", "EVENTS_EARLIEST_YEAR", "EVENTS_LATEST_YEAR",
                   "EVENTS_MAX_OCCURRENCES", "EVENTS_REPEAT_WINDOW_DAYS", "EVENTS_UID_DOMAIN")


class _ReadCache:
    """What was read from each event file, kept in the build cache (make check and every build
    read all 10,000 files of a large calendar; an edit changes one).

    An entry is found by the file's bytes and path and everything else reading depends on
    (READER_SETTINGS, today, the series, the plugin's code), so it is what reading the file
    again would give. The one thing outside those, whether the event's image exists, is
    looked at again before an entry is used. Series and access features are stored by name
    and found again among the ones read this time.
    """

    def __init__(self, cache: BuildCache, settings, series, today, content_dir):
        self.cache, self.series = cache, series
        # Settings as the reader sees them (a calendar setting left out is its default: a
        # build has its defaults filled in, a check not), and the content folder however it
        # was named, so that a check finds what the last build kept.
        self.context = digest(
            repr([(name, events_setting(settings, name) if name in DEFAULTS
                   else settings.get(name)) for name in READER_SETTINGS]), today.isoformat(),
            stable_pickle(sorted(series.items())), str(Path(content_dir).resolve()))
        self.content_dir = content_dir
        self.keys: dict[int, str] = {}
        self.raw: dict[int, bytes] = {}  # the bytes the keys were made from, to read

    def find(self, files) -> dict[int, tuple]:
        """The files read before, by their number in ``files``."""
        for number, (path, shown) in enumerate(files):
            try:
                self.raw[number] = path.read_bytes()
            except OSError:
                continue  # read again below, to report why it cannot be
            self.keys[number] = self.cache.key("event file", self.context, shown,
                                               self.raw[number])
        stored = self.cache.get_many(self.keys.values())
        with parallel.long_lived():
            found = {number: self.unpack(stored[key]) for number, key in self.keys.items()
                     if key in stored}
        found = {number: result for number, (result, image) in found.items()
                 if image is None or (self.content_dir / image[0]).is_file() == image[1]}
        for number in found:
            del self.raw[number]
        self.cache.touch(self.keys[number] for number in found)
        return found

    def keep(self, packed: dict[int, bytes]) -> dict[int, tuple]:
        """Store what was read (packed), and return it unpacked."""
        self.cache.put_many({self.keys[number]: data for number, data in packed.items()
                             if number in self.keys})
        with parallel.long_lived():
            return {number: self.unpack(data)[0] for number, data in packed.items()}

    @staticmethod
    def pack(result: tuple, image_checked: tuple[str, bool] | None) -> bytes:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=5)
        pickler.dispatch_table = _BY_NAME
        pickler.dump((result, image_checked))
        return buffer.getvalue()

    def unpack(self, data: bytes) -> tuple:
        global _SHARED
        _SHARED = {"series": self.series, "access": VOCABULARY}
        return pickle.loads(data)


# Series and access features in a packed entry: by name, found again when it is unpacked.
_SHARED: dict[str, Mapping] = {}


def _shared(kind: str, slug: str):
    return _SHARED[kind][slug]


_BY_NAME = {**copyreg.dispatch_table,
            Series: lambda series: (_shared, ("series", series.slug)),
            AccessFeature: lambda feature: (_shared, ("access", feature.slug))}


def _files(folder: Path, content_dir: Path, problems: list[Problem]) -> list[tuple[Path, str]]:
    """Every Markdown file under a folder, in a fixed order; other files are reported."""
    if not folder.is_dir():
        return []
    names = []
    for where, folders, files in os.walk(folder):
        relative_folder = os.path.relpath(where, folder)
        hidden_folder = any(part.startswith(".") for part in Path(relative_folder).parts)
        names += [(os.path.join(where, name), hidden_folder or name.startswith("."))
                  for name in files]
    found = []
    # Sorted as text: the same order on every machine, whatever order the disk lists them in.
    for name, hidden in sorted(names):
        path = Path(name)
        shown = shown_path(path)
        is_markdown = name.lower().endswith(".md")
        if hidden:
            # Hidden files (.DS_Store, .gitkeep) are not events, but a hidden .md file is an
            # event nobody would see.
            if is_markdown:
                problems.append(Problem(shown, 1, "file", "is hidden (its name or folder "
                                        "starts with '.'), so it is not read",
                                        "rename it without the '.' at the start"))
            continue
        if not is_markdown:
            # A file that would be silently ignored is an event an editor thinks is published.
            problems.append(Problem(shown, 1, "file", "is not read: only .md files are events",
                                    "rename it to end in .md, or move it out of this folder"))
            continue
        found.append((path, shown))
    return found


def derived_uid(file_stem: str, settings: Mapping[str, Any]) -> str:
    """The uid of an event file that gives none.

    It stays the same while the file keeps its name; the editors' tools write a uid into new
    files so that renaming them is safe too.
    """
    return f"{slugify(file_stem)}@{events_setting(settings, 'EVENTS_UID_DOMAIN')}"


def shown_path(path: Path) -> str:
    """The path as an editor would type it: relative to the current folder when inside it."""
    absolute = os.path.abspath(path)
    here = os.getcwd()
    if absolute.startswith(here + os.sep):
        return absolute[len(here) + 1:]
    return str(path)


def _read_series(path: Path, shown: str) -> tuple[Series | None, SourceFile | None, list[Problem]]:
    source, problems = read_source(path, shown)
    if source is None:
        return None, None, problems
    reader = _FieldReader(source)
    reader.unknown_fields(SERIES_FIELDS)
    title = reader.text("title", required=True)
    summary = reader.text("summary")
    start = reader.series_date("start")
    end = reader.series_date("end")
    if start and end and end < start:
        reader.problem("end", f"{end} is before start {start}", "check the dates")
    if not slugify(path.stem):
        reader.problem("file", f"the name {path.name!r} has no letters or digits",
                       "rename it after the series, e.g. refugee-week.md")
    if end and not start:
        reader.problem("start", "is missing but end is given", "give the first day as start")
    if reader.problems:
        return None, source, reader.problems
    return Series(slug=slugify(path.stem), title=title, summary=summary,
                  body_html=markdown_body.render(source.body), source_path=shown,
                  start=start, end=end), source, []


class _FieldReader:
    """Converters for the kinds of field event and series files share."""

    def __init__(self, source: SourceFile):
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, name: str, message: str, fix: str = "") -> None:
        self.problems.append(Problem(self.source.path, self.source.line_of(name), name,
                                     message, fix))

    def unknown_fields(self, known: tuple[str, ...]) -> None:
        for name in self.source.fields:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                self.problems.append(Problem(
                    self.source.path, self.source.line_of(name), field_label(name),
                    "is not a field this calendar knows",
                    f"did you mean {close[0]}?" if close else
                    "see docs/event-format.md for the fields"))

    def text(self, name: str, required: bool = False, value: Any = _THE_FIELD) -> str:
        """A single line of text (or a paragraph, for notes): the field, or a value within it."""
        value = self.source.fields.get(name) if value is _THE_FIELD else value
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                what = "is missing" if value is None else "is empty"
                self.problem(name, what, f"add '{name}: ...' to the front matter")
            return ""
        if not isinstance(value, str):
            self.problem(name, f"must be text, not a {_kind(value)}",
                         "write the value on the same line as the field name")
            return ""
        # One-line fields lose line breaks and runs of spaces; notes keep their lines, with
        # Windows and old Mac line endings made plain newlines.
        value = (" ".join(value.split()) if name != "accessibility_notes"
                 else value.replace("\r\n", "\n").replace("\r", "\n").strip())
        found = _CONTROL_CHARACTER.search(value)
        control = found.group() if found else None
        if control is not None:
            self.problem(name, f"contains the control character U+{ord(control):04X}",
                         "delete it; it cannot be seen and breaks calendars")
            return ""
        limit = MAX_LENGTH.get(name, DEFAULT_MAX_LENGTH)
        if len(value) > limit:
            self.problem(name, f"is {len(value)} characters long, more than {limit}",
                         "shorten it; put detail in the description below the front matter")
            return ""
        return value

    def url(self, name: str, value: Any = _THE_FIELD, https_only: bool = False) -> str | None:
        text = self.text(name, value=value)
        if not text:
            return None
        parts = urlsplit(text)
        allowed = ("https",) if https_only else ("http", "https")
        if parts.scheme.lower() not in allowed or not parts.netloc or " " in text:
            need = "an https:// address" if https_only else "an http:// or https:// address"
            self.problem(name, f"{text!r} is not {need}", "write the full address, e.g. "
                         "https://www.example.org/page")
            return None
        return text

    def series_date(self, name: str) -> date | None:
        text = self.text(name)
        if not text:
            return None
        try:
            value = parse_when(text, ZoneInfo("UTC"), 1970, 2100)
        except DateProblem as problem:
            self.problem(name, problem.message, problem.fix)
            return None
        if isinstance(value, datetime):
            self.problem(name, "a series period is in whole days", "write only the date")
            return None
        return value

    def text_list(self, name: str) -> list[str]:
        value = self.source.fields.get(name)
        if value is None or value == "":
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.problem(name, f"must be a list, not a {_kind(value)}",
                         "write each item on its own line starting with '- '")
            return []
        texts = []
        for item in items:
            text = self.text(name, value=item) if isinstance(item, str) else None
            if text is None:
                self.problem(name, f"has an item that is a {_kind(item)}, not text",
                             "write each item as plain text")
            elif text:
                texts.append(text)
        return texts


class EventReader(_FieldReader):
    """Reads one event file into an Event, collecting every problem on the way."""

    def __init__(self, path: Path, shown: str, settings: Mapping[str, Any],
                 series: Mapping[str, Series], today: date, content_dir: Path | None = None):
        self.path, self.shown, self.settings = path, shown, settings
        self.content_dir = content_dir
        self.known_series, self.today = series, today
        self.problems = []
        self.source: SourceFile | None = None
        # The image looked for in the content folder, and whether it was there.
        self.image_checked: tuple[str, bool] | None = None

    def read(self, source: SourceFile | None = None, raw: bytes | None = None) -> Event | None:
        """Read the file (or the given text or bytes of it) into an Event, or None with
        problems."""
        problems = []
        if source is None and raw is not None:
            source, problems = source_from_bytes(raw, self.shown)
        elif source is None:
            source, problems = read_source(self.path, self.shown)
        if source is None:
            self.problems += problems
            return None
        self.source = source
        self.unknown_fields(EVENT_FIELDS)
        values = {name: convert(self) for name, convert in _EVENT_CONVERTERS.items()}
        zone = values.pop("zone")
        values["image"], values["image_alt"] = self._image()
        start, end = self._start_and_end(zone)
        repeat = self._repeat(start, zone)
        if self.problems:
            return None
        slug = self._slug()
        if self.problems:
            return None
        event = Event(start=start, end=end, repeat=repeat, timezone=zone.key,
                      slug=slug, source_path=self.shown,
                      body=source.body, **values)
        self._check_dates(event)
        return None if self.problems else event

    # --- the fields --------------------------------------------------------------------

    def _slug(self) -> str:
        """The event's address comes from its file name, so the name must make a safe one."""
        slug = slugify(self.path.stem)
        if not slug:
            self.problem("file", f"the name {self.path.name!r} has no letters or digits",
                         "rename it after the event, e.g. film-night.md")
        elif slug in RESERVED_EVENT_SLUGS:
            self.problem("file", f"the name {self.path.name!r} is the address of a page of the "
                         "site", "rename it after the event, e.g. film-night.md")
        return slug

    def _zone(self) -> ZoneInfo:
        name = self.text("timezone")
        if not name:
            return site_timezone(self.settings)
        try:
            if name in _zone_names():
                return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        close = difflib.get_close_matches(name, sorted(_zone_names()), n=1)
        self.problem("timezone", f"{name!r} is not a time zone",
                     f"did you mean {close[0]}?" if close else
                     "use an IANA name such as Europe/London")
        return site_timezone(self.settings)

    def _start_and_end(self, zone: ZoneInfo):
        if self.problems and any(p.field == "timezone" for p in self.problems):
            return None, None
        start = self._when("start", zone, required=True)
        end = self._when("end", zone)
        if start is None or end is None:
            return start, end
        if isinstance(start, datetime) != isinstance(end, datetime):
            kind = "a date and time" if isinstance(start, datetime) else "a date only"
            self.problem("end", f"must be {kind}, like start",
                         "write end the same way as start")
        elif end < start:
            self.problem("end", f"{self.source.fields['end']} is before start "
                         f"{self.source.fields['start']}", "check the date and time")
        return start, end

    def _when(self, name: str, zone: ZoneInfo, required: bool = False):
        text = self.text(name, required=required)
        if not text:
            return None
        try:
            return parse_when(text, zone, events_setting(self.settings, "EVENTS_EARLIEST_YEAR"),
                              events_setting(self.settings, "EVENTS_LATEST_YEAR"))
        except DateProblem as problem:
            self.problem(name, problem.message, problem.fix)
            return None

    def _repeat(self, start, zone: ZoneInfo):
        text = self.text("repeat")
        if not text or start is None:
            return None
        try:
            return parse_repeat(text, start, zone)
        except DateProblem as problem:
            self.problem("repeat", problem.message, problem.fix)
            return None

    def _check_dates(self, event: Event) -> None:
        """Check what needs the whole event: the repeat's dates and the dates it leaves out."""
        if event.except_dates and event.repeat is None:
            self.problem("except", "is given but the event does not repeat",
                         "add 'repeat:' or remove 'except:'")
            return
        if event.repeat is None:
            return
        limit = events_setting(self.settings, "EVENTS_MAX_OCCURRENCES")
        until = max([window_end(self.today, events_setting(self.settings,
                                                           "EVENTS_REPEAT_WINDOW_DAYS")),
                     *event.except_dates])
        try:
            every = occurrence_starts(Event(**{**event.__dict__, "except_dates": ()}),
                                      until, limit)
        except TooManyDates:
            self.problem("repeat", f"gives more than {limit} dates",
                         "add COUNT= or UNTIL= to the rule, or split the event")
            return
        except (ValueError, OverflowError) as error:
            self.problem("repeat", f"cannot be expanded: {error}", "simplify the rule")
            return
        days = {start.date() if isinstance(start, datetime) else start for start in every}
        for skipped in event.except_dates:
            if skipped not in days:
                self.problem("except", f"{skipped} is not one of the dates this event repeats on",
                             "check the date against the repeat rule")
        if not days - set(event.except_dates):
            self.problem("repeat", "leaves no dates once 'except' is applied",
                         "check the rule and the dates left out")

    def _except(self) -> tuple[date, ...]:
        found = []
        for text in self.text_list("except"):
            try:
                value = parse_when(text, ZoneInfo("UTC"), 1970, 2100)
            except DateProblem as problem:
                self.problem("except", problem.message, problem.fix)
                continue
            if isinstance(value, datetime):
                self.problem("except", f"{text!r} has a time", "give only the date to leave out")
                continue
            found.append(value)
        return tuple(sorted(set(found)))

    def _series(self) -> tuple[Series, ...]:
        found = []
        for slug in self.text_list("series"):
            if slug in self.known_series:
                found.append(self.known_series[slug])
            else:
                close = difflib.get_close_matches(slug, sorted(self.known_series), n=1)
                self.problem("series", f"{slug!r} is not a series",
                             f"did you mean {close[0]}?" if close else
                             f"add content/series/{slug}.md or check the name")
        return tuple(found)

    def _tags(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(tag.lower() for tag in self.text_list("tags")))

    def _location(self) -> Location | None:
        value = self.source.fields.get("location")
        if isinstance(value, dict):
            self._unknown_keys("location", value, LOCATION_FIELDS)
            name = self.text("location", required=True, value=value.get("name", ""))
            latitude, longitude = self._coordinates(value)
            return Location(name=name, address=self.text("location", value=value.get("address")),
                            postcode=self.text("location", value=value.get("postcode")).upper(),
                            url=self.url("location", value=value.get("url")),
                            latitude=latitude, longitude=longitude)
        name = self.text("location")
        return Location(name=name) if name else None

    def _coordinates(self, value: dict) -> tuple[float | None, float | None]:
        """Latitude and longitude, both or neither, in decimal degrees."""
        given = {key: value.get(key) for key in ("latitude", "longitude") if value.get(key)}
        if not given:
            return None, None
        if len(given) == 1:
            self.problem("location", "has only one of latitude and longitude", "give both")
            return None, None
        numbers = []
        for key, limit in (("latitude", 90), ("longitude", 180)):
            try:
                number = float(given[key]) if isinstance(given[key], str) else None
            except ValueError:
                number = None
            if number is None or not -limit <= number <= limit:
                self.problem("location", f"{key} {given[key]!r} is not a number from "
                             f"-{limit} to {limit}", "write decimal degrees, e.g. 51.5072")
                return None, None
            numbers.append(number)
        return numbers[0], numbers[1]

    def _organiser(self) -> Organiser | None:
        value = self.source.fields.get("organiser")
        if isinstance(value, dict):
            self._unknown_keys("organiser", value, ORGANISER_FIELDS)
            email = self.text("organiser", value=value.get("email")) or None
            if email and not _EMAIL.match(email):
                self.problem("organiser", f"{email!r} is not an email address",
                             "write it as name@example.org")
            return Organiser(name=self.text("organiser", required=True,
                                            value=value.get("name", "")),
                             url=self.url("organiser", value=value.get("url")), email=email)
        name = self.text("organiser")
        return Organiser(name=name) if name else None

    def _unknown_keys(self, name: str, value: dict, known: tuple[str, ...]) -> None:
        for key in value:
            if key not in known:
                self.problem(name, f"has {key!r}, which it does not take",
                             f"use {', '.join(known)}")

    def _access_features(self):
        found = []
        for term in self.text_list("accessibility"):
            feature = VOCABULARY.get(term.lower())
            if feature is None:
                close = difflib.get_close_matches(term.lower(), sorted(VOCABULARY), n=1)
                self.problem("accessibility", f"{term!r} is not in the access vocabulary",
                             f"did you mean {close[0]}?" if close else
                             "use terms from docs/event-format.md, and say more in "
                             "accessibility_notes")
            elif feature not in found:
                found.append(feature)
        return tuple(found)

    def _status(self) -> str:
        value = self.text("status").lower()
        if not value:
            return "scheduled"
        if value not in STATUSES:
            close = difflib.get_close_matches(value, STATUSES, n=1)
            self.problem("status", f"{value!r} is not a status",
                         f"did you mean {close[0]}?" if close else
                         f"use one of {', '.join(STATUSES)}")
            return "scheduled"
        return value

    def _image(self) -> tuple[str | None, str]:
        """An image file in content/images/, with its alt text.

        Images must be the site's own: one from another website would tell that website who
        visits each page, and the Content Security Policy would block it anyway.
        """
        image = self.text("image")
        alt = self.text("image_alt")
        if image and not alt:
            self.problem("image_alt", "is missing for the image",
                         "describe what the image shows, for people who cannot see it")
        if not image:
            return None, alt
        parts = Path(image).parts
        if urlsplit(image).scheme or image.startswith(("/", "\\")) or ".." in parts \
                or not parts or parts[0] != "images":
            self.problem("image", f"{image!r} is not a file in content/images/",
                         "put the image in content/images/ and write images/poster.jpg")
            return None, alt
        exists = self.content_dir is None or (self.content_dir / image).is_file()
        if self.content_dir is not None:
            self.image_checked = (image, exists)
        if not exists:
            self.problem("image", f"{image!r} does not exist",
                         "add the file to content/images/ or correct the name")
            return None, alt
        return image, alt

    def _uid(self) -> str:
        uid = self.text("uid")
        if uid and (" " in uid or any(c in uid for c in ",;:\\\"<>")):
            self.problem("uid", f"{uid!r} has spaces or punctuation a uid cannot have",
                         "use letters, digits, '-', '.', '_' and '@'")
        return uid or derived_uid(self.path.stem, self.settings)

    def _draft(self) -> bool:
        value = self.source.fields.get("draft")
        if value is None:
            return False
        if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            return value.strip().lower() in _TRUE
        self.problem("draft", f"{value!r} is not true or false", "write draft: true or remove it")
        return False


# One converter per field, in the order the fields are documented. Each returns the model's
# value and records a Problem when it cannot.
_EVENT_CONVERTERS: dict[str, Callable[[EventReader], Any]] = {
    "title": lambda r: r.text("title", required=True),
    "zone": EventReader._zone,
    "summary": lambda r: r.text("summary"),
    "series": EventReader._series,
    "tags": EventReader._tags,
    "location": EventReader._location,
    "online": lambda r: r.url("online", https_only=True),
    "access_features": EventReader._access_features,
    "accessibility_notes": lambda r: r.text("accessibility_notes"),
    "cost": lambda r: r.text("cost"),
    "booking": lambda r: r.url("booking"),
    "organiser": EventReader._organiser,
    "status": EventReader._status,
    "except_dates": EventReader._except,
    "uid": EventReader._uid,
    "draft": EventReader._draft,
}


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def _check_unique(read: list[tuple[SourceFile, Event]]) -> list[Problem]:
    """Two events with one uid would merge in subscribers' calendars; two slugs, one page."""
    problems = []
    for attribute, field_name, fix in (
        ("uid", "uid", "give each event its own uid"),
        ("slug", "file", "rename one of the files"),
    ):
        first_seen: dict[str, str] = {}
        for source, event in read:
            key = getattr(event, attribute)
            if key in first_seen:
                line = source.line_of("uid") if field_name == "uid" else 1
                problems.append(Problem(event.source_path, line, field_name,
                                        f"{key!r} is also used by {first_seen[key]}", fix))
            else:
                first_seen[key] = event.source_path
    return problems
