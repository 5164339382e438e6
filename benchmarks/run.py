"""The benchmark: `make bench`.

Generates synthetic event sets (benchmarks/synthetic.py), then, in one run on one machine:
times the full build (as `make html` builds: Pelican with the search index), `make check`,
and a rebuild after editing one event; records peak memory; times plain Pelican building the same number of
plain articles with its default theme, as the baseline; measures the feeds, the largest page
and the weight of an event page; and writes a Markdown report. Several runs, medians quoted.

    python benchmarks/run.py --sizes 1000 10000 --runs 3 --output docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from synthetic import write_event_set, write_plain_articles  # noqa: E402

PYTHON = sys.executable
ENV = {**os.environ, "EVENTS_TODAY": "2026-11-24", "PYTHONPATH": str(ROOT / "plugins"),
       "SOURCE_DATE_EPOCH": "1767225600"}
BASELINE_SETTINGS = """\
SITENAME = "Baseline"
SITEURL = ""
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en"
LOAD_CONTENT_CACHE = False
"""
# Run a command and report its peak memory: the resident set of the largest process among it
# and its children (Pelican's, and the calendar's workers).
MEASURE = ("import resource, subprocess, sys, time; started = time.perf_counter(); "
           "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
           "print(time.perf_counter() - started, "
           "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)")


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    peak_kb: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def measure(command: list[str], cwd: Path) -> tuple[float, int]:
    # Every command starts with nothing left to write to disk: the hundreds of megabytes the
    # command before wrote would otherwise be flushed while this one runs, and slow it.
    os.sync()
    result = subprocess.run([PYTHON, "-c", MEASURE, *command], cwd=cwd, env=ENV,
                            capture_output=True, text=True, check=True)
    seconds, peak_kb, code = result.stdout.split()
    if code != "0":
        raise SystemExit(f"benchmark command failed ({code}): {' '.join(command)}")
    return float(seconds), int(peak_kb)


def pelican(content: Path, output: Path, settings: Path, cache: Path | None = None) -> list[str]:
    command = [PYTHON, "-m", "pelican", str(content), "-o", str(output), "-s", str(settings),
               "--fatal", "errors", "-q"]
    if cache is not None:
        # As `make html` builds: with the search index. The calendar's build cache is this
        # run's only: the full build starts with it empty, the rebuild after one edit finds
        # what the full build left in it.
        command += ["-e", "EVENTS_SEARCH_INDEX=true", f"CACHE_PATH={json.dumps(str(cache))}"]
    return command


def make_html(content: Path, output: Path, cache: Path) -> list[str]:
    """`make html` itself, as an editor runs it (over the site before last, with the cache)."""
    return ["make", "--no-print-directory", "-C", str(ROOT), "html", f"INPUTDIR={content}",
            f"OUTPUTDIR={output}", f"CACHEDIR={cache}", "PELICANOPTS=--fatal errors -q"]


def edit_one_event(content: Path, number: int) -> None:
    first = sorted((content / "events").rglob("*.md"))[number]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("title: ", "title: Edited ", 1), encoding="utf-8")


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def run_size(size: int, runs: int, work: Path) -> dict:
    content, plain = work / "content", work / "plain"
    write_event_set(content, size)
    write_plain_articles(plain, size)
    (work / "baseline.py").write_text(BASELINE_SETTINGS)
    settings = ROOT / "pelicanconf.py"
    names = ("build", "check_first", "check", "rebuild", "fresh", "baseline")
    timings = {name: Timing() for name in names}

    def record(name: str, command: list[str]) -> None:
        seconds, peak = measure(command, work)
        timings[name].seconds.append(seconds)
        timings[name].peak_kb = max(timings[name].peak_kb, peak)

    # `make html` keeps the site before last to build over: made here, untimed, by the first
    # two `make html` of an editor's day. Its content is a copy of its own, so that each
    # `make html` follows one edit, as an editor's does (the other measurements edit too).
    editor_content, editor_site, editor_cache = work / "editor", work / "site", work / "site-cache"
    shutil.copytree(content, editor_content)
    for _ in range(2):
        measure(make_html(editor_content, editor_site, editor_cache), ROOT)
    for run in range(runs):
        output, cache = work / f"out{run}", work / f"cache{run}"
        # The full build: nothing in the cache, a new output folder.
        record("build", pelican(content, output, settings, cache))
        # make check reads what the last build kept (the cache), and keeps nothing itself:
        # first with nothing kept (a fresh clone, CI), then after one edit since the build.
        def check(cache_folder: Path) -> list[str]:
            check_settings = work / "check_settings.py"
            check_settings.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                                      f"from pelicanconf import *\n"
                                      f"CACHE_PATH = {str(cache_folder)!r}\n")
            return [PYTHON, "-m", "events_calendar.check", str(content), "--settings",
                    str(check_settings), "--no-diff"]

        shutil.rmtree(work / "nothing-kept", ignore_errors=True)
        record("check_first", check(work / "nothing-kept"))
        edit_one_event(content, 2 * run)
        record("check", check(cache))
        # After that edit, building over the last build (as `make devserver` and Pelican's own
        # incremental builds do): the cache, and only changed files written.
        record("rebuild", pelican(content, output, settings, cache))
        # After an edit, `make html`: with its cache, over the site before last.
        edit_one_event(editor_content, 2 * run + 1)
        seconds, peak = measure(make_html(editor_content, editor_site, editor_cache), ROOT)
        timings["fresh"].seconds.append(seconds)
        timings["fresh"].peak_kb = max(timings["fresh"].peak_kb, peak)
        record("baseline", pelican(plain, work / f"plain{run}", work / "baseline.py"))
    site = work / "out0"
    pages = sorted(site.rglob("*.html"))
    largest = max(pages, key=lambda page: page.stat().st_size)
    event_pages = sorted(site.glob("events/*/index.html"))
    css = site / "theme" / "css" / "main.css"
    event_weights = sorted(gz(page) + gz(css) for page in event_pages
                           if (page.parent / f"{page.parent.name}.ics").is_file())
    index_bytes = sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file())
    return {
        "size": size,
        "timings": {name: {"median": t.median, "runs": t.seconds, "peak_mb": t.peak_kb / 1024}
                    for name, t in timings.items()},
        "files": {
            "calendar.ics": (site / "calendar.ics").stat().st_size,
            "upcoming.rss.xml": (site / "upcoming.rss.xml").stat().st_size,
            "upcoming.atom.xml": (site / "upcoming.atom.xml").stat().st_size,
            "events.json": (site / "events.json").stat().st_size,
            "search/events.json": (site / "search" / "events.json").stat().st_size,
            "search index": index_bytes,
        },
        "largest_page": (str(largest.relative_to(site)), largest.stat().st_size),
        "event_page_gz": {"median": statistics.median(event_weights),
                          "largest": event_weights[-1]},
        "pages": len(pages),
    }


def machine() -> str:
    model = "unknown processor"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        total_kb = int(meminfo.read_text().split()[1])
        memory = f", {total_kb / 1024 / 1024:.0f} GB memory"
    return (f"{platform.system()} {platform.machine()}, {model}, {os.cpu_count()} cores"
            f"{memory}, Python {platform.python_version()}")


def kb(number: float) -> str:
    return f"{number / 1024:,.1f} KB"


def report(results: list[dict], runs: int) -> str:
    lines = ["# Benchmarks", "",
             "Made by `make bench` (benchmarks/run.py). Do not edit by hand: run it again.", "",
             f"Machine: {machine()}.", f"Medians of {runs} runs each. Synthetic event sets "
             "(benchmarks/synthetic.py): 10% all-day, 5% repeating, 5% in other time zones, "
             "3% cancelled, Markdown bodies of 150 to 400 words; the baseline is plain Pelican "
             "building the same number of articles with the same bodies and its default theme. "
             "A full build starts with an empty build cache and a new output folder, and "
             "includes the search index (Pagefind), which plain Pelican does not make. "
             "The rebuild after one edit builds over the last build with its cache, as "
             "`make devserver` does, search index included; `make html` after one edit is the "
             "command itself, which builds over the site before last (`output.spare`) with "
             "its cache and swaps the result in. "
             "`make check` reads what the last build kept of each file (in `.cache/`) and "
             "keeps nothing itself: with nothing kept it reads every file; after one edit "
             "since the last build it reads that one again.",
             "", "## Timings", "",
             "| events | full build | baseline (plain Pelican) | "
             "build ÷ baseline | the same, run by run (median) | "
             "rebuild after one edit | rebuild ÷ build | "
             "`make html` after one edit | make check after one edit | "
             "make check, first run | peak memory (build) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for result in results:
        t = {name: timing["median"] for name, timing in result["timings"].items()}
        full, rebuild, fresh = t["build"], t["rebuild"], t["fresh"]
        peak = max(timing["peak_mb"] for timing in result["timings"].values())
        # Each run's build and baseline are measured in the same run, a minute apart, so their
        # ratio is less moved by the machine slowing down or speeding up during the benchmark.
        paired = statistics.median(
            build / baseline for build, baseline in zip(result["timings"]["build"]["runs"],
                                                        result["timings"]["baseline"]["runs"]))
        lines.append(
            f"| {result['size']:,} | {full:.1f} s | "
            f"{t['baseline']:.1f} s | {full / t['baseline']:.2f} | {paired:.2f} | "
            f"{rebuild:.1f} s | "
            f"{rebuild / full:.2f} | {fresh:.1f} s ({fresh / full:.2f} ×) | "
            f"{t['check']:.2f} s | {t['check_first']:.2f} s | {peak:.0f} MB |")
    lines += ["", "## Sizes", "",
              "| events | pages | calendar.ics | RSS | Atom | events.json | "
              "search page's events (search/events.json) | search index | "
              "largest page | event page, HTML + CSS gzipped (median, largest) |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for result in results:
        f = result["files"]
        name, size = result["largest_page"]
        lines.append(
            f"| {result['size']:,} | {result['pages']:,} | {kb(f['calendar.ics'])} | "
            f"{kb(f['upcoming.rss.xml'])} | {kb(f['upcoming.atom.xml'])} | "
            f"{kb(f['events.json'])} | "
            f"{kb(f['search/events.json']) if 'search/events.json' in f else 'not made'} | "
            f"{kb(f['search index'])} | `{name}` {kb(size)} | "
            f"{kb(result['event_page_gz']['median'])}, {kb(result['event_page_gz']['largest'])} |")
    lines += ["", "## Every run", "", "```json", json.dumps(results, indent=1), "```", ""]
    return "\n".join(lines)


def measure_sizes(sizes: list[int], runs: int) -> list[dict]:
    results = []
    # Nothing is deleted until every measurement is done: after tens of thousands of files
    # are deleted, ext4 takes far longer to make new ones for a while (its inode allocator
    # steps around recently freed inodes), which would slow whichever build came next.
    with contextlib.ExitStack() as folders:
        for size in sizes:
            folder = folders.enter_context(tempfile.TemporaryDirectory(prefix=f"bench-{size}-"))
            print(f"Benchmarking {size:,} events...", flush=True)
            results.append(run_size(size, runs, Path(folder)))
    return results


def recorded_results(report_file: Path) -> list[dict]:
    """The figures of the last run, from its report's "Every run" section."""
    text = report_file.read_text(encoding="utf-8")
    start = text.index("## Every run")
    block = text[text.index("```json", start) + len("```json"):]
    return json.loads(block[:block.index("```")])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--report-only", action="store_true",
                        help="measure nothing: write the report again from the figures already "
                             "in --output (after editing benchmarks/notes.md)")
    args = parser.parse_args(argv)
    if args.report_only:
        results = recorded_results(args.output)
        runs = len(results[0]["timings"]["build"]["runs"])
    else:
        results, runs = measure_sizes(args.sizes, args.runs), args.runs
    text = report(results, runs)
    notes = HERE / "notes.md"
    if notes.is_file():
        text += "\n" + notes.read_text(encoding="utf-8")
    args.output.write_text(text, encoding="utf-8")
    print(f"Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
