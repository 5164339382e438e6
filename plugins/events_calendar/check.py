"""Check every event and series file without building: ``python -m events_calendar.check``.

Editors run this as ``make check``; it reads the files exactly as the build does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .loading import load_content
from .problems import report
from .settings import TodayError, today_for


def read_site_settings(path: Path) -> dict:
    """Read pelicanconf.py the way Pelican does, so the check uses the site's time zone."""
    from pelican.settings import read_settings

    return read_settings(str(path)) if path.is_file() else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make check", description=__doc__.splitlines()[0])
    parser.add_argument("content", nargs="?", default="content", type=Path,
                        help="the content folder (default: content)")
    parser.add_argument("-s", "--settings", default="pelicanconf.py", type=Path,
                        help="the Pelican settings file (default: pelicanconf.py)")
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
    content = load_content(args.content, settings, today)
    if report(content.problems, sys.stderr):
        return 1
    events = len(content.events) + len(content.drafts)
    print(f"Checked {events} event files and {len(content.series)} series files: "
          "no problems found.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
