"""Read an outside calendar (bytes, as Google, Outlook or Nextcloud publish them) into busy intervals.

Pure: no Django, no network; the zone, the window and the limits are arguments. icalendar parses,
``x_wr_timezone`` turns Google's ``X-WR-TIMEZONE`` calendars into proper ones, and
recurring-ical-events expands ``RRULE``, ``RDATE``, ``EXDATE`` and ``RECURRENCE-ID`` overrides.

What makes a room busy: every occurrence that is not ``TRANSP:TRANSPARENT`` and not
``STATUS:CANCELLED``; all-day occurrences only with ``all_day_blocks`` (then the whole local days,
in the venue's zone). Floating times are the venue's wall clock. Each interval is keyed by the
event's ``UID`` and the occurrence's ``RECURRENCE-ID`` (``Busy.key``), which stays the same from
one import to the next, so an import rewrites only what changed.

Every input is bounded (``Limits``): size, events, occurrences and the work a rule may cost. A
calendar over a limit is refused whole with ``CalendarError`` (the caller keeps the last good
blocks), never truncated silently.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 5 * 1024 * 1024
    max_events: int = 10_000
    max_occurrences: int = 10_000


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
        moment = recurrence_id.astimezone(UTC) if recurrence_id.tzinfo else recurrence_id
        key = f"{uid}/{moment:%Y%m%dT%H%M%S}{'Z' if recurrence_id.tzinfo else ''}"
    else:
        key = f"{uid}/{recurrence_id:%Y%m%d}"
    if len(key) > 255:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _instant(value: datetime, zone: ZoneInfo) -> datetime:
    if value.tzinfo is None:  # floating: the venue's wall clock
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


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
    tz = ZoneInfo(zone)
    try:
        calendar = icalendar.Calendar.from_ical(body)
    except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError… on bad input
        raise CalendarError("The file is not an iCalendar calendar.", "not_a_calendar") from exc
    if calendar.name != "VCALENDAR":
        raise CalendarError("The file is not an iCalendar calendar.", "not_a_calendar")
    events = calendar.walk("VEVENT")
    if len(events) > limits.max_events:
        raise CalendarError(f"The calendar has more than {limits.max_events} events.", "too_many")
    try:
        calendar = x_wr_timezone.to_standard(calendar)
        occurrences = recurring_ical_events.of(calendar, components=["VEVENT"], skip_bad_series=True).between(
            start, end
        )
    except Exception as exc:
        raise CalendarError("The calendar's events could not be read.", "not_a_calendar") from exc
    busy: dict[tuple[str, datetime], Busy] = {}
    for count, occurrence in enumerate(occurrences, start=1):
        if count > limits.max_occurrences:
            raise CalendarError(
                f"The calendar repeats into more than {limits.max_occurrences} occurrences.", "too_many"
            )
        if str(occurrence.get("TRANSP", "")).upper() == "TRANSPARENT":
            continue
        if str(occurrence.get("STATUS", "")).upper() == "CANCELLED":
            continue
        first, last = occurrence.start, occurrence.end
        all_day = not isinstance(first, datetime)
        if all_day:
            if not all_day_blocks:
                continue
            last = last if isinstance(last, date) and last > first else first + timedelta(days=1)
            begin, finish = _day_start(first, tz), _day_start(last, tz)
        else:
            begin = _instant(first, tz)
            finish = _instant(last, tz) if isinstance(last, datetime) else begin
        if finish <= begin:
            continue  # an instant (no duration) takes no time
        recurrence = occurrence.get("RECURRENCE-ID")
        key = occurrence_key(str(occurrence.get("UID", "")), recurrence.dt if recurrence is not None else None)
        busy[(key, begin)] = Busy(start=begin, end=finish, key=key, all_day=all_day)
    return Parsed(busy=sorted(busy.values()), events=len(events))
