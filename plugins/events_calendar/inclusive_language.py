"""The inclusive language check: the council's guide, as data, over titles, summaries and bodies.

The guide is content/inclusive-language.yaml (see its header), so editors extend it without
touching code. Matching is by whole words in any case: "BAME" is found in "BAME-led" but not in
"Bamenda".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .frontmatter import SourceFile
from .problems import Problem

GUIDE_FILE = "inclusive-language.yaml"
LEVELS = ("error", "warning")
# What is read: the fields a resident sees as prose, and the description below the front matter.
CHECKED_FIELDS = ("title", "summary", "accessibility_notes")


@dataclass(frozen=True)
class Term:
    term: str
    level: str
    why: str
    instead: str
    pattern: re.Pattern


def _pattern(words: list[str], except_before: list[str]) -> re.Pattern:
    forms = []
    for form in sorted(words, key=len, reverse=True):
        # A space or hyphen between words matches either; nothing may touch the ends.
        parts = [re.escape(part) for part in re.split(r"[\s-]+", form.strip()) if part]
        forms.append(r"[\s-]+".join(parts))
    allowed = "".join(rf"(?!\s+{re.escape(word)}(?![\w']))" for word in except_before)
    return re.compile(r"(?<![\w-])(?:" + "|".join(forms) + r")(?![\w])" + allowed, re.IGNORECASE)


def _words(value) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(item) for item in value]


def load_guide(path: Path) -> tuple[list[Term], list[Problem]]:
    """Read the guide; a mistake in it is reported like any other file's."""
    shown = str(path)
    if not path.is_file():
        return [], []
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        line = getattr(getattr(error, "problem_mark", None), "line", 0) + 1
        return [], [Problem(shown, line, "guide", f"is not valid YAML: {error}",
                            "compare with the entries at the top of the file")]
    if not isinstance(entries, list):
        return [], [Problem(shown, 1, "guide", "is not a list of terms",
                            "start each entry with '- term:'")]
    terms, problems = [], []
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("term"), str):
            problems.append(Problem(shown, 1, "term", f"entry {index} has no term",
                                    "give each entry a 'term:'"))
            continue
        level = str(entry.get("level", "warning")).lower()
        if level not in LEVELS:
            problems.append(Problem(shown, 1, "level", f"{entry['term']!r} has level {level!r}",
                                    "use error or warning"))
            continue
        also, except_before = (_words(entry.get(key)) for key in ("also", "except_before"))
        terms.append(Term(entry["term"], level, str(entry.get("why", "")).strip(),
                          str(entry.get("instead", "")).strip(),
                          _pattern([entry["term"], *also], except_before)))
    return terms, problems


def _combined(terms: list[Term]) -> re.Pattern:
    """One pattern for the whole guide, so each text is read once however long the guide."""
    key = tuple(id(term) for term in terms)
    if _COMBINED.get("key") != key:
        _COMBINED["key"] = key
        _COMBINED["pattern"] = re.compile("|".join(
            f"(?P<t{index}>{term.pattern.pattern})" for index, term in enumerate(terms)),
            re.IGNORECASE)
    return _COMBINED["pattern"]


_COMBINED: dict = {}


def check_text(terms: list[Term], text: str, path: str, field: str, first_line: int) -> list[Problem]:
    """Every use of a guide term in ``text``, which starts on ``first_line`` of the file."""
    if not terms:
        return []
    found = []
    for match in _combined(terms).finditer(text):
        term = terms[int(match.lastgroup[1:])]
        if "\n" in match.group(0):
            continue  # terms are matched within a line
        because = f": {term.why}" if term.why else ""
        found.append(Problem(path, first_line + text.count("\n", 0, match.start()), field,
                             f"{match.group(0)!r} is in the Inclusive Language Guide{because}",
                             f"write {term.instead} instead" if term.instead else "",
                             severity=term.level))
    return found


def check_source(terms: list[Term], source: SourceFile) -> list[Problem]:
    """Check a file's prose fields and its description."""
    found = []
    for field in CHECKED_FIELDS:
        value = source.fields.get(field)
        if isinstance(value, str) and value:
            found += check_text(terms, value, source.path, field, source.line_of(field))
    found += check_text(terms, source.body, source.path, "description", source.body_line)
    return found
