"""RSS 2.0 and Atom feeds of upcoming events, written with feedgen.

Feed readers sort items by date and hide or mis-sort items dated in the future, so an item's
date is when the event was published or last changed (from git, never the clock), and the
event's own date and time lead its title: "Thu 1 Oct 2026, 6:30pm: Film night". Items are in
an explicit order, soonest first (feedgen would otherwise prepend each new entry), and every
date feedgen would take from the clock is set from the content instead.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping, Sequence
from urllib.parse import quote, urlsplit

from feedgen.feed import FeedGenerator

from .model import Occurrence
from .revisions import NO_HISTORY, Revision
from .wording import occurrence_pieces, pieces_text, short_when_text


@dataclass(frozen=True)
class NewsFeedInfo:
    title: str
    description: str
    page_url: str  # the page that lists the same events
    rss_url: str
    atom_url: str


def entry_id(uid: str, site_url: str) -> str:
    """A permanent id for an event's item: a tag: URI (RFC 4151) built from its uid.

    The uid never changes, so neither does the id, even if the file or its page is renamed.
    """
    return f"tag:{urlsplit(site_url).hostname},2026:event:{quote(uid, safe='@.-_')}"


def entry_title(occurrence: Occurrence, site_zone) -> str:
    event = occurrence.event
    label = f"{event.status_label}: " if event.status_label else ""
    return f"{short_when_text(occurrence, site_zone)}: {label}{event.title}"


def news_feeds(next_occurrences: Sequence[Occurrence], info: NewsFeedInfo, site_url: str,
               revisions: Mapping[str, Revision], site_zone) -> tuple[bytes, bytes]:
    """The RSS and Atom feeds of events, one item per event at its next date, soonest first."""
    feed = FeedGenerator()
    feed.load_extension("media")
    feed.id(info.page_url)
    feed.title(info.title)
    feed.subtitle(info.description)
    feed.description(info.description)
    feed.link(href=info.page_url, rel="alternate")
    feed.language("en-GB")
    feed.generator("Thameside events calendar")
    feed.docs("https://www.rssboard.org/rss-specification")
    times = [revisions[o.event.uid].modified for o in next_occurrences]
    # The channel's date is its newest item's, so channel and entry dates always agree.
    feed.updated(max(times, default=NO_HISTORY))
    feed.lastBuildDate(max(times, default=NO_HISTORY))
    for occurrence in next_occurrences:
        _add_entry(feed, occurrence, site_url, revisions[occurrence.event.uid].modified, site_zone)
    rss_feed = _with_self_link(feed, info.rss_url)
    rss = rss_feed.rss_str(pretty=True)
    atom = _with_self_link(feed, info.atom_url).atom_str(pretty=True)
    return rss, atom


def _with_self_link(feed: FeedGenerator, url: str) -> FeedGenerator:
    # feedgen gives RSS's channel <link> the LAST link set, so the self link goes first and
    # the page the feed describes last.
    others = [link for link in feed.link() if link.get("rel") != "self"]
    feed.link([{"href": url, "rel": "self"}, *others], replace=True)
    return feed


def _add_entry(feed: FeedGenerator, occurrence: Occurrence, site_url: str, modified: datetime,
               site_zone) -> None:
    event = occurrence.event
    page = f"{site_url}/{event.url}"
    entry = feed.add_entry(order="append")
    entry.id(entry_id(event.uid, site_url))
    entry.guid(entry_id(event.uid, site_url), permalink=False)
    entry.title(entry_title(occurrence, site_zone))
    entry.link(href=page, rel="alternate")
    entry.updated(modified)
    entry.published(modified)
    entry.pubDate(modified)
    for name in [series.title for series in event.series] + list(event.tags):
        entry.category(term=name, label=name)
    summary = _summary(occurrence, site_zone)
    entry.summary(summary)
    entry.description(summary)
    if event.image:
        image = event.image if urlsplit(event.image).scheme else f"{site_url}/{event.image}"
        media_type = mimetypes.guess_type(urlsplit(image).path)[0] or "image/jpeg"
        # A Media RSS element, not an enclosure: feedgen 1.0 writes an enclosure into Atom as a
        # second link without rel="enclosure", which RFC 4287 forbids (two alternate links).
        entry.media.content(url=image, type=media_type, medium="image")


def _summary(occurrence: Occurrence, site_zone) -> str:
    event = occurrence.event
    lines = [pieces_text(occurrence_pieces(occurrence, site_zone)) + "."]
    if event.status_label:
        lines.append(f"This event has been {event.status}.")
    if event.is_repeating:
        lines.append("This event repeats: see its page for every date.")
    if event.summary:
        lines.append(event.summary)
    if event.location:
        lines.append(f"Where: {event.location.one_line}.")
    if event.online:
        lines.append("Online." if event.location is None else "Also online.")
    if event.access_features:
        lines.append("Access: " + "; ".join(f.label for f in event.access_features) + ".")
    if event.cost:
        lines.append(f"Cost: {event.cost}.")
    if event.image and event.image_alt:
        lines.append(f"Image: {event.image_alt}")
    return " ".join(lines)
