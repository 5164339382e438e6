"""Editors' mistakes, reported like a compiler's errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, TextIO


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one file: ``path:line: field: what is wrong (how to fix it)``."""

    path: str
    line: int
    field: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.field}: {self.message}"
        return f"{text} ({self.fix})" if self.fix else text


def report(problems: Iterable[Problem], stream: TextIO) -> int:
    """Write every problem, one line each, then a summary; return how many there were."""
    problems = sorted(set(problems))
    for problem in problems:
        # One problem is one line, whatever an editor typed into a value.
        stream.write(" ".join(str(problem).splitlines()) + "\n")
    if problems:
        files = len({problem.path for problem in problems})
        stream.write(
            f"{_count(len(problems), 'problem')} in {_count(files, 'file')}: "
            "nothing was published. Fix them and build again.\n"
        )
    return len(problems)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
