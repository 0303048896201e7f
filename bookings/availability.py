"""Availability, computed from plain data: no Django, no database, no clock (``now`` is passed in).

Opening hours are wall-clock times in the venue's IANA zone, turned into UTC day by day, so a
23- or 25-hour DST day comes out right. Free time is the opening time minus closures, minus busy
blocks and occupying bookings, each free interval carrying how many units remain. The same
functions check a booking request, so what availability shows and what booking accepts cannot
drift apart.

All datetimes are aware; intervals are half-open ``[start, end)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MIDDAY = time(13, 0)  # where a day splits into morning and afternoon halves


@dataclass(frozen=True, order=True)
class Interval:
    start: datetime
    end: datetime

    def __post_init__(self):
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("intervals take aware datetimes")

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class WeeklyHours:
    """Open on ``weekday`` (0 = Monday) from ``opens`` to ``closes``; ``closes`` 00:00 means midnight."""

    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class ClosureDays:
    """Closed from ``first`` to ``last`` inclusive (wall-clock days); ``yearly`` repeats the dates."""

    first: date
    last: date
    yearly: bool = False

    def covers(self, day: date) -> bool:
        if not self.yearly:
            return self.first <= day <= self.last
        if (self.last - self.first).days >= 365:
            return True
        start, end, here = (self.first.month, self.first.day), (self.last.month, self.last.day), (day.month, day.day)
        if start <= end:
            return start <= here <= end
        return here >= start or here <= end  # e.g. 24 December to 2 January


@dataclass(frozen=True)
class Occupation:
    """Units taken over an interval: a booking (its buffer included) or a busy block."""

    start: datetime
    end: datetime
    quantity: int = 1


@dataclass(frozen=True)
class Free:
    start: datetime
    end: datetime
    remaining: int


@dataclass(frozen=True)
class Rules:
    capacity: int = 1
    slot_minutes: int = 30
    min_minutes: int = 30
    max_minutes: int = 24 * 60
    lead_minutes: int = 0
    horizon_days: int = 90
    buffer_minutes: int = 0
    booking_unit: str = "slots"  # "slots", "half_day" or "day"
    exclusive: bool = True


class RuleViolation(Exception):
    """A request breaks a rule; ``code`` names it, ``params`` fill its message."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def wall_clock(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time. In a spring-forward gap this falls after the gap."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def local_days(window: Interval, tz: ZoneInfo) -> list[date]:
    first = window.start.astimezone(tz).date()
    last = window.end.astimezone(tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


def day_opening(day: date, hours: list[WeeklyHours], tz: ZoneInfo, *, envelope: bool = False) -> list[Interval]:
    """One local day's opening in UTC. ``envelope`` spans first opening to last closing (day bookings)."""
    spans = []
    for row in hours:
        if row.weekday != day.weekday():
            continue
        closes = (
            wall_clock(day + timedelta(days=1), time(0), tz)
            if row.closes == time(0)
            else wall_clock(day, row.closes, tz)
        )
        opens = wall_clock(day, row.opens, tz)
        if closes > opens:
            spans.append(Interval(opens, closes))
    spans = merge(spans)
    if envelope and spans:
        return [Interval(spans[0].start, spans[-1].end)]
    return spans


def opening_intervals(
    hours: list[WeeklyHours],
    closures: list[ClosureDays],
    tz: ZoneInfo,
    window: Interval,
    *,
    envelope: bool = False,
) -> list[Interval]:
    """Open time within ``window``: weekly hours on every local day not covered by a closure."""
    spans = []
    for day in local_days(Interval(window.start - timedelta(days=1), window.end), tz):
        if any(closure.covers(day) for closure in closures):
            continue
        for span in day_opening(day, hours, tz, envelope=envelope):
            start, end = max(span.start, window.start), min(span.end, window.end)
            if start < end:
                spans.append(Interval(start, end))
    return merge(spans)


def free_intervals(open_spans: list[Interval], occupations: list[Occupation], capacity: int) -> list[Free]:
    """Open time split where the load changes, with the units left; fully booked time is dropped.

    One sweep over sorted boundaries: O((n + m) log(n + m)) for n occupations and m open spans.
    """
    deltas: dict[datetime, int] = {}
    for occupation in occupations:
        if occupation.end <= occupation.start or occupation.quantity <= 0:
            continue
        deltas[occupation.start] = deltas.get(occupation.start, 0) + occupation.quantity
        deltas[occupation.end] = deltas.get(occupation.end, 0) - occupation.quantity
    changes = sorted(deltas.items())
    result: list[Free] = []
    load, index = 0, 0
    for span in open_spans:
        while index < len(changes) and changes[index][0] <= span.start:
            load += changes[index][1]
            index += 1
        cursor = span.start
        while cursor < span.end:
            next_change = changes[index][0] if index < len(changes) else None
            segment_end = span.end if next_change is None or next_change >= span.end else next_change
            remaining = capacity - load
            if remaining > 0:
                if result and result[-1].end == cursor and result[-1].remaining == remaining:
                    result[-1] = Free(result[-1].start, segment_end, remaining)
                else:
                    result.append(Free(cursor, segment_end, remaining))
            cursor = segment_end
            while index < len(changes) and changes[index][0] <= cursor:
                load += changes[index][1]
                index += 1
    return result


def remaining_over(request: Interval, occupations: list[Occupation], capacity: int) -> int:
    """Units still free for the whole of ``request``: capacity minus the peak load within it."""
    points = sorted(
        [
            (max(o.start, request.start), o.quantity)
            for o in occupations
            if o.start < request.end and request.start < o.end
        ]
        + [
            (min(o.end, request.end), -o.quantity)
            for o in occupations
            if o.start < request.end and request.start < o.end
        ],
        key=lambda point: (point[0], point[1]),  # releases before takes at the same instant
    )
    load = peak = 0
    for _, delta in points:
        load += delta
        peak = max(peak, load)
    return capacity - peak


def booking_occupation(start: datetime, blocked_until: datetime, quantity: int, rules: Rules) -> Occupation:
    """What an existing booking takes from a new one: for exclusive resources the buffer shields
    both sides, so ``[start - buffer, end + buffer)`` (``blocked_until`` already holds ``end + buffer``)."""
    if rules.exclusive:
        return Occupation(start - timedelta(minutes=rules.buffer_minutes), blocked_until, quantity)
    return Occupation(start, blocked_until, quantity)


def bookable_window(window: Interval, rules: Rules, now: datetime) -> Interval | None:
    """``window`` cut to what the rules allow to start: after the notice, before the horizon."""
    earliest = now + timedelta(minutes=rules.lead_minutes)
    latest = now + timedelta(days=rules.horizon_days)
    start, end = max(window.start, earliest), min(window.end, latest)
    return Interval(start, end) if start < end else None


def day_presets(day: date, hours: list[WeeklyHours], tz: ZoneInfo) -> dict[str, Interval]:
    """Whole day, morning and afternoon of a local day, from its opening hours (split at 13:00)."""
    spans = day_opening(day, hours, tz, envelope=True)
    if not spans:
        return {}
    whole = spans[0]
    presets = {"day": whole}
    midday = wall_clock(day, MIDDAY, tz)
    if whole.start < midday < whole.end:
        presets["morning"] = Interval(whole.start, midday)
        presets["afternoon"] = Interval(midday, whole.end)
    return presets


def check_timing(request: Interval, quantity: int, rules: Rules, now: datetime, tz: ZoneInfo) -> None:
    """The rules that need no calendar: order, length, notice, horizon, grid and quantity."""
    if request.end <= request.start:
        raise RuleViolation("end_before_start")
    if quantity < 1:
        raise RuleViolation("quantity_invalid")
    if quantity > rules.capacity:
        raise RuleViolation("over_capacity", capacity=rules.capacity)
    if request.start < now:
        raise RuleViolation("in_past")
    if request.start < now + timedelta(minutes=rules.lead_minutes):
        raise RuleViolation("too_soon", minutes=rules.lead_minutes)
    if request.start > now + timedelta(days=rules.horizon_days):
        raise RuleViolation("beyond_horizon", days=rules.horizon_days)
    if rules.booking_unit != "slots":
        return  # day and half-day bookings are checked against the day's presets instead
    for instant in (request.start, request.end):
        local = instant.astimezone(tz)
        if local.second or local.microsecond or (local.hour * 60 + local.minute) % rules.slot_minutes:
            raise RuleViolation("off_grid", minutes=rules.slot_minutes)
    if request.minutes < rules.min_minutes:
        raise RuleViolation("too_short", minutes=rules.min_minutes)
    if request.minutes > rules.max_minutes:
        raise RuleViolation("too_long", minutes=rules.max_minutes)


def check_opening(
    request: Interval,
    rules: Rules,
    hours: list[WeeklyHours],
    closures: list[ClosureDays],
    tz: ZoneInfo,
) -> None:
    """The request lies in one stretch of opening time, on no closed day, and fits the booking unit."""
    envelope = rules.booking_unit != "slots"
    window = Interval(request.start - timedelta(days=1), request.end + timedelta(days=1))
    if rules.booking_unit != "slots":
        allowed = ("day",) if rules.booking_unit == "day" else ("day", "morning", "afternoon")
        presets = day_presets(request.start.astimezone(tz).date(), hours, tz)
        if not any(presets.get(name) == request for name in allowed):
            raise RuleViolation("day_unit", unit=rules.booking_unit)
    if any(span.contains(request) for span in opening_intervals(hours, closures, tz, window, envelope=envelope)):
        return
    if any(span.contains(request) for span in opening_intervals(hours, [], tz, window, envelope=envelope)):
        raise RuleViolation("closed")
    raise RuleViolation("outside_opening_hours")


def check_capacity(request: Interval, quantity: int, occupations: list[Occupation], rules: Rules) -> int:
    """Raise ``no_room`` unless ``quantity`` units are free over the request.

    Occupations already carry the buffer on both sides (``booking_occupation``), which is the same
    test the database makes between ``[start, end + buffer)`` ranges.
    """
    remaining = remaining_over(request, occupations, rules.capacity)
    if remaining < quantity:
        raise RuleViolation("no_room", remaining=max(remaining, 0))
    return remaining


def slot_starts(free: list[Free], rules: Rules, tz: ZoneInfo, quantity: int = 1) -> list[Free]:
    """Grid slots (``slot_minutes`` long, aligned on local midnight) lying wholly in free time."""
    step = timedelta(minutes=rules.slot_minutes)
    slots: list[Free] = []
    for interval in free:
        if interval.remaining < quantity:
            continue
        local = interval.start.astimezone(tz)
        past_midnight = local.hour * 60 + local.minute + (1 if local.second or local.microsecond else 0)
        offset = (-past_midnight) % rules.slot_minutes
        cursor = interval.start.replace(second=0, microsecond=0) + timedelta(minutes=offset)
        if cursor < interval.start:
            cursor += step
        while cursor + step <= interval.end:
            slots.append(Free(cursor, cursor + step, interval.remaining))
            cursor += step
    return slots
