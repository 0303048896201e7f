"""A lean iCalendar (RFC 5545) writer for large event feeds.

icalendar builds an object per property and costs about a millisecond per event; a feed of ten
thousand events must be written cold in well under a second. This module writes the text itself
from plain data: escaping (3.3.11), line folding at 75 octets without splitting a UTF-8 character
(3.1), CRLF line ends, local times with ``TZID`` and one ``VTIMEZONE`` per zone used (made once
per zone and period by icalendar, which knows the rules). Parsers written by others read the
result in the tests (icalendar, recurring-ical-events; ical.js and vobject come with the feeds).

Pure: no Django. Callers pass ``FeedEvent`` values and the period the time zones must cover.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar

STATUSES = {"TENTATIVE", "CONFIRMED", "CANCELLED"}
PRODID = "-//Essaim//Essaim events//FR"


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    sequence: int
    summary: str
    start: datetime  # aware; written in ``tz``'s wall-clock time
    end: datetime
    tz: str  # IANA name
    stamp: datetime  # DTSTAMP: when this version was last changed
    description: str = ""
    location: str = ""
    url: str = ""
    status: str = "CONFIRMED"
    rule: str = ""  # an RRULE value, already bounded
    exdates: tuple[datetime, ...] = ()
    rdates: tuple[datetime, ...] = ()
    #: For a changed single occurrence: the start the rule gave it.
    recurrence_id: datetime | None = None
    categories: tuple[str, ...] = ()
    geo: tuple[float, float] | None = None
    organizer: str = ""  # a name; the address goes to ``organizer_email``
    organizer_email: str = ""


_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n", "\r": ""})


def escape_text(value: str) -> str:
    """TEXT values (3.3.11): backslash, semicolon and comma escaped, line breaks as ``\\n``."""
    return value.replace("\r\n", "\n").translate(_ESCAPES)


def fold(line: str) -> str:
    """Fold one content line at 75 octets, continuation lines starting with a space (3.1)."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(raw):
        end = min(start + limit, len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # never cut inside a character
            end -= 1
        parts.append(raw[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines lose one octet to the leading space
    return "\r\n ".join(parts)


def _local(moment: datetime, tz: str) -> str:
    if tz == "UTC":
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return moment.astimezone(_zone(tz)).strftime("%Y%m%dT%H%M%S")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _when(name: str, moments: Iterable[datetime], tz: str) -> str:
    values = ",".join(_local(m, tz) for m in moments)
    return f"{name}:{values}" if tz == "UTC" else f"{name};TZID={tz}:{values}"


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=256)
def vtimezone(tz: str, first_year: int, last_year: int) -> str:
    """The VTIMEZONE block of ``tz`` for the years given, from icalendar (cached: a feed of any
    size pays for each zone once)."""
    component = icalendar.Timezone.from_tzid(tz, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1))
    return component.to_ical().decode("utf-8").replace("\r\n", "\n").strip().replace("\n", "\r\n")


def _event_lines(event: FeedEvent, stamp_text: str | None = None) -> list[str]:
    status = event.status if event.status in STATUSES else "CONFIRMED"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{stamp_text or _stamp(event.stamp)}",
        f"SEQUENCE:{max(0, int(event.sequence))}",
    ]
    if event.recurrence_id is not None:
        lines.append(_when("RECURRENCE-ID", [event.recurrence_id], event.tz))
    lines += [
        _when("DTSTART", [event.start], event.tz),
        _when("DTEND", [event.end], event.tz),
        f"SUMMARY:{escape_text(event.summary)}",
        f"STATUS:{status}",
    ]
    if event.rule:
        lines.append(f"RRULE:{event.rule}")
    if event.exdates:
        lines.append(_when("EXDATE", sorted(event.exdates), event.tz))
    if event.rdates:
        lines.append(_when("RDATE", sorted(event.rdates), event.tz))
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.geo is not None:
        lines.append(f"GEO:{event.geo[0]:.6f};{event.geo[1]:.6f}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in event.categories))
    if event.organizer_email:
        name = event.organizer.replace('"', "'")
        lines.append(
            f'ORGANIZER;CN="{name}":mailto:{event.organizer_email}'
            if name
            else f"ORGANIZER:mailto:{event.organizer_email}"
        )
    lines.append("END:VEVENT")
    return lines


def calendar(
    events: Iterable[FeedEvent],
    *,
    name: str,
    first_year: int,
    last_year: int,
    description: str = "",
    refresh_hours: int = 6,
) -> str:
    """A whole VCALENDAR: its name, one VTIMEZONE per zone used, then the events, CRLF-ended."""
    events = list(events)
    zones = sorted({event.tz for event in events if event.tz != "UTC"})
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"NAME:{escape_text(name)}",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:PT{refresh_hours}H",
        f"X-PUBLISHED-TTL:PT{refresh_hours}H",
    ]
    if description:
        head.append(f"DESCRIPTION:{escape_text(description)}")
    out = [fold(line) for line in head]
    out += [vtimezone(tz, first_year, last_year) for tz in zones]
    stamps: dict[datetime, str] = {}
    for event in events:
        stamp = stamps.get(event.stamp) or stamps.setdefault(event.stamp, _stamp(event.stamp))
        out += [fold(line) for line in _event_lines(event, stamp)]
    out.append("END:VCALENDAR")
    return "\r\n".join(out) + "\r\n"
