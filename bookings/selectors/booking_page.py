"""The public booking page: one resource's local day as slots or presets, and its first free day.

Built on ``resource_availability`` so that the page offers exactly what booking accepts.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bookings import availability as av
from bookings.models import Resource
from bookings.selectors.calendar_loader import (
    calendar_availability,
    resource_availability,
    resource_calendar,
    resource_rules,
    resource_timezone,
)


@dataclass(frozen=True)
class DaySlot:
    """A grid slot, or a morning / afternoon / whole-day preset (``name``), of one local day.

    ``state`` is ``free`` (``remaining`` units left), ``taken``, or ``unavailable`` (past, too
    soon or too far ahead for the resource's rules).
    """

    start: datetime
    end: datetime
    remaining: int
    state: str
    name: str = ""


@dataclass(frozen=True)
class ResourceDay:
    day: date
    tz: ZoneInfo
    rules: av.Rules
    window: av.Interval
    closed: bool
    slots: list[DaySlot]
    free: list[av.Free]


def free_units(free: list[av.Free], span: av.Interval) -> int:
    """Units free over the whole of ``span`` according to ``free`` (sorted): 0 if any part is not free."""
    cursor, low = span.start, None
    for piece in free:
        if piece.end <= cursor:
            continue
        if piece.start > cursor:
            break
        low = piece.remaining if low is None else min(low, piece.remaining)
        cursor = piece.end
        if cursor >= span.end:
            return low
    return 0


def resource_day(*, resource: Resource, day: date, now: datetime) -> ResourceDay:
    """The local ``day`` of ``resource`` as the booking page shows it: its grid slots (or its day
    presets for half-day and day resources), each free, taken or unavailable, from
    ``resource_availability`` so that the page offers exactly what booking accepts."""
    tz = resource_timezone(resource)
    window = av.Interval(av.wall_clock(day, time(0), tz), av.wall_clock(day + timedelta(days=1), time(0), tz))
    calendar = resource_calendar(resource, window, now)  # hours and closures loaded once, for both uses
    rules, hours, closures = calendar.rules, calendar.hours, calendar.closures
    free = calendar_availability(calendar, window, now, active=resource.is_active)
    earliest = now + timedelta(minutes=rules.lead_minutes)
    latest = now + timedelta(days=rules.horizon_days)

    def state_of(span: av.Interval) -> tuple[str, int]:
        remaining = free_units(free, span)
        if remaining > 0:
            return "free", remaining
        if span.start < earliest or span.start > latest or not resource.is_active:
            return "unavailable", 0
        return "taken", 0

    closed = any(closure.covers(day) for closure in closures)
    slots = []
    if rules.booking_unit == "slots":
        spans = av.opening_intervals(hours, closures, tz, window)
        grid = av.slot_starts([av.Free(s.start, s.end, rules.capacity) for s in spans], rules, tz)
        for slot in grid:
            state, remaining = state_of(av.Interval(slot.start, slot.end))
            slots.append(DaySlot(slot.start, slot.end, remaining, state))
    elif not closed:
        presets = av.day_presets(day, hours, tz)
        names = ("day",) if rules.booking_unit == "day" else ("morning", "afternoon", "day")
        for name in names:
            if name in presets:
                state, remaining = state_of(presets[name])
                slots.append(DaySlot(presets[name].start, presets[name].end, remaining, state, name))
    return ResourceDay(day=day, tz=tz, rules=rules, window=window, closed=closed, slots=slots, free=free)


def resource_first_free_day(*, resource: Resource, today: date, days: int, now: datetime) -> date | None:
    """The first local day from ``today`` (within ``days``) with time left to book, in one query batch."""
    tz = resource_timezone(resource)
    midnight = time(0)
    window = av.Interval(av.wall_clock(today, midnight, tz), av.wall_clock(today + timedelta(days=days), midnight, tz))
    rules = resource_rules(resource)
    for piece in resource_availability(resource=resource, window=window, now=now):
        if piece.end - piece.start >= timedelta(minutes=rules.min_minutes if rules.booking_unit == "slots" else 1):
            return piece.start.astimezone(tz).date()
    return None
