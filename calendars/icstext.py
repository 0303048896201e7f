"""The text of an iCalendar file read into plain events: only what decides busy time, bounded.

One pass over the lines, before anything else: it refuses what is not a calendar, nesting deeper
than a calendar ever needs, truncated files, too many events, too many ``RDATE`` / ``EXDATE``
values and oversized properties; it skips every component and property that cannot make a room
busy (a 4 MB ``DESCRIPTION``, a thousand attendees, alarms: one scan, never parsed, and no summary
or name ever kept). The few properties kept are decoded here (dates, durations, rules), which is
what icalendar spends most of its time on (~0.3 ms a line, so 4 s for 2,000 events).

Zones: a ``TZID`` is looked up as icalendar does (IANA names, Outlook's Windows names such as
``Romance Standard Time``, ``/vendor/Europe/Paris``), then from the file's own ``VTIMEZONE``
(``Customized Time Zone``), built by icalendar once its observances are checked to be yearly.
Google's ``X-WR-TIMEZONE`` turns UTC times into that zone, as ``x_wr_timezone`` does, so that a
series written in UTC keeps its wall-clock time across DST changes. An unknown ``TZID`` reads as
floating time (the venue's wall clock).

Pure: no Django.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

import icalendar
from icalendar.timezone import tzp


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 5 * 1024 * 1024
    max_events: int = 10_000
    #: Occurrences met in the window, busy or not.
    max_occurrences: int = 10_000
    #: Steps all rules may take together, estimated before expansion (a step: 10 to 30 µs).
    max_steps: int = 30_000
    #: Occurrences one rule more frequent than daily (``HOURLY``, ``MINUTELY``…) may give.
    max_subdaily: int = 1_000
    #: ``RDATE`` and ``EXDATE`` values in the whole calendar.
    max_dates: int = 10_000
    #: One kept property (``RRULE``, ``EXDATE``…), unfolded.
    max_line: int = 256 * 1024
    #: Lines in the file (a Google calendar has ~25 an event): a bomb of tiny lines stops here.
    max_lines: int = 300_000
    #: Lines read (components' bounds and kept properties).
    max_properties: int = 200_000
    #: Zones defined by the file itself (``VTIMEZONE`` with a name nobody knows).
    max_zones: int = 20
    #: Safety net only: the estimates refuse the known bombs long before.
    max_seconds: float = 10.0


class CalendarError(Exception):
    """The bytes are not a calendar we can read, or break a limit. ``code`` is one of
    ``calendars.models.ErrorCode`` (``not_a_calendar``, ``too_large``, ``too_many``); the message is
    plain words for the venue's manager."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def not_a_calendar(detail: str = "") -> CalendarError:
    return CalendarError("The file is not an iCalendar calendar." + (f" {detail}" if detail else ""), "not_a_calendar")


Moment = date | datetime


@dataclass
class Event:
    """A ``VEVENT``, decoded. Times are dates, naive (floating) or aware datetimes."""

    uid: str
    start: Moment
    end: Moment | None = None
    duration: timedelta | None = None
    #: Each ``RRULE`` as its parts, upper-case names to lists of values (``UNTIL`` decoded apart).
    rules: list[dict[str, list[str]]] = field(default_factory=list)
    untils: list[Moment | None] = field(default_factory=list)
    #: ``RDATE`` values; a ``PERIOD`` is a (start, end or duration) pair.
    rdates: list[Moment | tuple] = field(default_factory=list)
    exdates: list[Moment] = field(default_factory=list)
    recurrence_id: Moment | None = None
    sequence: int = 0
    #: ``TRANSP:TRANSPARENT``, Outlook's ``X-MICROSOFT-CDO-BUSYSTATUS:FREE`` or ``STATUS:CANCELLED``.
    free: bool = False


# -- The lines ----------------------------------------------------------------------------------

#: The components we read, by parent; anything else (VALARM, VTODO, VFREEBUSY, X-…) is skipped whole.
_CHILDREN = {None: {"VCALENDAR"}, "VCALENDAR": {"VEVENT", "VTIMEZONE"}, "VTIMEZONE": {"STANDARD", "DAYLIGHT"}}
_OBSERVANCE = {"DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE", "TZNAME"}
_EVENT = {
    "UID",
    "DTSTART",
    "DTEND",
    "DURATION",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
    "SEQUENCE",
    "TRANSP",
    "STATUS",
    "X-MICROSOFT-CDO-BUSYSTATUS",
}
_KEEP = {
    "VCALENDAR": {"X-WR-TIMEZONE"},
    "VEVENT": _EVENT,
    "VTIMEZONE": {"TZID"},
    "STANDARD": _OBSERVANCE,
    "DAYLIGHT": _OBSERVANCE,
}
_NAME = re.compile(r"[A-Za-z0-9-]+")
#: A calendar nests four deep at most (VCALENDAR > VTIMEZONE > STANDARD, VCALENDAR > VEVENT > VALARM).
_MAX_DEPTH = 8


@dataclass
class _Text:
    calendar: list[str] = field(default_factory=list)
    events: list[list[str]] = field(default_factory=list)
    #: TZID → the VTIMEZONE's kept lines, BEGIN and END included.
    zones: dict[str, list[str]] = field(default_factory=dict)


#: The lines worth a look: components' bounds and the properties kept somewhere. The regular
#: expression skips everything else at C speed (a 4 MB ``DESCRIPTION`` is never seen line by line).
_RELEVANT = re.compile(
    r"\n(BEGIN|END|" + "|".join(sorted({n for names in _KEEP.values() for n in names})) + r")[;:][^\r\n]*",
    re.IGNORECASE,
)


def _lines(text: str, limits: Limits) -> _Text:
    """The kept lines, unfolded, by component."""
    # Unfolding: str.replace runs at C speed where a regular expression's sub() takes a second
    # on a million folds.
    if text.count("\n") > limits.max_lines:  # the scan below costs ~1 µs a line, even for lines it skips
        raise CalendarError("The calendar has too many lines.", "too_many")
    text = text.replace("\r\n ", "").replace("\r\n\t", "").replace("\n ", "").replace("\n\t", "")
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise not_a_calendar()
    text = "\n" + text.lstrip()
    found = _Text()
    stack: list[tuple[str, bool]] = []  # (component, kept)
    current: list[str] = found.calendar  # where the kept lines of the innermost kept component go
    zone: list[str] = []
    events = dates = 0
    for count, match in enumerate(_RELEVANT.finditer(text)):
        if count >= limits.max_properties:
            raise CalendarError("The calendar has too many properties.", "too_many")
        name, line = match.group(1).upper(), match.group(0)[1:]
        if name == "BEGIN" or name == "END":
            component = line[6 if name == "BEGIN" else 4 :].strip().upper()
            if name == "BEGIN":
                if not stack and count:
                    break  # a second calendar after the first: read the first only
                if len(stack) >= _MAX_DEPTH:
                    raise not_a_calendar("Its components are nested too deeply.")
                parent, parent_kept = stack[-1] if stack else (None, True)
                keep = parent_kept and component in _CHILDREN.get(parent, ())
                stack.append((component, keep))
                if not keep:
                    continue
                if component == "VEVENT":
                    events += 1
                    if events > limits.max_events:
                        raise CalendarError(f"The calendar has more than {limits.max_events} events.", "too_many")
                    current = []
                    found.events.append(current)
                elif component == "VTIMEZONE":
                    zone = current = []
                if component in ("VTIMEZONE", "STANDARD", "DAYLIGHT"):
                    current.append(f"BEGIN:{component}")
            else:
                if not stack or stack[-1][0] != component:
                    raise not_a_calendar("It is truncated or its components do not close.")
                _component, kept = stack.pop()
                if kept and component in ("VTIMEZONE", "STANDARD", "DAYLIGHT"):
                    current.append(f"END:{component}")
                if kept and component == "VTIMEZONE":
                    for kept_line in zone:
                        if kept_line.upper().startswith("TZID"):
                            found.zones.setdefault(_split(kept_line)[2].strip(), zone)
                if kept and component in ("VEVENT", "VTIMEZONE"):
                    current = found.calendar
            continue
        if not stack:
            raise not_a_calendar()
        component, kept = stack[-1]
        if kept and name in _KEEP[component]:
            if len(line) > limits.max_line:
                raise CalendarError("A property of the calendar is too large.", "too_large")
            if name in ("RDATE", "EXDATE") and component == "VEVENT":
                dates += line.count(",") + 1
                if dates > limits.max_dates:
                    raise CalendarError(f"The calendar lists more than {limits.max_dates} dates.", "too_many")
            current.append(line)
    if stack:
        raise not_a_calendar("It is truncated or its components do not close.")
    return found


def _split(line: str) -> tuple[str, dict[str, str], str]:
    """A content line's name, parameters and value (RFC 5545 §3.1: quoted parameter values may
    hold ``:`` and ``;``)."""
    colon = line.find(":")
    if colon < 0:
        raise ValueError("no value")
    head = line[:colon]
    if '"' in head:
        quoted, colon = False, -1
        for index, char in enumerate(line):
            if char == '"':
                quoted = not quoted
            elif char == ":" and not quoted:
                colon = index
                break
        if colon < 0:
            raise ValueError("no value")
        head = line[:colon]
        pieces, piece, quoted = [], [], False
        for char in head:
            if char == '"':
                quoted = not quoted
            elif char == ";" and not quoted:
                pieces.append("".join(piece))
                piece = []
                continue
            piece.append(char)
        pieces.append("".join(piece))
    else:
        pieces = head.split(";")
    params = {}
    for piece in pieces[1:]:
        key, _, value = piece.partition("=")
        params[key.strip().upper()] = value.strip().strip('"')
    return pieces[0].strip().upper(), params, line[colon + 1 :]


# -- Values -------------------------------------------------------------------------------------

_MOMENT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?")
_DURATION = re.compile(r"([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")


class _Zones:
    """``TZID`` → tzinfo, looked up once per name."""

    def __init__(self, defined: dict[str, list[str]], limits: Limits):
        self.defined, self.limits = defined, limits
        self.found: dict[str, tzinfo | None] = {}
        self.built = 0
        self.calendar: tzinfo | None = None  # X-WR-TIMEZONE

    def get(self, tzid: str) -> tzinfo | None:
        tzid = tzid.strip()
        if tzid not in self.found:
            self.found[tzid] = self._find(tzid)
        return self.found[tzid]

    def _find(self, tzid: str) -> tzinfo | None:
        if tzid.upper() in ("UTC", "Z", "GMT", "ETC/UTC"):
            return UTC
        try:
            known = tzp.timezone(tzid)
        except Exception:  # a provider may choke on odd names: then it is not known
            known = None
        if known is not None:
            return known
        lines = self.defined.get(tzid)
        if lines is None:
            return None
        self.built += 1
        if self.built > self.limits.max_zones:
            raise CalendarError("The calendar defines too many time zones.", "too_many")
        for line in lines:  # icalendar expands each observance's rule to 2038: yearly ones only
            name, _params, value = _split(line)
            if name == "RRULE" and "FREQ=YEARLY" not in value.upper().replace(" ", ""):
                raise not_a_calendar("A time zone of the calendar changes more than yearly.")
            if name == "RDATE" and value.count(",") > 1000:
                raise CalendarError("A time zone of the calendar changes too often.", "too_many")
        if sum(line.upper().startswith("BEGIN:") for line in lines) > 400:
            raise CalendarError("A time zone of the calendar changes too often.", "too_many")
        try:
            component = icalendar.Timezone.from_ical("\r\n".join(lines) + "\r\n")
            return component.to_tz(lookup_tzid=False)
        except Exception:  # a broken definition: the times read as floating
            return None


def _moment(text: str, params: dict[str, str], zones: _Zones) -> Moment:
    match = _MOMENT.fullmatch(text.strip())
    if not match:
        raise ValueError(f"not a date: {text[:40]!r}")
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    if match[4] is None:
        return date(year, month, day)
    value = datetime(year, month, day, int(match[4]), int(match[5]), min(int(match[6]), 59))
    if match[7]:
        return (
            value.replace(tzinfo=UTC)
            if zones.calendar is None
            else value.replace(tzinfo=UTC).astimezone(zones.calendar)
        )
    tzid = params.get("TZID")
    if tzid:
        zone = zones.get(tzid)
        if zone is not None:
            return value.replace(tzinfo=zone)
    return value


def _duration(text: str) -> timedelta:
    match = _DURATION.fullmatch(text.strip().upper())
    if not match or text.strip().upper() in ("P", "PT", "+P", "-P"):
        raise ValueError(f"not a duration: {text[:40]!r}")
    weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.groups()[1:])
    length = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    return -length if match[1] == "-" else length


def _rule(text: str) -> dict[str, list[str]]:
    parts: dict[str, list[str]] = {}
    for piece in text.strip().split(";"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        parts[key.strip().upper()] = [item.strip() for item in value.split(",") if item.strip()]
    if "FREQ" not in parts:
        raise ValueError("a rule without FREQ")
    return parts


def _event(lines: list[str], zones: _Zones) -> Event | None:
    """The event of these lines, or ``None`` when it cannot be placed (no or broken ``DTSTART``)."""
    props: dict[str, list[tuple[dict[str, str], str]]] = {}
    for line in lines:
        try:
            name, params, value = _split(line)
        except ValueError:
            continue
        props.setdefault(name, []).append((params, value))
    try:
        params, value = props["DTSTART"][0]
        event = Event(uid=props.get("UID", [({}, "")])[0][1].strip(), start=_moment(value, params, zones))
    except (KeyError, ValueError, OverflowError):
        return None
    try:
        if "DTEND" in props:
            params, value = props["DTEND"][0]
            event.end = _moment(value, params, zones)
        elif "DURATION" in props:
            event.duration = _duration(props["DURATION"][0][1])
    except (ValueError, OverflowError):
        pass  # RFC 5545's defaults apply
    for _params, value in props.get("RRULE", []):
        event.rules.append(_rule(value))
        until = event.rules[-1].pop("UNTIL", None)
        event.untils.append(_moment(until[0], {}, zones) if until else None)  # a date, UTC, or floating
    for params, value in props.get("RDATE", []):
        for item in value.split(","):
            if "/" in item:
                begin, _, finish = item.partition("/")
                first = _moment(begin, params, zones)
                last = _duration(finish) if finish.strip().upper().lstrip("+-").startswith("P") else None
                event.rdates.append((first, last if last is not None else _moment(finish, params, zones)))
            else:
                event.rdates.append(_moment(item, params, zones))
    for params, value in props.get("EXDATE", []):
        event.exdates.extend(_moment(item, params, zones) for item in value.split(",") if item.strip())
    if "RECURRENCE-ID" in props:
        params, value = props["RECURRENCE-ID"][0]
        event.recurrence_id = _moment(value, params, zones)
    try:
        event.sequence = int(props.get("SEQUENCE", [({}, "0")])[0][1].strip() or 0)
    except ValueError:
        event.sequence = 0

    def said(name: str) -> str:
        return props.get(name, [({}, "")])[0][1].strip().upper()

    event.free = said("TRANSP") == "TRANSPARENT" or said("X-MICROSOFT-CDO-BUSYSTATUS") == "FREE"
    event.free = event.free or said("STATUS") == "CANCELLED"
    return event


def read(body: bytes, limits: Limits) -> tuple[list[Event], int]:
    """The events of ``body`` that can be placed, and how many ``VEVENT`` it has."""
    if len(body) > limits.max_bytes:
        raise CalendarError(f"The calendar is larger than {limits.max_bytes // (1024 * 1024)} MB.", "too_large")
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff")
    found = _lines(text, limits)
    zones = _Zones(found.zones, limits)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # icalendar warns on guessed zone names; the tests make warnings errors
        for line in found.calendar:
            name, _params, value = _split(line)
            if name == "X-WR-TIMEZONE" and value.strip():
                zones.calendar = zones.get(value)
        events = []
        for lines in found.events:
            try:
                event = _event(lines, zones)
            except (ValueError, OverflowError):
                continue  # a broken rule or date list: that event alone is left out
            if event is not None:
                events.append(event)
    return events, len(found.events)
