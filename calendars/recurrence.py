"""One ``RRULE`` expanded with dateutil over a window, at a cost known before it is paid.

dateutil walks a rule from its ``DTSTART``, period after period, and between two occurrences it
never looks at ``UNTIL``: a rule every minute since 1970 takes hours, and a rule whose ``BYxxx``
parts never match (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30``, ``FREQ=DAILY;INTERVAL=7;BYDAY=TU``
from a Monday) searches up to the year 9999. So, before dateutil runs:

- an open rule (no ``COUNT``) of fixed periods that starts long before the window starts again a
  whole number of weeks and periods later (the same wall-clock lattice, filtered the same way:
  the same occurrences from there on, a few steps instead of millions);
- what the rule will still cost is estimated (periods to the window's end times what its BYxxx
  parts multiply) and charged to the calendar's ``Budget``;
- a rule that filters dates is tried on the calendar days it can reach in 28 years (leap years
  and weekdays repeat): never → refused; rare → its search is charged.

Pure: dates in, dates out.
"""

from __future__ import annotations

import calendar as gregorian
import math
import re
import time as clock
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from dateutil.rrule import rrule, weekday


class TooCostly(Exception):
    """The calendar's rules would take more steps than its budget."""


class Never(Exception):
    """A rule whose parts can never match: dateutil would search it up to the year 9999."""


class Budget:
    """Steps left for the whole calendar (one step: one dateutil period or occurrence, ~10 µs),
    and a wall-clock deadline as a last safety net."""

    def __init__(self, steps: int, deadline: float, subdaily: int = 1_000):
        self.left = steps
        #: Occurrences a rule more frequent than daily may give: no calendar app offers such rules,
        #: and a room busy every hour of the year is a bomb, not a booking.
        self.subdaily = subdaily
        self.deadline = deadline
        self._until_clock = 0

    def spend(self, steps: float) -> None:
        self.left -= steps
        if self.left < 0:
            raise TooCostly
        self._until_clock -= steps
        if self._until_clock <= 0:
            self._until_clock = 256
            if clock.perf_counter() > self.deadline:
                raise TooCostly


_SECONDS = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400, "WEEKLY": 7 * 86400}
#: The shortest period of each frequency, so that estimates err on the side of cost.
_PERIOD = {**_SECONDS, "MONTHLY": 28 * 86400, "YEARLY": 365 * 86400}
_WEEK = 7 * 86400
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY = re.compile(r"^([+-]?\d{0,2})(MO|TU|WE|TH|FR|SA|SU)$")
#: BYxxx parts that multiply a period's occurrences (RFC 5545 §3.3.10's table) for these
#: frequencies; for the others they only filter.
_EXPANDS = {
    "BYMONTH": ("YEARLY",),
    "BYWEEKNO": ("YEARLY",),
    "BYYEARDAY": ("YEARLY",),
    "BYMONTHDAY": ("MONTHLY", "YEARLY"),
    "BYDAY": ("WEEKLY", "MONTHLY", "YEARLY"),
    "BYHOUR": ("DAILY", "WEEKLY", "MONTHLY", "YEARLY"),
    "BYMINUTE": ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"),
    "BYSECOND": ("MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"),
}
#: At most how many days one listed value gives in a period.
_PER_VALUE = {("BYWEEKNO", "YEARLY"): 7, ("BYDAY", "MONTHLY"): 5, ("BYDAY", "YEARLY"): 53}
_YEARS = 28


def _part(rule, name: str) -> list:
    values = rule.get(name)
    if values is None:
        return []
    return values if isinstance(values, list) else [values]


def _ints(rule, name: str) -> set[int]:
    return {int(value) for value in _part(rule, name)}


def _weekdays(rule) -> list[tuple[int, int]]:
    """``BYDAY`` as (ordinal or 0, weekday index)."""
    days = []
    for value in _part(rule, "BYDAY"):
        match = _WEEKDAY.match(str(value).strip().upper())
        if not match:
            raise ValueError(f"bad BYDAY {value!r}")
        days.append((int(match.group(1) or 0), _DAYS.index(match.group(2))))
    return days


def _wall(value: datetime) -> datetime:
    return value.replace(tzinfo=None)


def frequency(rule) -> str:
    freq = str((_part(rule, "FREQ") or [""])[0]).upper()
    if freq not in _PERIOD:
        raise ValueError(f"unknown FREQ {freq!r}")
    return freq


def _expansion(rule, freq: str) -> int:
    factor = 1
    for part, freqs in _EXPANDS.items():
        values = _part(rule, part)
        if values and freq in freqs:
            factor *= len(values) * _PER_VALUE.get((part, freq), 1)
    return factor


def _filters(rule, freq: str) -> bool:
    return bool(_part(rule, "BYSETPOS")) or any(_part(rule, p) and freq not in f for p, f in _EXPANDS.items())


def starts(
    rule: dict[str, list[str]],
    dtstart: datetime,
    *,
    until: datetime | None,
    low: datetime,
    high: datetime,
    budget: Budget,
) -> Iterator[datetime]:
    """The starts of ``rule`` from ``dtstart`` that fall in ``[low, high]``, in ``dtstart``'s frame
    (aware, or naive wall clock); ``until`` already in that frame."""
    freq = frequency(rule)
    interval = max(1, int((_part(rule, "INTERVAL") or [1])[0]))
    count = _part(rule, "COUNT")
    count = int(count[0]) if count else None
    if count is not None and count <= 0:
        return
    first = dtstart
    if count is None and freq in _SECONDS:
        lattice = math.lcm(_WEEK, _SECONDS[freq] * interval)
        room = (_wall(low) - _wall(dtstart)).total_seconds() - lattice
        if room > 0:
            first = dtstart + timedelta(seconds=(room // lattice) * lattice)
    last = min(_wall(high), _wall(until)) if until is not None else _wall(high)
    periods = max(0.0, (last - _wall(first)).total_seconds()) / (_PERIOD[freq] * interval) + 1
    expansion = _expansion(rule, freq)
    cost = periods * expansion
    if count is not None and not _filters(rule, freq):
        cost = min(cost, count + expansion)
    if freq in ("SECONDLY", "MINUTELY", "HOURLY") and cost > budget.subdaily:
        raise TooCostly
    budget.spend(cost)
    _check_reachable(rule, freq, interval, first, expansion, budget)
    if count is not None and first == dtstart and _first(rule, freq, interval, until, first) != first:
        count -= 1  # RFC 5545: DTSTART is always the first of the COUNT, even when the rule skips it
        if count <= 0:
            return
    expanded = _plain(rule, freq, interval, count, until, first)
    if expanded is None:
        expanded = _dateutil(rule, freq, interval, count, until, first)
    steps = 0
    for value in expanded:
        steps += 1
        if steps == 64:
            budget.spend(steps)
            steps = 0
        if value > high:
            break
        if value >= low:
            yield value
    budget.spend(steps)


def _first(rule, freq: str, interval: int, until, first: datetime) -> datetime | None:
    expanded = _plain(rule, freq, interval, 1, until, first) or _dateutil(rule, freq, interval, 1, until, first)
    return next(iter(expanded), None)


def _plain(rule, freq: str, interval: int, count: int | None, until, first: datetime) -> Iterator[datetime] | None:
    """The starts of a plain daily or weekly rule (``BYDAY`` weekdays, ``INTERVAL``, ``COUNT``,
    ``UNTIL``, ``WKST``: what calendar apps write for nearly every series), by date arithmetic on
    the wall clock, as dateutil would give them but ten times faster; ``None`` for other rules."""
    allowed = {"FREQ", "INTERVAL", "COUNT", "WKST"} | ({"BYDAY"} if freq == "WEEKLY" else set())
    if freq not in ("DAILY", "WEEKLY") or set(rule) - allowed:
        return None
    days = _weekdays(rule)
    if any(ordinal for ordinal, _day in days):
        return None
    start_of_week = _part(rule, "WKST")
    wkst = _DAYS.index(str(start_of_week[0]).upper()) if start_of_week else 0
    return _plain_starts(freq, interval, count, until, first, sorted({day for _o, day in days}), wkst)


def _plain_starts(freq, interval, count, until, first: datetime, days: list[int], wkst: int) -> Iterator[datetime]:
    clock_time, zone, begin = first.time(), first.tzinfo, first.date()
    if freq == "DAILY":
        offsets, period, week = [0], timedelta(days=interval), begin
    else:
        week = begin - timedelta(days=(begin.weekday() - wkst) % 7)
        offsets = sorted((day - wkst) % 7 for day in (days or [begin.weekday()]))
        period = timedelta(weeks=interval)
    made = 0
    while True:
        for offset in offsets:
            day = week + timedelta(days=offset)
            if day < begin:
                continue
            value = datetime.combine(day, clock_time, tzinfo=zone)
            if until is not None and value > until:
                return
            yield value
            made += 1
            if made == count:
                return
        if week.year >= 9999:
            return
        week += period


_FREQUENCIES = {"YEARLY": 0, "MONTHLY": 1, "WEEKLY": 2, "DAILY": 3, "HOURLY": 4, "MINUTELY": 5, "SECONDLY": 6}


def _dateutil(rule, freq: str, interval: int, count: int | None, until, first: datetime) -> rrule:
    """dateutil's rule from the parts (what ``rrulestr`` would build, without parsing text again)."""
    options = {}
    for part, option in (
        ("BYMONTH", "bymonth"),
        ("BYMONTHDAY", "bymonthday"),
        ("BYYEARDAY", "byyearday"),
        ("BYWEEKNO", "byweekno"),
        ("BYHOUR", "byhour"),
        ("BYMINUTE", "byminute"),
        ("BYSECOND", "bysecond"),
        ("BYSETPOS", "bysetpos"),
    ):
        values = _part(rule, part)
        if values:
            options[option] = [int(value) for value in values]
    days = _weekdays(rule)
    if days:
        options["byweekday"] = [weekday(day, ordinal or None) for ordinal, day in days]
    start_of_week = _part(rule, "WKST")
    if start_of_week:
        options["wkst"] = _DAYS.index(str(start_of_week[0]).upper())
    return rrule(_FREQUENCIES[freq], dtstart=first, interval=interval, count=count, until=until, cache=False, **options)


def _check_reachable(rule, freq: str, interval: int, first: datetime, expansion: int, budget: Budget) -> None:
    """Refuse a rule that never matches; charge the search of a rule that rarely does."""
    days = _weekdays(rule)
    for ordinal, _day in days:
        if abs(ordinal) > (5 if freq == "MONTHLY" else 53):
            raise Never
    positions = _ints(rule, "BYSETPOS")
    if positions and min(abs(p) for p in positions) > expansion * 366:
        raise Never
    months, monthdays = _ints(rule, "BYMONTH"), _ints(rule, "BYMONTHDAY")
    yeardays, weeknos = _ints(rule, "BYYEARDAY"), _ints(rule, "BYWEEKNO")
    weekdays = {day for _ordinal, day in days}
    subdaily = freq in _SECONDS and freq != "WEEKLY"
    if not (months or monthdays or yeardays or weeknos or (weekdays and subdaily)):
        return  # every period gives occurrences
    start = first.date()
    if not (weeknos or yeardays or monthdays or weekdays):  # dateutil's defaults from DTSTART
        if freq == "YEARLY":
            months = months or {start.month}
            monthdays = {start.day}
        elif freq == "MONTHLY":
            monthdays = {start.day}
        elif freq == "WEEKLY":
            weekdays = {start.weekday()}

    def matches(day: date) -> bool:
        if months and day.month not in months:
            return False
        if monthdays:
            length = gregorian.monthrange(day.year, day.month)[1]
            if day.day not in monthdays and day.day - length - 1 not in monthdays:
                return False
        if weekdays and day.weekday() not in weekdays:
            return False
        if yeardays:
            number = day.timetuple().tm_yday
            if number not in yeardays and number - (366 if gregorian.isleap(day.year) else 365) - 1 not in yeardays:
                return False
        if weeknos:
            week = day.isocalendar().week
            weeks = date(day.year, 12, 28).isocalendar().week
            if week not in weeknos and week - weeks - 1 not in weeknos:
                return False
        return True

    # dateutil will walk as far between two occurrences as here to the first: charged as we go
    # (twice: once into the window, once past it), so a budget spent stops the walk itself.
    for candidates in _periods(freq, interval, first):
        budget.spend(2 + len(candidates) / 10)
        for day in candidates:
            if matches(day):
                return
    raise Never


def _periods(freq: str, interval: int, first: datetime) -> Iterator[list[date]]:
    """The calendar days each period of the rule may give, for 28 years."""
    start = first.date()
    horizon = date(min(start.year + _YEARS, 9999), 12, 31)
    if freq in _SECONDS and freq != "WEEKLY":
        step = _SECONDS[freq] * interval
        if step <= 86400:
            step = 86400
        moment = _wall(first)
        while moment.date() <= horizon:
            yield [moment.date()]
            moment += timedelta(seconds=step)
            if moment.year >= 9999:
                return
    elif freq == "WEEKLY":
        week = start - timedelta(days=start.weekday())
        while week <= horizon:
            yield [week + timedelta(days=n) for n in range(7)]
            week += timedelta(weeks=interval)
    elif freq == "MONTHLY":
        year, month = start.year, start.month
        while year <= horizon.year:
            length = gregorian.monthrange(year, month)[1]
            yield [date(year, month, n) for n in range(1, length + 1)]
            year, month = divmod(year * 12 + month - 1 + interval, 12)
            month += 1
    else:
        year = start.year
        while year <= horizon.year:
            yield [date(year, 1, 1) + timedelta(days=n) for n in range(366 if gregorian.isleap(year) else 365)]
            year += interval


def at_least(
    rule: dict[str, list[str]], first: datetime, *, until: datetime | None, low: datetime, high: datetime
) -> int:
    """How many occurrences a plain daily or weekly rule surely has in ``[low, high]`` (0 when not
    sure), so that a calendar far over the limit is refused before anything is expanded."""
    freq = frequency(rule)
    if freq not in ("DAILY", "WEEKLY") or _part(rule, "COUNT") or _part(rule, "BYSETPOS"):
        return 0
    others = {"FREQ", "INTERVAL", "WKST", "BYHOUR", "BYMINUTE", "BYSECOND"} | ({"BYDAY"} if freq == "WEEKLY" else set())
    if set(rule) - others:
        return 0
    days = _weekdays(rule)
    if any(ordinal for ordinal, _day in days):
        return 0
    interval = max(1, int((_part(rule, "INTERVAL") or [1])[0]))
    begin = max(_wall(first), _wall(low))
    end = min(_wall(high), _wall(until)) if until is not None else _wall(high)
    periods = int((end - begin).total_seconds() // (_SECONDS[freq] * interval)) - 1
    return max(0, periods) * (len({day for _ordinal, day in days}) or 1)
