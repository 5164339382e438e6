"""Check every event and series file without building: ``make check``.

Three checks, reported together like a compiler's findings, one line each, then a count:
1. every file is read exactly as the build reads it (any problem there is an error);
2. titles, summaries, access notes and descriptions against the Inclusive Language Guide
   (content/inclusive-language.yaml: errors or warnings, as the guide says);
3. what subscribers would see change since the merge base with main: a uid that disappeared
   or changed is an error (run ``make diff`` for the whole report).
The exit status is 1 when there is an error, 0 when there are only warnings.
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

from . import build_cache, inclusive_language
from .loading import load_content
from .problems import summary, write_lines
from .settings import TodayError, today_for


def read_site_settings(path: Path) -> dict:
    """Read the site's settings file (pelicanconf.py), for its time zone and calendar settings.

    Run as Pelican runs it, but without loading Pelican, which would double the time of a check.
    """
    if not path.is_file():
        return {}
    folder = str(path.resolve().parent)
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)  # publishconf.py imports pelicanconf from beside it
    try:
        values = runpy.run_path(str(path))
    finally:
        if added:
            sys.path.remove(folder)
    return {name: value for name, value in values.items() if name.isupper()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make check", description=__doc__.splitlines()[0])
    parser.add_argument("content", nargs="?", default="content", type=Path,
                        help="the content folder (default: content)")
    parser.add_argument("-s", "--settings", default="pelicanconf.py", type=Path,
                        help="the Pelican settings file (default: pelicanconf.py)")
    parser.add_argument("--files", nargs="+", type=Path, metavar="FILE",
                        help="report only findings in these files (the whole folder is still "
                             "read, so that checks across files work); used by pre-commit")
    parser.add_argument("--base", help="compare with this git revision for the subscriber "
                                       "check (default: the merge base with main)")
    parser.add_argument("--no-diff", action="store_true",
                        help="skip the subscriber check")
    args = parser.parse_args(argv)
    if not args.content.is_dir():
        sys.stderr.write(f"{args.content}: no such folder (give the content folder)\n")
        return 2
    settings = read_site_settings(args.settings)
    try:
        today = today_for(settings)
    except TodayError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    # What the last build read from each file is reused (the cache in CACHE_PATH): a file
    # changed since is read again, and so is every file when anything else changed. A check
    # stores nothing itself: storing 10,000 files' worth cost a first check (a fresh clone,
    # CI) more than reading them, and after any build the cache has them.
    content = load_content(args.content, settings, today,
                           build_cache.open_cache(settings, new_build=False, stores=False))
    findings = list(content.problems)
    terms, guide_problems = inclusive_language.load_guide(
        args.content / inclusive_language.GUIDE_FILE)
    findings += guide_problems
    for source in content.sources:
        findings += inclusive_language.check_source(terms, source)
    note = ""
    if not args.no_diff and not content.problems:
        from .subscriber_diff import diff_against, problems_of

        result = diff_against(args.base, args.content, settings, today, content)
        if result is None:
            note = "Subscriber check skipped: no git base to compare with.\n"
        else:
            findings += problems_of(result.changes)
    if args.files:
        wanted = {path.resolve() for path in args.files}
        findings = [f for f in findings if Path(f.path).resolve() in wanted]
    findings = write_lines(findings, sys.stderr)
    errors = sum(finding.is_error for finding in findings)
    events = len(content.events) + len(content.drafts)
    print(f"{note}Checked {events} event files and {len(content.series)} series files: "
          f"{summary(findings) if findings else 'no problems found'}.")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
