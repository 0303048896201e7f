"""A lean iCalendar (RFC 5545) writer: every calendar Essaim serves or sends is written here —
the events feeds, the booking feeds (a person's, a resource's, a venue team's), booking invitations
(iTIP, RFC 5546: ``METHOD``, ``ORGANIZER``, ``ATTENDEE``) and a resource's free/busy time
(``VFREEBUSY``, 3.6.4: ``freebusy_calendar``).

icalendar builds an object per property and costs about a millisecond per event; a feed of ten
thousand events must be written cold in well under a second. This module writes the text itself
from plain data: escaping (3.3.11), line folding at 75 octets without splitting a UTF-8 character
(3.1), CRLF line ends, local times with ``TZID`` and one ``VTIMEZONE`` per zone used (made once
per zone and period from zoneinfo's transitions). Parsers written by others read the
result in the tests (icalendar, recurring-ical-events; ical.js and vobject come with the feeds).

Around a DST change, readers do not agree with RFC 5545 or with each other (measured with
ical.js and vobject): ical.js takes a local time that happens twice for the second one (RFC 5545
3.3.5 says the first), and both add an occurrence's duration on the wall clock (3.8.5.3 says the
exact duration), so an occurrence at a time that repeats or does not exist, or that spans the
change, would be read an hour off. Such occurrences are written exactly instead: an event that
does not repeat gets ``DTSTART``/``DTEND`` in UTC when either is such a local time, and a
repeating one gets an override (``RECURRENCE-ID``) per such occurrence, found by expanding only
the series whose time of day comes near a change of its zone (rare: a night event).
VTIMEZONE: written here, one sub-component per change (icalendar's grouping with ``RDATE`` made
ical.js skip each group's first change), with icalendar's convention for ``DTSTART`` (the spring
change at 03:00 in Paris, the new offset's wall time), which makes ical.js read a time in the gap
with the offset from before the gap, as RFC 5545 does, and every time that exists alike.

The content-line primitives (escaping, parameters, folding) are in ``core.ical_text`` and the
time zones (``VTIMEZONE``, the years a calendar uses, wall-clock changes) in ``core.ical_zones``.

Pure: no Django. Callers pass ``FeedEvent`` values and the period the time zones must cover;
what differs between calendars (product, method, name, refresh interval) are ``calendar``'s
arguments, and a property an event does not use costs nothing on the events feed's hot path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import MAXYEAR, UTC, datetime
from functools import lru_cache

from core import recurrence
from core.ical_text import escape_text, fold, parameter, uri
from core.ical_zones import awkward, change_clocks, vtimezone, zone_info

STATUSES = {"TENTATIVE", "CONFIRMED", "CANCELLED"}
#: The product identifier when a caller names none: the events feeds', unchanged since they began.
PRODID = "-//Essaim//Essaim events//FR"


@dataclass(frozen=True, slots=True)
class Attendee:
    """An ``ATTENDEE`` of an invitation (RFC 5545 3.8.4.1): who, and their answer (``PARTSTAT``)."""

    email: str
    name: str = ""
    partstat: str = "ACCEPTED"
    role: str = "REQ-PARTICIPANT"
    rsvp: bool = False


@dataclass(slots=True)  # not frozen: a frozen dataclass sets each field through object.__setattr__
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
    attendees: tuple[Attendee, ...] = ()
    last_modified: datetime | None = None
    transparency: str = ""  # TRANSP: OPAQUE or TRANSPARENT; none written when empty


def _address(name: str, email: str) -> str:
    """``;CN="…":mailto:…``, the tail of an ORGANIZER or ATTENDEE line."""
    return f";CN={parameter(name)}:mailto:{uri(email)}" if name else f":mailto:{uri(email)}"


def _local(moment: datetime, tz: str) -> str:
    if tz == "UTC":
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return moment.astimezone(zone_info(tz)).strftime("%Y%m%dT%H%M%S")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _when(name: str, moments: Iterable[datetime], tz: str) -> str:
    values = ",".join(_local(m, tz) for m in moments)
    return f"{name}:{values}" if tz == "UTC" else f"{name};TZID={tz}:{values}"


def _may_meet_a_change(event: FeedEvent, clocks: tuple[tuple[float, float], ...]) -> bool:
    """Whether an occurrence of this series could start, end or run at a change's wall time
    (occurrences keep the first one's time of day unless the rule picks hours itself)."""
    if not clocks:
        return False
    if any(part in event.rule for part in ("BYHOUR", "BYMINUTE", "BYSECOND")):
        return True
    local = event.start.astimezone(zone_info(event.tz))
    start = local.hour * 60 + local.minute + local.second / 60
    span = (event.end - event.start).total_seconds() / 60 + 60  # the wall clock may run an hour more
    if span >= 24 * 60:
        return True
    return any(
        start <= high + shift and start + span >= low + shift for low, high in clocks for shift in (-1440, 0, 1440)
    )


def exact_around_changes(events: list[FeedEvent], years: tuple[int, ...]) -> list[FeedEvent]:
    """``events`` plus an override for every occurrence of a repeating event that readers would
    misplace around a DST change (see the module's docstring); a given override of such an
    occurrence gets the rule's own wall time as ``RECURRENCE-ID`` (a time in the gap written
    from UTC would name another wall time than the rule gives, and readers would not match it)."""
    if not years:
        return list(events)
    given = {(e.uid, e.recurrence_id.astimezone(UTC)): i for i, e in enumerate(events) if e.recurrence_id}
    out = list(events)
    horizon = datetime(min(years[-1] + 1, MAXYEAR), 1, 1, tzinfo=UTC)
    for event in events:
        if not event.rule or event.recurrence_id is not None or event.tz == "UTC":
            continue
        if not _may_meet_a_change(event, change_clocks(event.tz, years)):
            continue
        zone = zone_info(event.tz)
        duration = event.end - event.start
        series = recurrence.Series(
            start=event.start.astimezone(zone),
            duration=duration,
            tz=zone,
            rule=event.rule,
            rdates=frozenset(event.rdates),
        )
        try:
            found = recurrence.starts(series, horizon=horizon)
        except recurrence.RecurrenceError:
            continue
        excluded = {moment.astimezone(UTC) for moment in event.exdates}
        for start in found:
            key = (event.uid, start.astimezone(UTC))
            if key in given:
                out[given[key]] = replace(out[given[key]], recurrence_id=start)
                continue
            end = (start.astimezone(UTC) + duration).astimezone(zone)
            if key[1] in excluded:
                continue
            if awkward(start, event.tz) or awkward(end, event.tz) or start.utcoffset() != end.utcoffset():
                out.append(replace(event, start=start, end=end, recurrence_id=start, rule="", exdates=(), rdates=()))
    return out


def _start_and_end(event: FeedEvent) -> tuple[str, str]:
    """``DTSTART`` and ``DTEND``: wall times with ``TZID``, or UTC for a single occurrence at a
    wall time that repeats or does not exist (each local time computed once: the hot path)."""
    if event.tz == "UTC":
        return f"DTSTART:{_stamp(event.start)}", f"DTEND:{_stamp(event.end)}"
    zone = zone_info(event.tz)
    start = event.start if event.start.tzinfo is zone else event.start.astimezone(zone)
    end = event.end if event.end.tzinfo is zone else event.end.astimezone(zone)
    if not event.rule and (
        start.replace(fold=1 - start.fold).utcoffset() != start.utcoffset()
        or end.replace(fold=1 - end.fold).utcoffset() != end.utcoffset()
    ):
        return f"DTSTART:{_stamp(start)}", f"DTEND:{_stamp(end)}"
    return (
        f"DTSTART;TZID={event.tz}:{start:%Y%m%dT%H%M%S}",
        f"DTEND;TZID={event.tz}:{end:%Y%m%dT%H%M%S}",
    )


#: Venue names, addresses and categories come again and again in a feed: escaped once each.
_escape_shared = lru_cache(maxsize=8192)(escape_text)


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
        *_start_and_end(event),
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
        lines.append(f"LOCATION:{_escape_shared(event.location)}")
    if event.geo is not None:
        lines.append(f"GEO:{event.geo[0]:.6f};{event.geo[1]:.6f}")
    if event.url:
        lines.append(f"URL:{uri(event.url)}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(_escape_shared(c) for c in event.categories))
    if event.transparency:
        lines.append(f"TRANSP:{event.transparency}")
    if event.last_modified is not None:
        lines.append(f"LAST-MODIFIED:{_stamp(event.last_modified)}")
    if event.organizer_email:
        lines.append("ORGANIZER" + _address(event.organizer, event.organizer_email))
    for guest in event.attendees:
        rsvp = "TRUE" if guest.rsvp else "FALSE"
        lines.append(
            f"ATTENDEE;ROLE={guest.role};PARTSTAT={guest.partstat};RSVP={rsvp}" + _address(guest.name, guest.email)
        )
    lines.append("END:VEVENT")
    return lines


def _head(*, name: str, description: str, refresh_hours: int, prodid: str, method: str = "") -> list[str]:
    """The calendar's own properties, folded: what every VCALENDAR written here opens with."""
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{prodid}",
        "CALSCALE:GREGORIAN",
        *((f"METHOD:{method}",) if method else ()),
        f"NAME:{escape_text(name)}",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:PT{refresh_hours}H",
        f"X-PUBLISHED-TTL:PT{refresh_hours}H",
    ]
    if description:
        head.append(f"DESCRIPTION:{escape_text(description)}")
    return [fold(line) for line in head]


def calendar(
    events: Iterable[FeedEvent],
    *,
    name: str,
    first_year: int = 0,
    last_year: int = 0,
    years: Iterable[int] | None = None,
    description: str = "",
    refresh_hours: int = 6,
    prodid: str = PRODID,
    method: str = "",
    zones: Iterable[str] = (),
) -> str:
    """A whole VCALENDAR: its name, one VTIMEZONE per zone used, then the events, CRLF-ended.

    ``method`` makes it an iTIP message (``REQUEST``, ``CANCEL``); a feed has none. ``zones`` get
    a VTIMEZONE even when no event uses them: a calendar without events still needs a component.
    The zones cover ``years`` (see ``ical_zones.years_of``), or ``first_year`` to ``last_year``."""
    covered = tuple(sorted(set(years))) if years is not None else tuple(range(first_year, last_year + 1))
    events = exact_around_changes(list(events), covered)
    zones = sorted(({event.tz for event in events} | set(zones)) - {"UTC", ""})
    out = _head(name=name, description=description, refresh_hours=refresh_hours, prodid=prodid, method=method)
    out += [vtimezone(tz, covered) for tz in zones if covered]
    stamps: dict[datetime, str] = {}
    for event in events:
        stamp = stamps.get(event.stamp) or stamps.setdefault(event.stamp, _stamp(event.stamp))
        # 18 characters are at most 72 octets: most lines need no folding and no encoding.
        out += [line if len(line) <= 18 else fold(line) for line in _event_lines(event, stamp)]
    out.append("END:VCALENDAR")
    return "\r\n".join(out) + "\r\n"


# Free/busy (RFC 5545 3.6.4) ----------------------------------------------------------------------

#: ``FBTYPE`` values written here (3.2.9), the stronger first: busy time that is also
#: tentatively busy is simply busy.
FBTYPES = ("BUSY", "BUSY-TENTATIVE")


@dataclass(frozen=True, slots=True)
class BusyPeriod:
    start: datetime  # aware; written in UTC, as 3.8.2.6 requires
    end: datetime
    fbtype: str = "BUSY"


@dataclass(frozen=True, slots=True)
class FreeBusy:
    """One published ``VFREEBUSY``: the busy time of something over ``start``–``end``."""

    uid: str
    stamp: datetime  # DTSTAMP: the last change of what it says, so that the bytes are deterministic
    start: datetime
    end: datetime
    periods: tuple[BusyPeriod, ...] = ()
    url: str = ""


def _coalesce(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted spans with those that overlap or touch joined."""
    out: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _subtract(spans: list[tuple[datetime, datetime]], taken: list[tuple[datetime, datetime]]):
    """``spans`` without ``taken`` (both coalesced and sorted)."""
    out = []
    for start, end in spans:
        for low, high in taken:
            if high <= start or low >= end:
                continue
            if low > start:
                out.append((start, low))
            start = max(start, high)
            if start >= end:
                break
        if start < end:
            out.append((start, end))
    return out


def merged_periods(
    periods: Iterable[BusyPeriod], *, within: tuple[datetime, datetime] | None = None
) -> list[BusyPeriod]:
    """Periods as RFC 5545 recommends publishing them: clipped to ``within``, overlapping and
    adjoining ones of a type merged, sorted by start, and none overlapping another (where busy
    and tentative time overlap, the time is busy)."""
    by_type: dict[str, list[tuple[datetime, datetime]]] = {fbtype: [] for fbtype in FBTYPES}
    for period in periods:
        start, end = period.start, period.end
        if within is not None:
            start, end = max(start, within[0]), min(end, within[1])
        if start < end:
            by_type.setdefault(period.fbtype, []).append((start, end))
    out, stronger = [], []
    for fbtype, spans in by_type.items():
        spans = _subtract(_coalesce(spans), stronger)
        out += [BusyPeriod(start, end, fbtype) for start, end in spans]
        stronger = _coalesce(stronger + spans)
    return sorted(out, key=lambda period: (period.start, period.end))


def freebusy_calendar(
    freebusy: FreeBusy, *, name: str, description: str = "", refresh_hours: int = 6, prodid: str = PRODID
) -> str:
    """A VCALENDAR holding one published ``VFREEBUSY`` (no ``METHOD``, no ``ORGANIZER``): one
    ``FREEBUSY`` line per period, its ``FBTYPE`` given, in UTC, periods merged and sorted
    (``merged_periods``), CRLF-ended. One period a line rather than a comma-separated list: every
    reader tried takes it, and a line for each period keeps most of them short of folding."""
    lines = [
        "BEGIN:VFREEBUSY",
        f"UID:{escape_text(freebusy.uid)}",
        f"DTSTAMP:{_stamp(freebusy.stamp)}",
        f"DTSTART:{_stamp(freebusy.start)}",
        f"DTEND:{_stamp(freebusy.end)}",
    ]
    if freebusy.url:
        lines.append(f"URL:{uri(freebusy.url)}")
    for period in merged_periods(freebusy.periods, within=(freebusy.start, freebusy.end)):
        lines.append(f"FREEBUSY;FBTYPE={period.fbtype}:{_stamp(period.start)}/{_stamp(period.end)}")
    lines.append("END:VFREEBUSY")
    out = _head(name=name, description=description, refresh_hours=refresh_hours, prodid=prodid)
    out += [fold(line) for line in lines]
    out.append("END:VCALENDAR")
    return "\r\n".join(out) + "\r\n"
