"""schema.org Event JSON-LD for event pages, with what Google's event rich result asks for.

Each occurrence of a repeating event is its own Event, as Google asks. The JSON is made safe to
sit inside a <script> element: "<" is written as \\u003c, so no value can close the element.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Sequence
from urllib.parse import urlsplit

from markupsafe import Markup

from .model import Event, Occurrence

SCHEMA = "https://schema.org/"
EVENT_STATUS = {"scheduled": "EventScheduled", "cancelled": "EventCancelled",
                "postponed": "EventPostponed", "rescheduled": "EventRescheduled"}
ATTENDANCE = {"in person": "OfflineEventAttendanceMode", "online": "OnlineEventAttendanceMode",
              "online and in person": "MixedEventAttendanceMode"}
_PRICE = re.compile(r"£\s*(\d+(?:\.\d{1,2})?)")


def _value(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def price_of(event: Event) -> str | None:
    """'0' for free events, the first £ amount for paid ones, None when it cannot be told."""
    if event.is_free:
        return "0"
    match = _PRICE.search(event.cost)
    return match.group(1) if match else None


def event_objects(event: Event, occurrences: Sequence[Occurrence], site_url: str) -> list[dict]:
    page = f"{site_url}/{event.url}"
    objects = []
    for occurrence in occurrences:
        data = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": event.title,
            "startDate": _value(occurrence.start),
            "eventStatus": SCHEMA + EVENT_STATUS[event.status],
            "eventAttendanceMode": SCHEMA + ATTENDANCE[event.attendance],
            "url": page,
            "description": event.summary or event.title,
        }
        if occurrence.end is not None:
            data["endDate"] = _value(occurrence.end)
        locations = []
        if event.location:
            address = {"@type": "PostalAddress", "addressCountry": "GB"}
            if event.location.address:
                address["streetAddress"] = event.location.address
            if event.location.postcode:
                address["postalCode"] = event.location.postcode
            place = {"@type": "Place", "name": event.location.name, "address": address}
            if event.location.url:
                place["url"] = event.location.url
            if event.location.latitude is not None:
                place["geo"] = {"@type": "GeoCoordinates", "latitude": event.location.latitude,
                                "longitude": event.location.longitude}
            locations.append(place)
        if event.online:
            locations.append({"@type": "VirtualLocation", "url": event.online})
        if locations:
            data["location"] = locations[0] if len(locations) == 1 else locations
        if event.image:
            image = event.image if urlsplit(event.image).scheme else f"{site_url}/{event.image}"
            data["image"] = [image]
        if event.organiser:
            organiser = {"@type": "Organization", "name": event.organiser.name}
            if event.organiser.url:
                organiser["url"] = event.organiser.url
            if event.organiser.email:
                organiser["email"] = event.organiser.email
            data["organizer"] = organiser
        price = price_of(event)
        if price is not None:
            data["offers"] = {"@type": "Offer", "price": price, "priceCurrency": "GBP",
                              "url": event.booking or page,
                              "availability": SCHEMA + "InStock"}
            if event.status == "cancelled":
                data["offers"]["availability"] = SCHEMA + "SoldOut"
        if event.access_features:
            # schema.org's accessibilityFeature is for creative works; for places and events the
            # amenityFeature list is what readers of structured data look for.
            data["amenityFeature"] = [
                {"@type": "LocationFeatureSpecification", "name": feature.label, "value": True}
                for feature in event.access_features]
        if event.accessibility_notes:
            data["accessibilitySummary"] = event.accessibility_notes
        objects.append(data)
    return objects


def json_ld(event: Event, occurrences: Sequence[Occurrence], site_url: str) -> Markup:
    """The JSON-LD document for an event page, ready for a script element."""
    objects = event_objects(event, occurrences, site_url)
    text = json.dumps(objects[0] if len(objects) == 1 else objects, ensure_ascii=False, indent=1)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
