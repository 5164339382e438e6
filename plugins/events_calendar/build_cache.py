"""A cache, kept between builds, of the slow parts of a build that depend only on their inputs:
an event's description as HTML, and its VEVENT.

Every entry is found by a hash of everything that makes it (the input, the plugin's code and the
versions of the libraries that turn it into bytes), so a cached value is always the bytes that
computing it again would give: a build with the cache and one without are byte-identical (the
tests check it). The cache is one SQLite file in Pelican's CACHE_PATH; deleting it is always safe.

Pages and feeds are not kept here: the output folder holds them, and output_folder.py records
which files it holds and what each was made from (see ``EventsGenerator._kept`` in plugin.py).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import sqlite3
import zlib
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping

from .settings import events_setting

logger = logging.getLogger(__name__)

# Large entries are compressed; small ones (descriptions, VEVENTs, what was read from an event
# file) are not: compressing 10,000 of them costs more than it saves.
COMPRESS_FROM = 8 * 1024
COMPRESSION = 3  # nearly the smallest, at a fraction of a millisecond per page


def pack(value: bytes) -> bytes:
    """An entry as stored: marked as compressed (z) or not (=)."""
    if len(value) >= COMPRESS_FROM:
        return b"z" + zlib.compress(value, COMPRESSION)
    return b"=" + value


def unpack(stored: bytes) -> bytes:
    return zlib.decompress(memoryview(stored)[1:]) if stored[:1] == b"z" else stored[1:]

LIBRARIES = ("markdown", "nh3", "icalendar", "jinja2", "markupsafe", "pelican")


def cache_folder(settings: Mapping[str, Any]) -> Path | None:
    """Where builds keep what they can reuse (Pelican's CACHE_PATH), or None with EVENTS_CACHE
    off."""
    if not events_setting(settings, "EVENTS_CACHE"):
        return None
    return Path(settings.get("CACHE_PATH") or "cache")


def open_cache(settings: Mapping[str, Any], new_build: bool = True,
               stores: bool = True) -> "BuildCache":
    """The site's build cache (one that keeps nothing when EVENTS_CACHE is off)."""
    folder = cache_folder(settings)
    return BuildCache(folder / "events-calendar.sqlite" if folder else None, code_fingerprint(),
                      new_build, stores)


def code_fingerprint() -> str:
    """The plugin's own code and the libraries that make cached values."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(name.encode())
    return digest.hexdigest()


def digest(*parts: bytes | str) -> str:
    hashed = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hashed.update(len(data).to_bytes(8, "big") + data)
    return hashed.hexdigest()


def stable_pickle(value: object) -> bytes:
    """A pickle that depends only on the values, every field counting.

    A plain pickle also records which equal strings are the same object in memory (its
    "memo"), and that differs from run to run (strings read in forked workers come back as
    copies), so digests made from it would miss the cache for no reason. Fast mode has no memo.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # model objects never refer to themselves, which fast mode needs
    pickler.dump(value)
    return buffer.getvalue()


def object_digest(value: object) -> str:
    """A digest of a model object (an Event): every field counts."""
    return digest(stable_pickle(value))


class BuildCache:
    """Values by key, in one SQLite file; each process (workers are forked) opens its own.

    Every entry remembers the last build that used it, and entries no build has used for
    KEEP_BUILDS builds are removed (``prune``), so the file holds about one site's worth of
    entries however many times the site is built.
    """

    KEEP_BUILDS = 2  # this build and the one before (say, a preview and a publish)

    def __init__(self, path: Path | None, salt: str, new_build: bool = True,
                 stores: bool = True):
        self.path = path
        self.salt = salt
        # A build counts as one; `make check`, which also reads what builds kept, joins the
        # last build, so that checking does not age what they keep out.
        self.new_build = new_build
        # Whether values are stored (put_many); `make check` only reads (see check.py).
        self.stores = stores
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self.build = 0

    def key(self, kind: str, *parts: bytes | str) -> str:
        return digest(self.salt, kind, *parts)

    def database(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        if self._connection is None or self._pid != os.getpid():
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(self.path, timeout=60, isolation_level=None)
                connection.execute("PRAGMA journal_mode=WAL")
                # A cache need not survive a power cut, only never be corrupted: in WAL mode,
                # NORMAL waits for the disk only at checkpoints, not at every commit (seconds
                # saved on a first build, which writes every page into the cache).
                connection.execute("PRAGMA synchronous=NORMAL")
                # When each entry was last used is kept apart from its value: marking a page
                # as used must not make SQLite write the whole page again.
                connection.execute("CREATE TABLE IF NOT EXISTS entries "
                                   "(key TEXT PRIMARY KEY, value BLOB NOT NULL)")
                connection.execute("CREATE TABLE IF NOT EXISTS used "
                                   "(key TEXT PRIMARY KEY, build INTEGER NOT NULL) WITHOUT ROWID")
                connection.execute("CREATE TABLE IF NOT EXISTS builds (number INTEGER)")
                connection.execute("DROP TABLE IF EXISTS cache")  # the layout before builds
                if not self.build and not self.new_build:
                    last = connection.execute("SELECT MAX(number) FROM builds").fetchone()
                    self.build = last[0] or 0
                elif not self.build:  # the first process to open it: a new build begins
                    with connection:
                        connection.execute("BEGIN IMMEDIATE")
                        last = connection.execute("SELECT MAX(number) FROM builds").fetchone()
                        self.build = (last[0] or 0) + 1
                        connection.execute("DELETE FROM builds")
                        connection.execute("INSERT INTO builds VALUES (?)", (self.build,))
            except (OSError, sqlite3.Error) as error:
                logger.warning("Build cache %s not used: %s", self.path, error)
                self.path = None
                return None
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        database = self.database()
        keys = list(keys)
        if database is None or not keys:
            return {}
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            rows = database.execute(
                f"SELECT key, value FROM entries WHERE key IN ({','.join('?' * len(chunk))})",
                chunk)
            found.update((key, unpack(value)) for key, value in rows)
        return found

    def put_many(self, items: Mapping[str, bytes]) -> None:
        if not self.stores:
            return
        database = self.database()
        if database is None or not items:
            return
        with database:
            database.execute("BEGIN")
            database.executemany("INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)",
                                 [(key, pack(value)) for key, value in items.items()])
            database.executemany("INSERT OR REPLACE INTO used (key, build) VALUES (?, ?)",
                                 [(key, self.build) for key in items])

    def touch(self, keys: Iterable[str]) -> None:
        """Mark entries as used by this build, so that ``prune`` keeps them."""
        database = self.database()
        keys = list(keys)
        if database is None or not keys:
            return
        with database:
            database.execute("BEGIN")
            database.executemany("INSERT OR REPLACE INTO used (key, build) VALUES (?, ?)",
                                 [(key, self.build) for key in keys])

    def prune(self) -> None:
        database = self.database()
        if database is None:
            return
        with database:
            database.execute("BEGIN")
            # The old entries found by key, from the small table of when each was used:
            # "NOT IN (the entries still used)" made SQLite read the whole file (every value
            # it holds) at the end of every build, a second at 10,000 events. Every entry has
            # its row in `used` (put_many writes both).
            database.execute("DELETE FROM entries WHERE key IN "
                             "(SELECT key FROM used WHERE build <= ?)",
                             (self.build - self.KEEP_BUILDS,))
            database.execute("DELETE FROM used WHERE build <= ?",
                             (self.build - self.KEEP_BUILDS,))


def cached_map(cache: BuildCache, kind: str, items: list, keys: list[str], compute,
               map_function=map) -> list[bytes]:
    """``[compute(item) for item in items]`` as bytes, from the cache where it has them."""
    found = cache.get_many(keys)
    cache.touch(found)
    missing = [index for index, key in enumerate(keys) if key not in found]
    made = dict(zip((keys[i] for i in missing),
                    map_function(compute, [items[i] for i in missing])))
    cache.put_many(made)
    logger.debug("Cache %s: %d found, %d made", kind, len(keys) - len(missing), len(missing))
    return [found.get(key) if key in found else made[key] for key in keys]
