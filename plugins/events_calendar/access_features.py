"""The access features vocabulary: the words editors may use under ``accessibility``.

Each term is described in words on the site (never by an icon alone), so the label must make
sense read aloud by a screen reader and the description says what a visitor can rely on.
Adding a term to schema/event.schema.json is all that is needed to allow it; docs/event-format.md
lists them for editors.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import schema


@dataclass(frozen=True)
class AccessFeature:
    slug: str
    label: str
    description: str

    @property
    def url(self) -> str:
        return f"access/{self.slug}/"

    @property
    def in_sentence(self) -> str:
        """The label as it reads mid-sentence: "events with step-free access"."""
        if self.label.split()[0] in _PROPER_NOUNS:
            return self.label
        return self.label[0].lower() + self.label[1:]


# Labels that start with a name keep their capital mid-sentence.
_PROPER_NOUNS = {"British", "Blue", "Easy", "Changing"}


# The terms, labels and descriptions live in the event schema, so that editors' tools and the
# checks offer the same vocabulary.
VOCABULARY: dict[str, AccessFeature] = {
    term["const"]: AccessFeature(term["const"], term["title"], term["description"])
    for term in schema.access_vocabulary()
}
