"""Split an event or series file into its YAML front matter and its Markdown body.

YAML 1.1, which PyYAML speaks, has traps for people writing by hand: an unquoted ``18:00`` is
the number 1080, ``no`` is false, ``0800`` is octal. Front matter is therefore read with every
value kept as the text the editor typed, and each field is converted by the event model, which
knows what the field should be and can say so when it is not. The line of every field is kept
so that problems point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .problems import Problem, field_label

FENCE = "---"
# The only YAML tags that plain front matter produces; anything else (``!!python/object``,
# ``!!binary``, a custom ``!tag``) is refused rather than silently read as text.
PLAIN_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
MAX_NESTING = 10


@dataclass
class SourceFile:
    """A file's front matter fields (as text, lists and mappings), their lines and its body."""

    path: str
    fields: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1

    def line_of(self, name: str) -> int:
        """Return the line of a field, or the first line of the front matter when absent."""
        return self.lines.get(name, 1)


class _TextLoader(yaml.BaseLoader):
    """A YAML loader that resolves no implicit types: every scalar stays the text typed."""


_DEFAULT_TAGS = {ScalarNode: "tag:yaml.org,2002:str", SequenceNode: "tag:yaml.org,2002:seq",
                 MappingNode: "tag:yaml.org,2002:map"}


class _FastTextLoader(getattr(yaml, "CBaseLoader", _TextLoader)):
    """The same, with libyaml's parser; node types resolve without the generic resolver."""

    def resolve(self, kind, value, implicit):
        return _DEFAULT_TAGS[kind]


MAX_FRONT_MATTER = 200_000
# libyaml (CBaseLoader) reads front matter ten times faster than pure Python, but recurses in C
# on nested [ and { and would crash the process on a hostile file; such files go to the
# pure-Python loader, whose recursion ends in a RecursionError that is reported.
_MAX_FLOW_DEPTH_FOR_C = 64


def _loader_for(yaml_text: str):
    if not getattr(yaml, "__with_libyaml__", False):
        return _TextLoader
    if yaml_text.count("[") + yaml_text.count("{") <= _MAX_FLOW_DEPTH_FOR_C:
        return _FastTextLoader  # cannot be nested deeper than it has brackets
    depth = deepest = 0
    for char in yaml_text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(depth - 1, 0)
    return _TextLoader if deepest > _MAX_FLOW_DEPTH_FOR_C else _FastTextLoader


def read_source(path: Path, display_path: str) -> tuple[SourceFile | None, list[Problem]]:
    """Read one file; return it, or the problems that stop it being read."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [Problem(display_path, 1, "file", f"cannot be read: {error.strerror}",
                              "check the file's permissions")]
    return source_from_bytes(raw, display_path)


def source_from_bytes(raw: bytes, display_path: str) -> tuple[SourceFile | None, list[Problem]]:
    """A file's bytes, as read_source reads them."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem(display_path, line, "file",
                              f"is not UTF-8 text (byte 0x{raw[error.start]:02x})",
                              "save the file as UTF-8")]
    return parse_source(text, display_path)


def parse_source(text: str, display_path: str) -> tuple[SourceFile | None, list[Problem]]:
    """Parse a file's text into front matter and body."""
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [Problem(display_path, line, "file", "contains binary data (a NUL byte)",
                              "an event file must be plain text")]
    lines = text.splitlines()
    if not lines or lines[0].rstrip() != FENCE:
        return None, [Problem(display_path, 1, "front matter", "missing",
                              "start the file with a line '---', then the fields, then '---'")]
    closing = next((n for n, line in enumerate(lines[1:], start=1)
                    if line.rstrip() in (FENCE, "...")), None)
    if closing is None:
        return None, [Problem(display_path, len(lines), "front matter", "is not closed",
                              "add a line '---' after the last field")]
    yaml_text = "\n".join(lines[1:closing])
    source = SourceFile(path=display_path, body="\n".join(lines[closing + 1:]) + "\n",
                        body_line=closing + 2)
    problems = _read_fields(yaml_text, source)
    return (None if problems else source), problems


def _read_fields(yaml_text: str, source: SourceFile) -> list[Problem]:
    # Line 1 of the file is the opening '---', so YAML line 0 is file line 2.
    offset = 2
    if len(yaml_text) > MAX_FRONT_MATTER:
        return [Problem(source.path, 1, "front matter",
                        f"is {len(yaml_text):,} characters long, more than {MAX_FRONT_MATTER:,}",
                        "put long text in the description below the front matter")]
    try:
        node = yaml.compose(yaml_text, Loader=_loader_for(yaml_text))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + offset if mark else 1
        reason = error.problem or error.context or "is not valid YAML"
        return [Problem(source.path, line, "front matter", f"is not valid YAML: {reason}",
                        "check the indentation, and put quotes around values that contain ': '")]
    except yaml.YAMLError as error:
        return [Problem(source.path, 1, "front matter", f"is not valid YAML: {error}",
                        "check the front matter's syntax")]
    except RecursionError:
        return [Problem(source.path, 1, "front matter", "is nested too deeply",
                        "fields are text, lists or simple mappings")]
    if node is None:
        return [Problem(source.path, 1, "front matter", "is empty",
                        "add at least 'title:' and 'start:' between the '---' lines")]
    if not isinstance(node, MappingNode):
        return [Problem(source.path, node.start_mark.line + offset, "front matter",
                        "is not a list of 'field: value' lines",
                        "write each field as 'name: value' on its own line")]
    problems = _check_plain(node, source.path, offset, "front matter", set(), 0)
    if problems:
        return problems
    for key_node, value_node in node.value:
        name = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.value)
        line = key_node.start_mark.line + offset
        if name in source.fields:
            problems.append(Problem(source.path, line, name,
                                    f"is given twice (also on line {source.lines[name]})",
                                    "keep one of them"))
            continue
        source.fields[name] = _plain_value(value_node)
        source.lines[name] = line
    return problems


def _check_plain(node: Node, path: str, offset: int, name: str, seen: set[int],
                 depth: int, field_line: int | None = None) -> list[Problem]:
    """Refuse YAML features that have no place in front matter and could be abused."""
    # An alias node is the anchored node itself, so its own mark points at the anchor: name
    # the field's line instead, which is where the editor must look.
    line = field_line or node.start_mark.line + offset
    if id(node) in seen:
        return [Problem(path, line, name, "uses a YAML alias ('*name')",
                        "write the value out in full")]
    seen.add(id(node))
    if node.tag not in PLAIN_TAGS:
        return [Problem(path, line, name, f"uses the YAML tag {node.tag!r}",
                        "remove the '!' tag and write plain text")]
    if depth > MAX_NESTING:
        return [Problem(path, line, name, "is nested too deeply",
                        "fields are text, lists or simple mappings")]
    if isinstance(node, SequenceNode):
        children = node.value
    elif isinstance(node, MappingNode):
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode):
                return [Problem(path, key_node.start_mark.line + offset, name,
                                "has a field name that is not text", "write 'name: value'")]
        children = [value for _, value in node.value]
        if depth == 0:
            problems: list[Problem] = []
            for key_node, value_node in node.value:
                problems += _check_plain(value_node, path, offset, field_label(key_node.value),
                                         seen, 1,
                                         key_node.start_mark.line + offset)
            return problems
    else:
        return []
    problems = []
    for child in children:
        problems += _check_plain(child, path, offset, name, seen, depth + 1, field_line)
    return problems


def _plain_value(node: Node) -> Any:
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SequenceNode):
        return [_plain_value(child) for child in node.value]
    return {key.value: _plain_value(value) for key, value in node.value}
