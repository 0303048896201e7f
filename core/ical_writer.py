"""A lean iCalendar (RFC 5545) writer: every calendar Essaim serves or sends is written here —
the events feeds, the booking feeds (a person's, a resource's) and booking invitations (iTIP,
RFC 5546: ``METHOD``, ``ORGANIZER``, ``ATTENDEE``).

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

Pure: no Django. Callers pass ``FeedEvent`` values and the period the time zones must cover;
what differs between calendars (product, method, name, refresh interval) are ``calendar``'s
arguments, and a property an event does not use costs nothing on the events feed's hot path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import MAXYEAR, MINYEAR, UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from core import recurrence, text

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


#: TEXT (3.3.11) holds no control character but tab: every line break (``core.text.BREAKS``)
#: is written ``\\n``, the other controls and lone surrogates are dropped (``core.text.multi_line``).
_ESCAPES = str.maketrans(
    {
        **dict.fromkeys(text.BREAKS, "\\n"),
        **dict.fromkeys(text.CONTROLS + text.SURROGATES),
        "\\": "\\\\",
        ";": "\\;",
        ",": "\\,",
    }
)


def escape_text(value: str) -> str:
    """TEXT values (3.3.11): backslash, semicolon and comma escaped, line breaks as ``\\n``, no
    other control character (stored text may hold any: see ``core.text``)."""
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


#: Parameter values: RFC 6868's ``^^`` and ``^'`` for ``^`` and ``"``. Parameters carry names
#: (``CN``), which are single lines: a line break or tab is a space (``core.text.one_line``; RFC
#: 6868's ``^n`` would show as such in the clients that do not know it), other controls dropped.
#: A backslash is written U+FF3C (＼): RFC 5545 gives it no meaning in a parameter, but icalendar
#: reads ``\\,`` ``\\;`` ``\\:`` there as escapes and ical.js every TEXT escape, so no
#: spelling of a backslash reads back the same in both.
_PARAMETER = str.maketrans(
    {
        **dict.fromkeys(text.BREAKS + "\t", " "),
        **dict.fromkeys(text.CONTROLS + text.SURROGATES),
        "^": "^^",
        '"': "^'",
        "\\": "\uff3c",
    }
)


def _parameter(value: str) -> str:
    """A parameter value, always quoted (3.2), escaped by RFC 6868, on one line."""
    return '"' + value.replace("\r\n", "\n").translate(_PARAMETER) + '"'


#: What could end or break a URI value's line (3.3.13): percent-encoded.
_URI = str.maketrans({c: "".join(f"%{b:02X}" for b in c.encode()) for c in " \t" + text.BREAKS + text.CONTROLS})


def _uri(value: str) -> str:
    """A URI value (``URL``, ``mailto:``) as stored, with spaces and control characters
    percent-encoded so that no stored text can end the line."""
    if value.isascii() and value.isprintable() and " " not in value:  # the usual case: nothing to do
        return value
    return value.translate(_URI).encode("utf-8", "replace").decode("utf-8")


def _address(name: str, email: str) -> str:
    """``;CN="…":mailto:…``, the tail of an ORGANIZER or ATTENDEE line."""
    return f";CN={_parameter(name)}:mailto:{_uri(email)}" if name else f":mailto:{_uri(email)}"


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


@lru_cache(maxsize=4096)
def _transitions_in(tz: str, year: int) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    """The zone's offset changes in one year: ``(instant in UTC, offset before, offset after)``,
    found by comparing offsets a day apart and then bisecting to the second."""
    zone = _zone(tz)
    day = 86400
    moment = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp()) if year < MAXYEAR else moment + 365 * day

    def offset(seconds: int) -> timedelta:
        return datetime.fromtimestamp(seconds, zone).utcoffset()

    found = []
    before = offset(moment)
    while moment < end:
        after = offset(moment + day)
        if after != before:
            low, high = moment, moment + day
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == before else (low, middle)
            found.append((datetime.fromtimestamp(high, UTC), before, after))
        moment, before = moment + day, after
    return tuple(found)


def _transitions(tz: str, years: tuple[int, ...]) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    """The zone's offset changes in those years (each year's found once, then cached)."""
    return tuple(change for year in years for change in _transitions_in(tz, year))


def _runs(years: tuple[int, ...]) -> list[tuple[int, int]]:
    """Sorted years as runs of consecutive ones: ``(2025, 2027), (2031, 2031)``."""
    runs: list[tuple[int, int]] = []
    for year in years:
        if runs and runs[-1][1] == year - 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


def years_of(moments: Iterable[datetime], spans: Iterable[tuple[datetime, datetime]] = ()) -> tuple[int, ...]:
    """The years a calendar's time zones must cover: those of ``moments`` (each written time) and
    every year of ``spans`` (a repeating event's first start to its last end), a day's margin
    either side standing for any zone's offset. Only these: a calendar asked for up to the year
    9000 whose events are in 2026 describes 2025 to 2027 (it once carried 41,856 sub-components)."""
    day = timedelta(days=1)
    found: set[int] = set()

    def margin(moment: datetime) -> tuple[int, int]:
        low = moment - day if moment.year > MINYEAR else moment
        high = moment + day if moment.year < MAXYEAR else moment
        return low.year, high.year

    for moment in moments:
        found.update(margin(moment))
    for start, end in spans:
        first, _high = margin(start)
        _low, last = margin(max(start, end))
        found.update(range(first, last + 1))
    return tuple(sorted(found))


def _offset_text(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign, seconds = ("-" if seconds < 0 else "+"), abs(seconds)
    text = f"{sign}{seconds // 3600:02d}{seconds % 3600 // 60:02d}"
    return text + f"{seconds % 60:02d}" if seconds % 60 else text


@lru_cache(maxsize=256)
def vtimezone(tz: str, years: tuple[int, ...]) -> str:
    """The VTIMEZONE block of ``tz`` for the years given, sorted (cached: a feed pays for each
    zone once).

    Written from zoneinfo's own transitions: the offset in force on 1 January of the first year
    (and of the first year after each gap in ``years``), then one sub-component per change with
    its ``DTSTART`` written as icalendar writes it (the later of the two wall times at the change).
    Not one sub-component per kind with the later changes as ``RDATE``, as icalendar does: ical.js
    then ignores the ``DTSTART`` (measured: the first year's changes were lost, a spring Sunday in
    Montreal read an hour off)."""
    zone = _zone(tz)
    runs = _runs(years)
    spans = ", ".join(f"from {first}-01-01 to {last + 1}-01-01" for first, last in runs)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tz}", fold(f"COMMENT:Offsets {spans}.")]

    def part(moment: datetime, before: timedelta, after: timedelta, clock: datetime) -> list[str]:
        local = moment.astimezone(zone)
        kind = "DAYLIGHT" if local.dst() else "STANDARD"
        return [
            f"BEGIN:{kind}",
            f"DTSTART:{clock:%Y%m%dT%H%M%S}",
            f"TZNAME:{escape_text(local.tzname() or tz)}",
            f"TZOFFSETFROM:{_offset_text(before)}",
            f"TZOFFSETTO:{_offset_text(after)}",
            f"END:{kind}",
        ]

    for first, last in runs:
        start = datetime(first, 1, 1, tzinfo=zone)
        lines += part(start, start.utcoffset(), start.utcoffset(), start.replace(tzinfo=None))
        for moment, before, after in _transitions(tz, tuple(range(first, last + 1))):
            lines += part(moment, before, after, (moment + max(before, after)).replace(tzinfo=None))
    lines.append("END:VTIMEZONE")
    return "\r\n".join(lines)


def awkward(moment: datetime, tz: str) -> bool:
    """Whether ``moment``'s wall-clock time in ``tz`` happens twice or not at all (a DST change)."""
    if tz == "UTC":
        return False
    zone = _zone(tz)
    naive = moment.astimezone(zone).replace(tzinfo=None) if moment.tzinfo is not zone else moment.replace(tzinfo=None)
    return naive.replace(tzinfo=zone, fold=0).utcoffset() != naive.replace(tzinfo=zone, fold=1).utcoffset()


@lru_cache(maxsize=256)
def _change_clocks(tz: str, years: tuple[int, ...]) -> tuple[tuple[float, float], ...]:
    """The wall-clock spans (minutes of the day) that the zone's offset changes cover in those
    years: ``(120, 180)`` for Paris, whose clocks go from 2:00 to 3:00 and back."""
    if tz == "UTC":
        return ()
    spans = set()
    for moment, before, after in _transitions(tz, years):
        clocks = [(moment + offset).hour * 60 + (moment + offset).minute for offset in (before, after)]
        spans.add((float(min(clocks)), float(max(clocks))))
    return tuple(sorted(spans))


def _may_meet_a_change(event: FeedEvent, clocks: tuple[tuple[float, float], ...]) -> bool:
    """Whether an occurrence of this series could start, end or run at a change's wall time
    (occurrences keep the first one's time of day unless the rule picks hours itself)."""
    if not clocks:
        return False
    if any(part in event.rule for part in ("BYHOUR", "BYMINUTE", "BYSECOND")):
        return True
    local = event.start.astimezone(_zone(event.tz))
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
        if not _may_meet_a_change(event, _change_clocks(event.tz, years)):
            continue
        zone = _zone(event.tz)
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
    zone = _zone(event.tz)
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
        lines.append(f"URL:{_uri(event.url)}")
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
    The zones cover ``years`` (see ``years_of``), or ``first_year`` to ``last_year``."""
    covered = tuple(sorted(set(years))) if years is not None else tuple(range(first_year, last_year + 1))
    events = exact_around_changes(list(events), covered)
    zones = sorted(({event.tz for event in events} | set(zones)) - {"UTC", ""})
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
    out = [fold(line) for line in head]
    out += [vtimezone(tz, covered) for tz in zones if covered]
    stamps: dict[datetime, str] = {}
    for event in events:
        stamp = stamps.get(event.stamp) or stamps.setdefault(event.stamp, _stamp(event.stamp))
        # 18 characters are at most 72 octets: most lines need no folding and no encoding.
        out += [line if len(line) <= 18 else fold(line) for line in _event_lines(event, stamp)]
    out.append("END:VCALENDAR")
    return "\r\n".join(out) + "\r\n"
