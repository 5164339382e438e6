"""What the last build left in an output folder, so that a build over the same folder makes and
writes only what changed, and removes what it no longer makes.

Each file a build makes is recorded with the key of everything it was made from (see
``EventsGenerator._kept`` in plugin.py) and with what the file system says of it (size, time of
last change, inode). The next build over the folder skips a file whose key is unchanged and
which nobody has touched since: it is neither made nor read nor written again. Anything else
changed it? It is made again. The record is in the build cache (one SQLite file), under the
folder's own identity (device and inode), which stays the same when `make html` renames the
folder into place, so `make html` can build over the site before last (see the Makefile).

Files the build did not make (an event deleted since, a page renamed) are then removed
(``sweep``): a deleted event must not stay published because its page was left behind.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from .build_cache import BuildCache

logger = logging.getLogger(__name__)

# A folder no build has written into for this many builds is forgotten (`make html` builds
# into two folders in turn, `make devserver` into a third).
KEEP_BUILDS = 6
SEARCH_INDEX_FOLDER = "pagefind"  # the search index keeps its own folder in order


@dataclass(frozen=True)
class Written:
    """A file as a build left it."""
    key: str | None  # what it was made from; None for files made every build
    size: int
    modified_ns: int
    inode: int
    # What the search index was given of it (a digest), "" if it is not indexed, None if the
    # build that made it had no search index.
    search: str | None = None


def _identity(folder: Path) -> str:
    status = folder.stat()
    return f"{status.st_dev}:{status.st_ino}"


class FolderRecord:
    """The files of one output folder: as the last build left them, and as this build makes
    them (each process records its own, then ``save``s them)."""

    def __init__(self, cache: BuildCache, folder: Path):
        self.cache = cache
        self.folder = folder
        self.identity = ""
        self.started_empty = False
        self.before: dict[str, Written] = {}
        self._by_key: dict[str, list[str]] = {}
        self._now: dict[str, Written] = {}
        if cache.path is None:
            return  # no cache: nothing is known, everything is made
        folder.mkdir(parents=True, exist_ok=True)
        self.identity = _identity(folder)
        with os.scandir(folder) as entries:
            self.started_empty = next(entries, None) is None  # then nothing can be stale
        database = cache.database()
        if database is None:
            return
        database.execute(
            "CREATE TABLE IF NOT EXISTS folder_files (folder TEXT, path TEXT, key TEXT, "
            "size INTEGER, modified INTEGER, inode INTEGER, search TEXT, build INTEGER, "
            "PRIMARY KEY (folder, path)) WITHOUT ROWID")
        rows = database.execute(
            "SELECT path, key, size, modified, inode, search FROM folder_files "
            "WHERE folder = ?", (self.identity,))
        for path, key, size, modified, inode, search in rows:
            self.before[path] = Written(key, size, modified, inode, search)
            if key is not None:
                self._by_key.setdefault(key, []).append(path)

    def holding(self, key: str) -> dict[str, Written] | None:
        """The files made from ``key`` if they are all still in the folder as the last build
        left them, else None."""
        paths = self._by_key.get(key)
        if not paths:
            return None
        found = {}
        for path in paths:
            written = self.before[path]
            try:
                status = os.stat(self.folder / path)
            except OSError:
                return None
            if (status.st_size, status.st_mtime_ns, status.st_ino) != \
                    (written.size, written.modified_ns, written.inode):
                return None  # changed by something else since: made again
            found[path] = written
        return found

    def add(self, path: str, key: str | None = None, search: str | None = None) -> None:
        """Record a file this build made or kept (after it is on disk)."""
        earlier = self._now.get(path)
        if earlier is not None:  # (a page is recorded as Pelican writes it, then with its key)
            key = key or earlier.key
            search = search if search is not None else earlier.search
        status = os.stat(self.folder / path)
        self._now[path] = Written(key, status.st_size, status.st_mtime_ns, status.st_ino,
                                  search)

    def save(self) -> None:
        """Store what this process recorded (each process its own)."""
        database = self.cache.database() if self.identity else None
        if database is None or not self._now:
            return
        with database:
            database.execute("BEGIN")
            database.executemany(
                "INSERT OR REPLACE INTO folder_files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(self.identity, path, item.key, item.size, item.modified_ns, item.inode,
                  item.search, self.cache.build) for path, item in self._now.items()])
        self._now.clear()

    def finish(self, started_ns: int, content: Path,
               written_after: tuple[str, ...] = ()) -> list[str]:
        """Once every process has saved: remove the files this build did not make, forget the
        last build's record of this folder, and return the folder's pages (for the site map).

        A file is this build's if it is recorded by this build, was written since the build
        started (Pelican's own copies of static files), or is one of ``written_after``, which
        the build writes after this. Nothing is removed from a folder that holds the content
        (``pelican content -o .``), as Pelican's own clean-up rule has it."""
        database = self.cache.database() if self.identity else None
        if database is None or not started_ns or content.resolve().is_relative_to(
                self.folder.resolve()):
            return page_paths(self.folder)
        made = {path for (path,) in database.execute(
            "SELECT path FROM folder_files WHERE folder = ? AND build = ?",
            (self.identity, self.cache.build))}
        if self.started_empty:  # every page in it is this build's, and recorded
            pages = sorted(path for path in made
                           if path == "index.html" or path.endswith("/index.html"))
        else:
            pages = sweep(self.folder, made | set(written_after), started_ns)
        with database:
            database.execute("BEGIN")
            database.execute("DELETE FROM folder_files WHERE folder = ? AND build < ?",
                             (self.identity, self.cache.build))
            database.execute("DELETE FROM folder_files WHERE build <= ?",
                             (self.cache.build - KEEP_BUILDS,))
        return pages


def sweep(folder: Path, made: set[str], started_ns: int) -> list[str]:
    """Delete every file under ``folder`` that this build did not make (the search index's
    folder apart, which it keeps itself), then the folders left empty; return the pages
    left (paths of index.html files)."""
    pages, removed = [], 0
    for here, subfolders, files in os.walk(folder, topdown=False):
        relative = os.path.relpath(here, folder)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        if prefix.split("/")[0] == SEARCH_INDEX_FOLDER:
            continue
        left = len(subfolders)
        for name in files:
            path = prefix + name
            full = os.path.join(here, name)
            if path not in made and os.stat(full).st_mtime_ns < started_ns:
                os.unlink(full)
                removed += 1
                continue
            left += 1
            if name == "index.html":
                pages.append(path)
        for name in subfolders:  # (walked bottom-up: emptied ones are gone from the disk)
            if not os.path.exists(os.path.join(here, name)):
                left -= 1
        if not left and prefix:
            os.rmdir(here)
    if removed:
        logger.info("Removed %d file(s) this build no longer makes", removed)
    return sorted(pages)


def page_paths(folder: Path) -> list[str]:
    """Every index.html under ``folder`` (the search index's apart), in a fixed order."""
    pages = []
    for here, subfolders, files in os.walk(folder):
        if Path(here) == folder and SEARCH_INDEX_FOLDER in subfolders:
            subfolders.remove(SEARCH_INDEX_FOLDER)
        if "index.html" in files:
            relative = os.path.relpath(here, folder)
            pages.append("index.html" if relative == "." else
                         relative.replace(os.sep, "/") + "/index.html")
    return sorted(pages)


def build_started(cache_folder: Path | None) -> int:
    """The file system's time now, as it will stamp files written from now on (its clock is
    coarser than Python's, so it is asked by writing a file)."""
    if cache_folder is None:
        return 0
    try:
        cache_folder.mkdir(parents=True, exist_ok=True)
        marker = cache_folder / "build-started"
        marker.write_bytes(b"")
        return marker.stat().st_mtime_ns
    except OSError:
        return 0

