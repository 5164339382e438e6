"""The JSON Schemas of event and series front matter: one source of truth for the checks.

The schemas in schema/ are what editors' tools can use to complete and check front matter as it
is typed; the calendar's own checks read from them the field names, which fields are required,
the statuses, the access vocabulary and the longest values allowed, so the two cannot disagree.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).parent / "schema"


@cache
def load(name: str) -> dict[str, Any]:
    """The schema ``name`` ('event' or 'series')."""
    return json.loads((FOLDER / f"{name}.schema.json").read_text(encoding="utf-8"))


def field_names(name: str) -> tuple[str, ...]:
    return tuple(load(name)["properties"])


def required_fields(name: str) -> tuple[str, ...]:
    return tuple(load(name)["required"])


def mapping_fields(name: str, field: str) -> tuple[str, ...]:
    """The keys a field may take when it is written as a mapping (location, organiser)."""
    for choice in load(name)["properties"][field]["oneOf"]:
        if choice.get("type") == "object":
            return tuple(choice["properties"])
    return ()


def max_length(name: str, field: str) -> int | None:
    spec = load(name)["properties"][field]
    if "maxLength" in spec:
        return spec["maxLength"]
    lengths = [choice.get("maxLength") for choice in spec.get("oneOf", [])
               if choice.get("type") == "string"]
    return next((length for length in lengths if length), None)


def allowed_values(name: str, field: str) -> tuple[str, ...]:
    return tuple(load(name)["properties"][field]["enum"])


def access_vocabulary() -> list[dict[str, str]]:
    """Each access term with its label (title) and description."""
    return load("event")["$defs"]["access_feature"]["oneOf"]
