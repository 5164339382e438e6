"""Editors' mistakes, reported like a compiler's errors and warnings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, TextIO


@dataclass(frozen=True, order=True)
class Problem:
    """One finding in one file: ``path:line: field: what is wrong (how to fix it)``.

    Errors stop the build (and fail ``make check``); warnings are reported and let it pass.
    """

    path: str
    line: int
    field: str
    message: str
    fix: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        kind = "warning: " if self.severity == "warning" else ""
        text = f"{self.path}:{self.line}: {self.field}: {kind}{self.message}"
        return f"{text} ({self.fix})" if self.fix else text

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def field_label(name: str) -> str:
    """A field name as a problem line shows it: as typed when plain, else quoted and cut short,
    with no colon, so that ``path:line: field:`` can always be read back."""
    if name and name.isprintable() and len(name) <= 40 and ":" not in name:
        return name
    return repr(name[:40]).replace(":", "\\x3a")


def write_lines(problems: Iterable[Problem], stream: TextIO) -> list[Problem]:
    """Write every finding, one line each, in file and line order; return them sorted."""
    problems = sorted(set(problems))
    for problem in problems:
        # One finding is one line, whatever an editor typed into a value.
        stream.write(" ".join(str(problem).splitlines()) + "\n")
    return problems


def report(problems: Iterable[Problem], stream: TextIO) -> int:
    """For a build: write every problem, then say nothing was published; return the count."""
    problems = write_lines(problems, stream)
    if problems:
        files = len({problem.path for problem in problems})
        stream.write(
            f"{count(len(problems), 'problem')} in {count(files, 'file')}: "
            "nothing was published. Fix them and build again.\n"
        )
    return len(problems)


def summary(problems: list[Problem]) -> str:
    """'2 errors and 1 warning in 3 files', for the end of a check."""
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    files = len({problem.path for problem in problems})
    return (f"{count(errors, 'error')} and {count(warnings, 'warning')} in "
            f"{count(files, 'file')}")


def count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
