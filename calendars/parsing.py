"""Read an outside calendar (bytes, as Google, Outlook or Nextcloud publish them) into busy intervals.

Pure: no Django, no network; the zone, the window and the limits are arguments. Three passes:

1. ``_sift`` reads the text line by line before any parser sees it: it refuses what is not a
   calendar, nesting deeper than a calendar ever needs, too many events, too many ``RDATE`` /
   ``EXDATE`` values, and keeps only the properties that decide busy time (so a 4 MB
   ``DESCRIPTION`` or a thousand attendees cost one scan, and no summary ever reaches us).
2. icalendar parses what is left; ``x_wr_timezone`` turns Google's ``X-WR-TIMEZONE`` calendars
   into proper ones; icalendar resolves ``TZID``: IANA names, Outlook's Windows names
   (``Romance Standard Time``) and unknown names from the file's own ``VTIMEZONE``.
3. ``_bound`` looks at every ``RRULE`` before it is expanded (dateutil walks from ``DTSTART``, so a
   rule every minute since 1970 would take hours): an open-ended rule starting long before the
   window is moved forward by whole periods (same occurrences, far fewer steps), and what a rule
   would still cost is estimated and refused above ``Limits.max_steps``. recurring-ical-events then
   expands ``RRULE``, ``RDATE``, ``EXDATE`` and ``RECURRENCE-ID`` overrides, under
   ``max_occurrences`` and a wall-clock safety net (``max_seconds``).

What makes a room busy: every occurrence that is not ``TRANSP:TRANSPARENT``, not Outlook's
``X-MICROSOFT-CDO-BUSYSTATUS:FREE`` and not ``STATUS:CANCELLED``; all-day occurrences only with
``all_day_blocks`` (then the whole local days, in the venue's zone). Floating times are the venue's
wall clock. Each interval is keyed by the event's ``UID`` and the occurrence's original start
(``RECURRENCE-ID``), which stays the same from one import to the next, so an import rewrites only
what changed.

A calendar over a limit is refused whole with ``CalendarError`` (the caller keeps the last good
blocks), never truncated silently.
"""

from __future__ import annotations

import hashlib
import re
import time as clock
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import x_wr_timezone

from calendars import recurrence


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 5 * 1024 * 1024
    max_events: int = 10_000
    #: Occurrences met in the window, busy or not.
    max_occurrences: int = 10_000
    #: Steps all rules may take together, estimated before expansion (one step ~ 10-30 µs).
    max_steps: int = 30_000
    #: Occurrences one rule more frequent than daily (``HOURLY``, ``MINUTELY``…) may give.
    max_subdaily: int = 1_000
    #: ``RDATE`` and ``EXDATE`` values in the whole calendar.
    max_dates: int = 10_000
    #: One kept property (``RRULE``, ``EXDATE``…), unfolded.
    max_line: int = 256 * 1024
    #: Safety net only: the estimates above refuse the known bombs long before.
    max_seconds: float = 10.0


DEFAULT_LIMITS = Limits()


class CalendarError(Exception):
    """The bytes are not a calendar we can read, or break a limit. ``code`` is one of
    ``calendars.models.ErrorCode`` (``not_a_calendar``, ``too_large``, ``too_many``); the message is
    plain words for the venue's manager."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, order=True)
class Busy:
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC, after start
    #: ``UID`` + ``RECURRENCE-ID``: stable across imports, at most 255 characters.
    key: str
    all_day: bool = False


@dataclass
class Parsed:
    busy: list[Busy]
    #: ``VEVENT`` components read (series, single events and overrides), before expansion.
    events: int


def occurrence_key(uid: str, recurrence_id: datetime | date | None) -> str:
    """``uid`` alone for a single event; ``uid`` and the occurrence's original start (UTC, or the
    date) for an occurrence of a series. Hashed when too long for ``BusyBlock.uid``."""
    if recurrence_id is None:
        key = uid
    elif isinstance(recurrence_id, datetime):
        m = recurrence_id.astimezone(UTC) if recurrence_id.tzinfo else recurrence_id
        zulu = "Z" if recurrence_id.tzinfo else ""
        key = f"{uid}/{m.year:04d}{m.month:02d}{m.day:02d}T{m.hour:02d}{m.minute:02d}{m.second:02d}{zulu}"
    else:
        key = f"{uid}/{recurrence_id.year:04d}{recurrence_id.month:02d}{recurrence_id.day:02d}"
    if len(key) > 255:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _not_a_calendar(detail: str = "") -> CalendarError:
    return CalendarError("The file is not an iCalendar calendar." + (f" {detail}" if detail else ""), "not_a_calendar")


# -- 1. Sifting the text ----------------------------------------------------------------------

#: The components we read, by parent; anything else (VALARM, VTODO, VFREEBUSY, X-…) is skipped whole.
_CHILDREN = {None: {"VCALENDAR"}, "VCALENDAR": {"VEVENT", "VTIMEZONE"}, "VTIMEZONE": {"STANDARD", "DAYLIGHT"}}
_OBSERVANCE = {"DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE", "TZNAME"}
#: The properties that decide busy time, by component.
_KEEP = {
    "VCALENDAR": {"VERSION", "PRODID", "CALSCALE", "X-WR-TIMEZONE"},
    "VEVENT": {
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
    },
    "VTIMEZONE": {"TZID"},
    "STANDARD": _OBSERVANCE,
    "DAYLIGHT": _OBSERVANCE,
}
_NAME = re.compile(r"[A-Za-z0-9-]+")
#: A calendar nests four deep (VCALENDAR > VEVENT > VALARM, VCALENDAR > VTIMEZONE > STANDARD).
_MAX_DEPTH = 8


def _sift(text: str, limits: Limits) -> tuple[str, int]:
    """The calendar's text with only the components and properties we read, and its VEVENT count."""
    kept: list[str] = []
    stack: list[tuple[str, bool]] = []  # (component, kept)
    events = dates = 0
    keeping = False  # the current (possibly folded) line is kept
    size = 0
    started = False
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if line[:1] in (" ", "\t"):  # folded continuation of the line before
            if keeping:
                size += len(line)
                if size > limits.max_line:
                    raise CalendarError("A property of the calendar is too large.", "too_large")
                kept.append(line)
            continue
        keeping = False
        match = _NAME.match(line)
        if not match or len(line) == match.end() or line[match.end()] not in ";:":
            if line.strip() and not started:
                raise _not_a_calendar()
            continue  # blank or broken line: icalendar would stumble on it, the data is elsewhere
        name = match.group().upper()
        if name in ("BEGIN", "END"):
            component = line[line.find(":") + 1 :].strip().upper()
            if name == "BEGIN":
                if started and not stack:
                    break  # a second calendar after the first: read the first only
                parent, parent_kept = stack[-1] if stack else (None, True)
                if len(stack) >= _MAX_DEPTH:
                    raise _not_a_calendar("Its components are nested too deeply.")
                if not stack and component != "VCALENDAR":
                    raise _not_a_calendar()
                started = True
                keep = parent_kept and component in _CHILDREN.get(parent, ())
                stack.append((component, keep))
                if keep and component == "VEVENT":
                    events += 1
                    if events > limits.max_events:
                        raise CalendarError(f"The calendar has more than {limits.max_events} events.", "too_many")
            else:
                if not stack or stack[-1][0] != component:
                    raise _not_a_calendar("It is truncated or its components do not close.")
                keep = stack.pop()[1]
            if keep:
                kept.append(f"{name}:{component}")
            continue
        if not stack:
            raise _not_a_calendar()
        component, component_kept = stack[-1]
        if component_kept and name in _KEEP[component]:
            keeping, size = True, len(line)
            if size > limits.max_line:
                raise CalendarError("A property of the calendar is too large.", "too_large")
            if name in ("RDATE", "EXDATE") and component == "VEVENT":
                dates += line.count(",") + 1
                if dates > limits.max_dates:
                    raise CalendarError(f"The calendar lists more than {limits.max_dates} dates.", "too_many")
            kept.append(line)
    if not started:
        raise _not_a_calendar()
    if stack:
        raise _not_a_calendar("It is truncated or its components do not close.")
    return "\r\n".join(kept) + "\r\n", events


# -- Reading ----------------------------------------------------------------------------------


_SLACK = timedelta(days=2)  # floating and all-day times are placed in the venue's zone after expansion


def parse(
    body: bytes,
    *,
    zone: str,
    start: datetime,
    end: datetime,
    all_day_blocks: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Parsed:
    """The busy intervals of ``body`` that meet ``[start, end)``, sorted, one per occurrence."""
    if len(body) > limits.max_bytes:
        raise CalendarError(f"The calendar is larger than {limits.max_bytes // (1024 * 1024)} MB.", "too_large")
    budget = recurrence.Budget(limits.max_steps, clock.perf_counter() + limits.max_seconds, limits.max_subdaily)
    venue = ZoneInfo(zone)
    window = (start.astimezone(UTC), end.astimezone(UTC))
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff")
    sifted, count = _sift(text, limits)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # icalendar warns on guessed zone names; the tests make warnings errors
        try:
            calendar = x_wr_timezone.to_standard(icalendar.Calendar.from_ical(sifted))
            events = calendar.walk("VEVENT")
        except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError… on bad input
            raise _not_a_calendar() from exc
        reader = _Reader(venue, window, all_day_blocks, limits, budget)
        try:
            for uid, (master, overrides) in _series(events).items():
                reader.read(uid, master, overrides)
        except recurrence.TooCostly:
            raise CalendarError("The calendar repeats too often to be read.", "too_many") from None
        except recurrence.Never:
            raise CalendarError("A repeating event of the calendar can never happen.", "too_many") from None
    return Parsed(busy=sorted(reader.busy.values(), key=_order), events=count)


def _order(busy: Busy) -> tuple:
    return (busy.start, busy.end, busy.key, busy.all_day)  # Busy's own order, without a tuple per comparison


def _sequence(component) -> int:
    try:
        return int(component.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        return 0


def _identity(value: date | datetime) -> tuple:
    if not isinstance(value, datetime):
        return ("date", value)
    if value.tzinfo is None:
        return ("floating", value)
    return ("utc", value.astimezone(UTC).replace(tzinfo=None))


def _uid(component) -> str:
    uid = str(component.get("UID", "")).strip()
    if uid:
        return uid
    # No UID (RFC 5545 requires one): what defines the event's time stands in for it, stable across imports.
    parts = [component[name].to_ical() for name in ("DTSTART", "DTEND", "DURATION", "RRULE") if name in component]
    return "nouid:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _series(events) -> dict[str, tuple[object | None, dict[tuple, object]]]:
    """Events by UID: the master (highest ``SEQUENCE``) and the overrides by ``RECURRENCE-ID``."""
    series: dict[str, tuple[object | None, dict[tuple, object]]] = {}
    for event in events:
        if "DTSTART" not in event:
            continue  # RFC 5545 requires it in a published calendar; nothing to place
        uid = _uid(event)
        master, overrides = series.get(uid, (None, {}))
        recurrence_id = event.get("RECURRENCE-ID")
        if recurrence_id is None:
            if master is None or _sequence(event) >= _sequence(master):
                master = event
        else:
            try:
                identity = _identity(recurrence_id.dt)
            except AttributeError:
                continue
            if identity not in overrides or _sequence(event) >= _sequence(overrides[identity]):
                overrides[identity] = event
        series[uid] = (master, overrides)
    return series


def _values(component, name: str) -> list:
    """The values of a list property (``EXDATE``, ``RDATE``) that may appear on several lines."""
    props = component.get(name)
    if props is None:
        return []
    values = []
    for prop in props if isinstance(props, list) else [props]:
        values.extend(item.dt for item in getattr(prop, "dts", []))
    return values


def _is_free(component) -> bool:
    if str(component.get("TRANSP", "")).strip().upper() == "TRANSPARENT":
        return True
    if str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).strip().upper() == "FREE":
        return True
    return str(component.get("STATUS", "")).strip().upper() == "CANCELLED"


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


class _Frame:
    """How one series' times are compared and expanded: ``date`` (all-day: naive midnights),
    ``floating`` (naive: the venue's wall clock) or ``aware`` (in the series' zone)."""

    def __init__(self, first: date | datetime, venue: ZoneInfo, window: tuple[datetime, datetime]):
        self.venue = venue
        if not isinstance(first, datetime):
            self.kind, self.zone = "date", None
        elif first.tzinfo is None:
            self.kind, self.zone = "floating", None
        else:
            self.kind, self.zone = "aware", first.tzinfo
        if self.kind == "aware":
            self.low, self.high = window
        else:
            self.low, self.high = (moment.astimezone(venue).replace(tzinfo=None) for moment in window)
            self.low, self.high = self.low - _SLACK, self.high + _SLACK

    def put(self, value: date | datetime) -> datetime:
        """``value`` in this frame."""
        if not isinstance(value, datetime):
            value = datetime.combine(value, time(0))
            return value.replace(tzinfo=self.zone) if self.kind == "aware" else value
        if value.tzinfo is None:
            if self.kind == "aware":
                return value.replace(tzinfo=self.zone)
            return datetime.combine(value.date(), time(0)) if self.kind == "date" else value
        if self.kind == "aware":
            return value
        local = value.astimezone(self.venue).replace(tzinfo=None)
        return datetime.combine(local.date(), time(0)) if self.kind == "date" else local

    def until(self, value: date | datetime) -> datetime:
        """An ``UNTIL`` in this frame; a date ends a timed series at the end of that day."""
        if not isinstance(value, datetime) and self.kind != "date":
            return self.put(value) + timedelta(days=1) - timedelta(microseconds=1)
        return self.put(value)

    def original(self, value: datetime) -> date | datetime:
        """The occurrence's identity, as a ``RECURRENCE-ID`` would give it."""
        return value.date() if self.kind == "date" else value

    def interval(self, value: datetime, length: timedelta) -> tuple[datetime, datetime]:
        """The occurrence starting at ``value`` as an interval in UTC."""
        if self.kind == "date":
            first = value.date()
            return _day_start(first, self.venue), _day_start(first + max(length, timedelta(days=1)), self.venue)
        if self.kind == "floating":
            return value.replace(tzinfo=self.venue).astimezone(UTC), (value + length).replace(
                tzinfo=self.venue
            ).astimezone(UTC)
        begin = value.astimezone(UTC)
        return begin, begin + length


def _length(event, frame: _Frame) -> timedelta:
    """DTEND - DTSTART, or DURATION, or RFC 5545's defaults (a day for a date, nothing for a time)."""
    first = event.decoded("DTSTART")
    if "DTEND" in event:
        last = event.decoded("DTEND")
        if frame.kind == "aware" and isinstance(last, datetime):
            last = last if last.tzinfo else last.replace(tzinfo=frame.zone)
            return max(last.astimezone(UTC) - first.astimezone(UTC), timedelta(0))
        return max(frame.put(last) - frame.put(first), timedelta(0))
    if "DURATION" in event:
        duration = event.decoded("DURATION")
        if isinstance(duration, timedelta):
            return max(duration, timedelta(0))
    return timedelta(days=1) if frame.kind == "date" else timedelta(0)


class _Reader:
    """Turns each series into busy intervals, counting what it meets."""

    def __init__(self, venue, window, all_day_blocks: bool, limits: Limits, budget: recurrence.Budget):
        self.venue, self.window = venue, window
        self.all_day_blocks, self.limits, self.budget = all_day_blocks, limits, budget
        self.busy: dict[str, Busy] = {}
        self.met = 0

    def read(self, uid: str, master, overrides: dict) -> None:
        try:
            excluded: set = set()
            if master is not None:
                excluded = self._read_master(uid, master, overrides)
            for identity, override in overrides.items():
                if identity in excluded:
                    continue
                frame = _Frame(override.decoded("DTSTART"), self.venue, self.window)
                first = frame.put(override.decoded("DTSTART"))
                key = occurrence_key(uid, override.decoded("RECURRENCE-ID"))
                self._add(key, frame, first, _length(override, frame), free=_is_free(override))
        except (ValueError, TypeError, OverflowError, KeyError, AttributeError, IndexError):
            return  # one broken series (a rule dateutil refuses, dates of mixed kinds): skipped alone

    def _read_master(self, uid: str, master, overrides: dict) -> set:
        """Adds the master's occurrences; returns the identities of the ones it excludes."""
        raw = master.decoded("DTSTART")
        frame = _Frame(raw, self.venue, self.window)
        first, length = frame.put(raw), _length(master, frame)
        rules = master.get("RRULE")
        rules = [] if rules is None else rules if isinstance(rules, list) else [rules]
        dates = _values(master, "RDATE")
        excluded_days = set()
        excluded = set()
        for value in _values(master, "EXDATE"):
            if not isinstance(value, datetime) and frame.kind != "date":
                excluded_days.add(value)
            else:
                excluded.add(frame.put(value))
        excluded_ids = {_identity(frame.original(value)) for value in excluded}
        if not rules and not dates:
            self._add(uid, frame, first, length, free=_is_free(master))
            return excluded_ids
        if _is_free(master) or (frame.kind == "date" and not self.all_day_blocks):
            return excluded_ids  # expanding what never blocks would only cost time
        low, high = frame.low - length, frame.high
        lengths: dict[datetime, timedelta] = {}
        starts = {first} if low <= first <= high else set()
        for rule in rules:
            until = recurrence._part(rule, "UNTIL")  # noqa: SLF001 (the same reading of the rule)
            starts.update(
                recurrence.starts(
                    rule,
                    first,
                    until=frame.until(until[0]) if until else None,
                    low=low,
                    high=high,
                    budget=self.budget,
                )
            )
        for value in dates:
            if isinstance(value, tuple):  # a PERIOD: its own end or duration
                begin = frame.put(value[0])
                finish = value[1] if isinstance(value[1], timedelta) else frame.put(value[1]) - begin
                lengths[begin], value = finish, value[0]
            value = frame.put(value)
            if low <= value <= high:
                starts.add(value)
        overridden = set(overrides)
        for value in starts:
            if value in excluded or value.date() in excluded_days:
                continue
            original = frame.original(value)
            if overridden and _identity(original) in overridden:
                continue
            self._add(occurrence_key(uid, original), frame, value, lengths.get(value, length), free=False)
        return excluded_ids

    def _add(self, key: str, frame: _Frame, first: datetime, length: timedelta, *, free: bool) -> None:
        try:
            begin, finish = frame.interval(first, length)
        except OverflowError:
            return  # beyond datetime's range (year 9999 in a far zone): never in the window
        start, end = self.window
        if not (begin < end and finish > start) and not (begin == finish and start <= begin < end):
            return
        self.met += 1
        if self.met > self.limits.max_occurrences:
            raise CalendarError(
                f"The calendar repeats into more than {self.limits.max_occurrences} occurrences.", "too_many"
            )
        if free or finish <= begin or (frame.kind == "date" and not self.all_day_blocks):
            return  # free, cancelled, an instant, or (by the calendar's choice) all-day: not busy
        self.busy[key] = Busy(start=begin, end=finish, key=key, all_day=frame.kind == "date")
