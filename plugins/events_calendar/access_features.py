"""The access features vocabulary: the words editors may use under ``accessibility``.

Each term is described in words on the site (never by an icon alone), so the label must make
sense read aloud by a screen reader and the description says what a visitor can rely on.
Adding a term here is all that is needed to allow it; docs/event-format.md lists them for editors.
"""

from __future__ import annotations

from dataclasses import dataclass


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


VOCABULARY: dict[str, AccessFeature] = {
    feature.slug: feature
    for feature in (
        AccessFeature("step-free", "Step-free access",
                      "Step-free route from the street to the event space, by ramp or lift."),
        AccessFeature("accessible-toilet", "Accessible toilet",
                      "A wheelchair-accessible toilet on site."),
        AccessFeature("changing-places", "Changing Places toilet",
                      "A Changing Places toilet with a hoist and adult-sized changing bench."),
        AccessFeature("hearing-loop", "Hearing loop",
                      "An induction loop for hearing aid users."),
        AccessFeature("bsl", "British Sign Language interpretation",
                      "A British Sign Language (BSL) interpreter for the whole event."),
        AccessFeature("captions", "Live captions",
                      "Live captions of everything that is said."),
        AccessFeature("audio-description", "Audio description",
                      "Audio description of visual content."),
        AccessFeature("large-print", "Large print materials",
                      "Printed materials available in large print."),
        AccessFeature("easy-read", "Easy Read materials",
                      "Information available in Easy Read."),
        AccessFeature("quiet-space", "Quiet space",
                      "A quiet room or area to take a break."),
        AccessFeature("relaxed", "Relaxed event",
                      "A relaxed atmosphere: moving around and making noise are welcome."),
        AccessFeature("seating", "Seating available",
                      "Seats for everyone who needs one, including at standing events."),
        AccessFeature("blue-badge-parking", "Blue Badge parking",
                      "Parking for Blue Badge holders at or next to the venue."),
        AccessFeature("assistance-dogs", "Assistance dogs welcome",
                      "Assistance dogs are welcome, with water available."),
    )
}
