"""The search index: Pagefind, run over the built site in parts, each part kept between builds.

Pagefind has no incremental mode: given 10,000 event pages it indexes all of them again, and
that alone took a third of a full build. So the pages it indexes are shared out between parts
("shards") by a hash of their address, each part indexed by its own Pagefind run, and each
part's index kept in the cache under a hash of the pages it was made from. After an editor
changes one event, only that event's part is indexed again; every other part is copied from
the cache. The search page merges the parts in the browser (Pagefind's ``mergeIndex``), reading
their list from ``pagefind/parts.json``.

A calendar with up to PAGES_PER_PART indexed pages (every borough's we know of) has one part:
the index is exactly the one ``pagefind --site output`` makes, in ``pagefind/``. A larger one
has its pages that are not events (series, information) there, as the first part, and its
event pages shared out between ``pagefind/part-2/``, ``pagefind/part-3/``...

Only pages that mark their content with ``data-pagefind-body`` are indexed (event, series and
information pages); the long list pages are never handed to Pagefind at all, which also saves
it reading megabytes of HTML it would ignore.

    python -m events_calendar.search_index output/ --cache .cache
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

# Large enough that a borough's calendar is one part (one index for the browser to load),
# small enough that re-indexing the part an edit touched takes a few seconds.
PAGES_PER_PART = 2000
BUNDLE = "pagefind"
PARTS_FILE = "parts.json"
MANIFEST = "pages.json"  # in the cache: each page's size, time and digest at the last run
# The marker is on the page's <main> element (theme/templates/base.html).
MAIN = re.compile(rb"<main\b[^>]*>")
HTML_TAG = re.compile(rb"<html\b[^>]*>")
INDEXED = re.compile(rb"<main\b[^>]*\sdata-pagefind-body[\s>=]")
HEAD_BYTES = 16 * 1024


@dataclass(frozen=True)
class Part:
    number: int  # from 1
    pages: tuple[str, ...]  # paths relative to the site, "/"-separated, sorted
    key: str  # a hash of the pages' paths and digests, and of the Pagefind version

    @property
    def folder(self) -> str:
        """Where in the site this part's index goes."""
        return BUNDLE if self.number == 1 else f"{BUNDLE}/part-{self.number}"


def indexed_pages(site: Path, known: dict | None = None) -> dict[str, str]:
    """The pages Pagefind indexes, each with a digest of what it is given of it: every page
    that marks content for the search index, or if none does, every page (Pagefind's rule).

    ``known`` is what the last run over this folder found ({path: [size, mtime, digest]}):
    a page with the same size and time of last change is not read again. It is updated.
    """
    known = {} if known is None else known
    found = {}
    for folder, subfolders, files in os.walk(site):
        if Path(folder) == site and BUNDLE in subfolders:
            subfolders.remove(BUNDLE)
        for name in files:
            if not name.endswith(".html"):
                continue
            path = Path(folder, name)
            relative = path.relative_to(site).as_posix()
            status = path.stat()
            entry = known.get(relative)
            if not entry or entry[:2] != [status.st_size, status.st_mtime_ns]:
                data = _read_if_marked(path)
                digest = hashlib.sha256(_indexed_part(data)).hexdigest() if data else None
                entry = [status.st_size, status.st_mtime_ns, digest]
            found[relative] = entry
    known.clear()
    known.update(found)
    marked = {name: entry[2] for name, entry in sorted(found.items()) if entry[2]}
    if marked:
        return marked
    return {name: hashlib.sha256((site / name).read_bytes()).hexdigest()
            for name in sorted(found)}


def _given_to_pagefind(site: Path, name: str) -> bytes:
    data = _read_if_marked(site / name)
    return _indexed_part(data) if data else (site / name).read_bytes()


def _read_if_marked(path: Path) -> bytes | None:
    with path.open("rb") as page:
        data = page.read(HEAD_BYTES)
        # The <main> element is near the top: a long list page is not read to its end.
        while MAIN.search(data) is None:
            more = page.read(HEAD_BYTES)
            if not more:
                return None
            data += more
        return data + page.read() if INDEXED.search(data) else None


def _indexed_part(page: bytes) -> bytes:
    """The page as Pagefind needs it: its language and its marked <main> element.

    Pagefind indexes only what is inside data-pagefind-body and takes the title from its first
    heading, so what it stores for the page is byte for byte what the whole page gives (a
    test checks it), but it need not parse the head, the navigation and the footer: that was
    nearly half of its time. And a part is indexed again only when an indexed text changed.
    """
    html, main = HTML_TAG.search(page), MAIN.search(page)
    end = page.rfind(b"</main>")  # HTML allows one <main>
    if main is None or end < main.start():  # no closing tag: Pagefind gets the page as it is
        return page
    start = main.start()
    return (b"<!DOCTYPE html>" + (html.group(0) if html else b"<html>") + b"<body>"
            + page[start:end] + b"</main></body></html>")


class Staging:
    """The pages to index, handed over by the build as it writes them, so that the index
    need not find and read them back from disk (Pelican's own run with EVENTS_SEARCH_INDEX).

    Each marked page's indexed part (see _indexed_part) is written to a folder in memory
    (/dev/shm where there is one) under the page's own path; forked processes add to the same
    folder. ``build(..., staged=...)`` indexes from there; ``close`` deletes it.
    """

    def __init__(self) -> None:
        scratch = _scratch_space()
        _remove_abandoned(Path(scratch or tempfile.gettempdir()))
        self.root = Path(tempfile.mkdtemp(prefix=f"search-pages-{os.getpid()}-", dir=scratch))
        self.folder = self.root / "pages"
        self._digests = self.root / "digests"  # a list per process: each page's path, digest
        self.folder.mkdir()
        self._digests.mkdir()

    def add(self, relative: str, page: bytes) -> str:
        """Hand over a page of the site (its path relative to the site, and its bytes); return
        a digest of what the index is given of it, or "" if it is not indexed."""
        main = MAIN.search(page)
        if main is None or INDEXED.match(page, main.start()) is None:
            return ""  # not marked for the search index: a list page, the 404 page
        indexed = _indexed_part(page)
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(indexed)
        digest = hashlib.sha256(indexed).hexdigest()
        self._list(relative, digest)
        return digest

    def add_unchanged(self, relative: str, digest: str) -> None:
        """Hand over a page the build left as it was on disk, by the digest ``add`` gave it
        then: it is read from the site only if its part of the index must be made again."""
        self._list(relative, digest)

    def _list(self, relative: str, digest: str) -> None:
        """Note a page's digest, so that ``pages`` need not read every page again."""
        handle = os.open(self._digests / f"{os.getpid()}.tsv",
                         os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:  # one write, appended whole: processes share nothing but the folder
            os.write(handle, f"{relative}\t{digest}\n".encode())
        finally:
            os.close(handle)

    def pages(self) -> dict[str, str]:
        """Every page handed over, with a digest of what Pagefind is given of it."""
        found = {}
        for listed in self._digests.iterdir():
            for line in listed.read_text(encoding="utf-8").splitlines():
                relative, _, digest = line.partition("\t")
                found[relative] = digest  # (a page written twice: its last bytes)
        return dict(sorted(found.items()))

    def has(self, relative: str) -> bool:
        """Whether the page itself was handed over (not only its digest)."""
        return (self.folder / relative).is_file()

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _remove_abandoned(scratch: Path) -> None:
    """Delete the pages of builds that were killed before they could (they hold memory): each
    folder is named after its build's process, so one whose process has gone is abandoned."""
    for folder in scratch.glob("search-pages-*-*"):
        pid = folder.name.split("-")[2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # another user's process: alive, not ours to touch
            pass


def part_of(page: str, count: int) -> int:
    """An event page's part (from 2): fixed by its address, so editing it never moves it."""
    return int.from_bytes(hashlib.sha256(page.encode()).digest()[:8], "big") % count + 2


def plan(pages: dict[str, str], pages_per_part: int = PAGES_PER_PART) -> list[Part]:
    """One part if the pages fit in one; else the pages that are not events (series,
    information) in the first part, and the event pages shared out between the rest."""
    if len(pages) <= pages_per_part:
        members = {1: list(pages)}
    else:
        events = [page for page in pages if page.startswith("events/")]
        # The same count as the build's early indexing works out (event_parts), so that
        # the parts it made are found here by their keys.
        count = event_parts(len(events), pages_per_part) or 1
        members = {number: [] for number in range(1, count + 2)}
        for page in pages:
            members[part_of(page, count) if page.startswith("events/") else 1].append(page)
    members = {number: names for number, names in members.items() if names}
    if members and 1 not in members:  # the first part's place must not be empty
        members[1] = members.pop(min(members))
    return [_part(number, len(members), {name: pages[name] for name in names})
            for number, names in sorted(members.items())]


def _part(number: int, count: int, pages: dict[str, str]) -> Part:
    """Part ``number`` of ``count``, holding ``pages`` (path: digest)."""
    hashed = hashlib.sha256(
        f"pagefind {metadata.version('pagefind')}; part {number} of {count}\n".encode())
    for name in sorted(pages):
        hashed.update(f"{name}\0{pages[name]}\n".encode())
    return Part(number, tuple(sorted(pages)), hashed.hexdigest())


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)  # instant, and the cache and the site share the bytes
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(source, target)


def _copy_tree(source: Path, target: Path) -> None:
    for path in sorted(source.rglob("*")):
        if path.is_file():
            _link_or_copy(path, target / path.relative_to(source))


def _place(source: Path, target: Path) -> None:
    """Put a part's index (from the cache) at its place in the site, unless it is there."""
    entry = "pagefind-entry.json"
    if (target / entry).is_file() and os.path.samefile(target / entry, source / entry):
        return  # an earlier build put this very part here (make devserver, a rebuild)
    if target.is_dir():
        for child in target.iterdir():
            if child.is_dir() and child.name.startswith("part-"):
                continue  # the other parts, inside the first part's folder
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    _copy_tree(source, target)


def _scratch_space() -> str | None:
    """Memory (a RAM disk) for the pages handed to Pagefind, where the system has one: making
    thousands of files there is far quicker than on disk, and they are deleted straight away."""
    shared = Path("/dev/shm")
    return str(shared) if shared.is_dir() and os.access(shared, os.W_OK) else None


def _run_pagefind(part: Part, site: Path, into: Path, staged: Staging | None = None) -> None:
    """Index one part: its pages alone, under their own paths, so the addresses are right.

    Pagefind numbers pages in the order the file system lists them, and a folder in memory
    lists them in the order they were made: so they are put there in order of their paths,
    whichever process wrote them first, and the index is the same from build to build."""
    with tempfile.TemporaryDirectory(prefix="pages-", dir=_scratch_space()) as staging:
        for name in part.pages:
            target = Path(staging, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            if staged is not None and staged.has(name):  # in memory already: shared
                _link_or_copy(staged.folder / name, target)
            else:
                target.write_bytes(_given_to_pagefind(site, name))
        result = subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", staging, "--output-path", str(into),
             "--silent"], capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(into, ignore_errors=True)
        raise SearchIndexFailed(f"Pagefind failed on part {part.number} of the search index:\n"
                                f"{result.stdout}{result.stderr}")


class SearchIndexFailed(RuntimeError):
    """Pagefind failed; its own message says why."""


def build(site: Path, cache: Path | None = None, pages_per_part: int = PAGES_PER_PART,
          staged: Staging | None = None) -> tuple[int, int]:
    """Write the search index into ``site``; returns (parts indexed now, parts from the cache).

    With ``staged``, the pages are the ones the build handed over; without, they are found
    by reading the site (a page unchanged since the last run over this folder is not read).
    """
    manifest = cache / "search-index" / MANIFEST if cache is not None else None
    known = _read_manifest(manifest, site) if staged is None else {}
    pages = staged.pages() if staged is not None else {}
    if not pages:  # nothing handed over, or no page marked: Pagefind's own rule
        staged = None
        pages = indexed_pages(site, known)
    parts = plan(pages, pages_per_part)
    bundle = site / BUNDLE
    if bundle.is_dir():  # parts of an earlier build that this one does not have
        wanted = {part.folder for part in parts}
        for folder in bundle.glob("part-*"):
            if f"{BUNDLE}/{folder.name}" not in wanted:
                shutil.rmtree(folder)
    with tempfile.TemporaryDirectory(prefix="search-index-") as scratch:
        store = cache / "search-index" if cache is not None else Path(scratch)
        store.mkdir(parents=True, exist_ok=True)
        missing = _index_parts(parts, site, store, staged)
        for part in parts:
            _place(store / part.key, site / part.folder)
        if cache is not None:
            # Keep only what this build used: an older part is never wanted again unless an
            # edit is undone, and would otherwise pile up with every edit.
            wanted = {part.key for part in parts}
            for entry in store.iterdir():
                if entry.is_dir() and entry.name not in wanted:
                    shutil.rmtree(entry, ignore_errors=True)
            if staged is None:
                manifest.write_text(json.dumps({"site": str(site.resolve()), "pages": known}),
                                    encoding="utf-8")
            else:  # the pages on disk may have changed without this run reading them
                manifest.unlink(missing_ok=True)
    (bundle / PARTS_FILE).write_text(json.dumps({
        "merge": [f"part-{part.number}/" for part in parts[1:]]}) + "\n", encoding="utf-8")
    return len(missing), len(parts) - len(missing)


def _index_parts(parts: list[Part], site: Path, store: Path,
                 staged: Staging | None) -> list[Part]:
    """Index the parts not in ``store`` yet, each into ``store/<its key>``; return them."""
    missing = [part for part in parts if not (store / part.key).is_dir()]

    def index(part: Part) -> None:
        partial = store / f"{part.key}.partial.{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        _run_pagefind(part, site, partial, staged)
        try:
            partial.rename(store / part.key)
        except OSError:  # made meanwhile by the same pages (see index_event_part_early)
            shutil.rmtree(partial, ignore_errors=True)

    # Each Pagefind run uses every core for some of its time and one for the rest, so two
    # at once keep a two-core machine busy.
    with ThreadPoolExecutor(max_workers=max(1, min(len(missing), os.cpu_count() or 1))) as pool:
        list(pool.map(index, missing))
    return missing


def event_parts(event_pages: int, pages_per_part: int = PAGES_PER_PART) -> int:
    """How many parts ``plan`` shares that many event pages between (0: they are not parted)."""
    if event_pages + 1 <= pages_per_part:
        return 0  # one part, with the other pages
    return max(1, -(-event_pages // pages_per_part))


def index_event_part_early(site: Path, cache: Path, staged: Staging, number: int,
                           count: int) -> bool:
    """Index part ``number`` (from 2) of a large calendar's event pages as soon as they are
    all handed over, while the build goes on writing its other pages, and place it in the
    site: the search index then costs the build little more than its last part. ``count`` is
    ``event_parts(...)``. Returns whether it was indexed now (not found in the cache).

    ``build`` at the end finds the part in place by its key; should the pages it plans with
    differ, it indexes them itself. (The first part, the pages that are not events, is left
    to ``build``.)"""
    pages = {name: page_digest for name, page_digest in staged.pages().items()
             if name.startswith("events/") and part_of(name, count) == number}
    part = _part(number, count + 1, pages)
    store = cache / "search-index"
    store.mkdir(parents=True, exist_ok=True)
    indexed = _index_parts([part], site, store, staged)
    _place(store / part.key, site / part.folder)
    return bool(indexed)


def _read_manifest(manifest: Path | None, site: Path) -> dict:
    """What the last run found in this same folder, if it was this folder."""
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8")) if manifest else {}
    except (OSError, ValueError):
        return {}
    return recorded["pages"] if recorded.get("site") == str(site.resolve()) else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m events_calendar.search_index",
        description="Build the search index of a built site (Pagefind, in parts, cached).")
    parser.add_argument("site", type=Path, help="the built site, e.g. output/")
    parser.add_argument("--cache", type=Path, help="keep each part's index here between builds")
    parser.add_argument("--pages-per-part", type=int, default=PAGES_PER_PART,
                        help=f"pages in each part of the index (default {PAGES_PER_PART})")
    args = parser.parse_args(argv)
    if not args.site.is_dir():
        print(f"{args.site}: no built site here (run make html)", file=sys.stderr)
        return 2
    try:
        indexed, reused = build(args.site, args.cache, max(1, args.pages_per_part))
    except SearchIndexFailed as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Search index: {indexed + reused} part(s), {indexed} indexed now, "
          f"{reused} from the cache", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
