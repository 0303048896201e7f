"""Read an outside calendar (bytes, as Google, Outlook or Nextcloud publish them) into busy intervals.

Pure: no Django, no network; the zone, the window and the limits are arguments.

``icstext`` reads the text into plain events, keeping only what decides busy time and refusing
what is not a calendar or breaks a limit; ``recurrence`` expands each ``RRULE`` with dateutil at
a cost estimated (and refused above the budget) before it is paid. This module puts each series
together: ``RDATE``, ``EXDATE`` (dates, times, several per line or several lines),
``RECURRENCE-ID`` overrides (moved, lengthened, cancelled), ``DURATION`` or ``DTEND`` or RFC 5545's
defaults (a date lasts a day, a time without end takes no time).

What makes a room busy: every occurrence that is not ``TRANSP:TRANSPARENT``, not Outlook's
``X-MICROSOFT-CDO-BUSYSTATUS:FREE`` and not ``STATUS:CANCELLED``; all-day occurrences only with
``all_day_blocks`` (then the whole local days, in the venue's zone). Floating times are the venue's
wall clock. Each interval is keyed by the event's ``UID`` and the occurrence's original start
(what its ``RECURRENCE-ID`` is or would be), which stays the same from one import to the next, so
an import rewrites only what changed.

A calendar over a limit is refused whole with ``CalendarError`` (the caller keeps the last good
blocks), never truncated silently.
"""

from __future__ import annotations

import hashlib
import time as clock
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from calendars import recurrence
from calendars.icstext import CalendarError, Event, Limits, read

__all__ = ["DEFAULT_LIMITS", "Busy", "CalendarError", "Limits", "Parsed", "occurrence_key", "parse"]

DEFAULT_LIMITS = Limits()


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
        if recurrence_id.tzinfo is None:
            key = f"{uid}/{recurrence_id.isoformat()[:19].replace('-', '').replace(':', '')}"
        else:
            moment = recurrence_id.astimezone(UTC).isoformat()[:19].replace("-", "").replace(":", "")
            key = f"{uid}/{moment}Z"
    else:
        key = f"{uid}/{recurrence_id.isoformat().replace('-', '')}"
    if len(key) > 255:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


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
    budget = recurrence.Budget(limits.max_steps, clock.perf_counter() + limits.max_seconds, limits.max_subdaily)
    events, count = read(body, limits)
    reader = _Reader(ZoneInfo(zone), (start.astimezone(UTC), end.astimezone(UTC)), all_day_blocks, limits, budget)
    series = _series(events)
    try:
        reader.foresee(series)
        for uid, (master, overrides) in series.items():
            reader.read(uid, master, overrides)
    except recurrence.TooCostly:
        raise CalendarError("The calendar repeats too often to be read.", "too_many") from None
    except recurrence.Never:
        raise CalendarError("A repeating event of the calendar can never happen.", "too_many") from None
    return Parsed(busy=sorted(reader.busy.values(), key=_order), events=count)


def _order(busy: Busy) -> tuple:
    return (busy.start, busy.end, busy.key, busy.all_day)  # Busy's own order, without a tuple per comparison


def _identity(value: date | datetime) -> tuple:
    if not isinstance(value, datetime):
        return ("date", value)
    if value.tzinfo is None:
        return ("floating", value)
    return ("utc", value.astimezone(UTC).replace(tzinfo=None))


def _uid(event: Event) -> str:
    if event.uid:
        return event.uid
    # No UID (RFC 5545 requires one): what places the event stands in for it, stable across imports.
    placed = repr((event.start, event.end, event.duration, event.rules))
    return "nouid:" + hashlib.sha256(placed.encode()).hexdigest()[:32]


def _series(events: list[Event]) -> dict[str, tuple[Event | None, dict[tuple, Event]]]:
    """Events by UID: the master (highest ``SEQUENCE``) and the overrides by ``RECURRENCE-ID``."""
    series: dict[str, tuple[Event | None, dict[tuple, Event]]] = {}
    for event in events:
        uid = _uid(event)
        master, overrides = series.get(uid, (None, {}))
        if event.recurrence_id is None:
            if master is None or event.sequence >= master.sequence:
                master = event
        else:
            identity = _identity(event.recurrence_id)
            if identity not in overrides or event.sequence >= overrides[identity].sequence:
                overrides[identity] = event
        series[uid] = (master, overrides)
    return series


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


def _length(event: Event, frame: _Frame) -> timedelta:
    """DTEND - DTSTART (elapsed), or DURATION, or RFC 5545's defaults (a date: a day; a time: nothing)."""
    if event.end is not None:
        first, last = event.start, event.end
        if frame.kind == "aware" and isinstance(last, datetime):
            last = last if last.tzinfo else last.replace(tzinfo=frame.zone)
            return max(last.astimezone(UTC) - first.astimezone(UTC), timedelta(0))
        return max(frame.put(last) - frame.put(first), timedelta(0))
    if event.duration is not None:
        return max(event.duration, timedelta(0))
    return timedelta(days=1) if frame.kind == "date" else timedelta(0)


class _Reader:
    """Turns each series into busy intervals, counting what it meets."""

    def __init__(self, venue, window, all_day_blocks: bool, limits: Limits, budget: recurrence.Budget):
        self.venue, self.window = venue, window
        self.all_day_blocks, self.limits, self.budget = all_day_blocks, limits, budget
        self.busy: dict[str, Busy] = {}
        self.met = 0

    def foresee(self, series: dict[str, tuple[Event | None, dict[tuple, Event]]]) -> None:
        """Refuse at once a calendar whose plain daily and weekly series surely go over the limit."""
        surely = 0
        for master, overrides in series.values():
            if master is None or not master.rules or master.free:
                continue
            try:
                frame = _Frame(master.start, self.venue, self.window)
                if frame.kind == "date" and not self.all_day_blocks:
                    continue
                first = frame.put(master.start)
                low, high = frame.low + _SLACK * 2, frame.high - _SLACK * 2
                for rule, until in zip(master.rules, master.untils, strict=True):
                    until = frame.until(until) if until is not None else None
                    surely += recurrence.at_least(rule, first, until=until, low=low, high=high)
            except (ValueError, TypeError, OverflowError, KeyError, IndexError):
                continue
            surely -= len(master.exdates) + len(overrides)
        if surely > self.limits.max_occurrences:
            raise CalendarError(
                f"The calendar repeats into more than {self.limits.max_occurrences} occurrences.", "too_many"
            )

    def read(self, uid: str, master: Event | None, overrides: dict[tuple, Event]) -> None:
        try:
            excluded: set = set()
            if master is not None:
                excluded = self._read_master(uid, master, overrides)
            for identity, override in overrides.items():
                if identity in excluded:
                    continue
                frame = _Frame(override.start, self.venue, self.window)
                key = occurrence_key(uid, override.recurrence_id)
                self._add(key, frame, frame.put(override.start), _length(override, frame), free=override.free)
        except (ValueError, TypeError, OverflowError, KeyError, IndexError):
            return  # one broken series (a rule dateutil refuses, dates of mixed kinds): skipped alone

    def _read_master(self, uid: str, master: Event, overrides: dict[tuple, Event]) -> set:
        """Adds the master's occurrences; returns the identities of the ones it excludes."""
        frame = _Frame(master.start, self.venue, self.window)
        first, length = frame.put(master.start), _length(master, frame)
        excluded_days = set()
        excluded = set()
        for value in master.exdates:
            if not isinstance(value, datetime) and frame.kind != "date":
                excluded_days.add(value)
            else:
                excluded.add(frame.put(value))
        excluded_ids = {_identity(frame.original(value)) for value in excluded}
        if not master.rules and not master.rdates:
            self._add(uid, frame, first, length, free=master.free)
            return excluded_ids
        if master.free or (frame.kind == "date" and not self.all_day_blocks):
            return excluded_ids  # expanding what never blocks would only cost time
        low, high = frame.low - length, frame.high
        lengths: dict[datetime, timedelta] = {}
        starts = {first} if low <= first <= high else set()
        for rule, until in zip(master.rules, master.untils, strict=True):
            starts.update(
                recurrence.starts(
                    rule,
                    first,
                    until=frame.until(until) if until is not None else None,
                    low=low,
                    high=high,
                    budget=self.budget,
                )
            )
        for value in master.rdates:
            if isinstance(value, tuple):  # a PERIOD: its own end or duration
                begin = frame.put(value[0])
                lengths[begin] = value[1] if isinstance(value[1], timedelta) else frame.put(value[1]) - begin
                value = value[0]
            value = frame.put(value)
            if low <= value <= high:
                starts.add(value)
        for value in starts:
            if value in excluded or (excluded_days and value.date() in excluded_days):
                continue
            original = frame.original(value)
            if overrides and _identity(original) in overrides:
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
