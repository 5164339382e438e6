"""Parts of pages rendered once per build and reused on every page that shows them.

An occurrence of an event appears as a card on many list pages: its month, the upcoming list,
its series, each of its access features and topics, free or online. With 10,000 events that
was 90,000 cards rendered for 11,000 different ones, and a fifth of the build.
"""

from __future__ import annotations

from typing import Callable

from jinja2 import pass_context
from jinja2.runtime import Context, Macro


def rendered_once() -> Callable:
    """A template global, ``once(macro, *arguments)``: the macro's output for those arguments,
    rendered the first time and remembered for the rest of the build.

    Only for macros whose output depends on nothing but their arguments and SITEURL (which
    differs between pages when URLs are relative, so it is part of the key): the event card.
    """
    made: dict[tuple, tuple] = {}

    @pass_context
    def once(context: Context, macro: Macro, *arguments):
        # Objects (occurrences) by identity: they live for the whole build, and each entry
        # keeps its arguments so that no identity can be reused by another object.
        key = (macro.name, context.get("SITEURL"),
               *(value if isinstance(value, (str, int)) else id(value) for value in arguments))
        found = made.get(key)
        if found is None:
            found = made[key] = (macro(*arguments), arguments)
        return found[0]

    return once
