"""schema.org JSON-LD for the event and programme pages (``Event``, ``EventSeries``, ``Schedule``).

Search engines read it to show dates, places, prices and seats; ``json_for_script`` makes it
safe inside the page's ``<script>``.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from core import money
from core import recurrence as rec
from events import selectors
from events.models import AttendanceMode, Event, EventStatus
from events.presentation import FEW_SEATS

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
SCHEMA = "https://schema.org/"
ATTENDANCE = {
    AttendanceMode.OFFLINE: "OfflineEventAttendanceMode",
    AttendanceMode.ONLINE: "OnlineEventAttendanceMode",
    AttendanceMode.MIXED: "MixedEventAttendanceMode",
}
SCHEMA_DAYS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}


def json_for_script(data) -> str:
    """JSON safe inside ``<script>``: ``<``, ``>`` and ``&`` escaped as the venue pages do."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))  # noqa: S308 - escaped above


def _place(venue, facts, url: str) -> dict:
    place = {
        "@type": "Place",
        "name": venue.title,
        "url": url or None,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": facts.street_address or None,
            "postalCode": facts.postcode or None,
            "addressLocality": facts.city,
            "addressRegion": facts.region or None,
            "addressCountry": facts.country.code,
        },
    }
    place["address"] = {k: v for k, v in place["address"].items() if v is not None}
    if facts.has_coordinates:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": facts.latitude, "longitude": facts.longitude}
    return {k: v for k, v in place.items() if v is not None}


def _location(event: Event, venue, venue_url: str, page_url: str):
    place = _place(venue, event.venue, venue_url)
    # The link itself goes to registrants only; the page stands for it.
    virtual = {"@type": "VirtualLocation", "url": page_url}
    if event.attendance_mode == AttendanceMode.ONLINE:
        return virtual
    if event.attendance_mode == AttendanceMode.MIXED:
        return [place, virtual]
    return place


def _availability(remaining: int, cancelled: bool) -> str:
    if cancelled or remaining <= 0:
        return SCHEMA + "SoldOut"
    if remaining <= FEW_SEATS:
        return SCHEMA + "LimitedAvailability"
    return SCHEMA + "InStock"


def _status(event: Event, occurrence: rec.Occurrence) -> str:
    if selectors.is_cancelled(event, occurrence):
        return SCHEMA + "EventCancelled"
    if occurrence.changed:
        return SCHEMA + "EventRescheduled"
    return SCHEMA + "EventScheduled"


def event_data(
    event: Event,
    occurrence: rec.Occurrence | None,
    *,
    name: str,
    description: str,
    page_url: str,
    venue,
    venue_url: str,
    remaining: int,
    image_url: str = "",
    language: str = "",
) -> dict:
    """schema.org ``Event`` for one date of an event (the chosen or next one)."""
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": name,
        "description": description or None,
        "url": page_url,
        "image": [image_url] if image_url else None,
        "inLanguage": event.language or language or None,
        "eventAttendanceMode": SCHEMA + ATTENDANCE.get(event.attendance_mode, "OfflineEventAttendanceMode"),
        "location": _location(event, venue, venue_url, page_url),
        "organizer": {"@type": "Organization", "name": venue.title, "url": venue_url},
    }
    if occurrence is None:
        data["eventStatus"] = SCHEMA + ("EventCancelled" if event.status == EventStatus.CANCELLED else "EventScheduled")
        return {k: v for k, v in data.items() if v is not None}
    tz = ZoneInfo(event.timezone)
    cancelled = selectors.is_cancelled(event, occurrence)
    data.update(
        startDate=occurrence.start.astimezone(tz).isoformat(),
        endDate=occurrence.end.astimezone(tz).isoformat(),
        eventStatus=_status(event, occurrence),
        offers={
            "@type": "Offer",
            "price": str(money.to_decimal(event.price_minor, event.currency)),
            "priceCurrency": event.currency,
            "availability": _availability(remaining, cancelled),
            "url": page_url,
            "validFrom": event.created_at.astimezone(tz).isoformat(),
        },
    )
    if occurrence.changed and not cancelled:
        data["previousStartDate"] = occurrence.recurrence_id.astimezone(tz).isoformat()
    return {k: v for k, v in data.items() if v is not None}


def schedule_data(event: Event) -> dict | None:
    """schema.org ``Schedule`` for a simple repeating event (frequency, interval, weekdays, end)."""
    if not event.rule:
        return None
    parts = rec.rule_parts(event.rule)
    frequency = {"DAILY": "P1D", "WEEKLY": "P1W", "MONTHLY": "P1M", "YEARLY": "P1Y"}.get(parts.get("FREQ", ""))
    if frequency is None:
        return None
    interval = int(parts.get("INTERVAL", "1") or 1)
    if interval > 1:
        frequency = f"P{interval}{frequency[-1]}"
    tz = ZoneInfo(event.timezone)
    start, end = event.start.astimezone(tz), event.end.astimezone(tz)
    schedule = {
        "@type": "Schedule",
        "repeatFrequency": frequency,
        "startDate": start.date().isoformat(),
        "startTime": start.strftime("%H:%M:%S"),
        "endTime": end.strftime("%H:%M:%S"),
        "scheduleTimezone": event.timezone,
    }
    days = [SCHEMA + SCHEMA_DAYS[code] for code in parts.get("BYDAY", "").split(",") if code in SCHEMA_DAYS]
    if days:
        schedule["byDay"] = days
    if "UNTIL" in parts:
        schedule["endDate"] = event.last_end.astimezone(tz).date().isoformat()
    return schedule


def image_url(request, image, spec: str = "fill-1200x675") -> str:
    if image is None:
        return ""
    try:
        return request.build_absolute_uri(image.get_rendition(spec).url)
    except Exception:  # noqa: BLE001 - a missing file must not break the page
        return ""


def plain(text: str) -> str:
    """Rich text as a plain description (JSON-LD, iCalendar)."""
    return " ".join(strip_tags(text or "").split())
