"""Time zones for the iCalendar writer (``core.ical_writer``): one ``VTIMEZONE`` per zone and
set of years, made from zoneinfo's transitions, and the wall-clock facts the writer needs around
DST changes (which local times happen twice or not at all, and at which times of day a zone's
clocks change).

A calendar's ``VTIMEZONE`` covers only the years its times use (``years_of``): a feed asked for
a far date once wrote thousands of ``STANDARD``/``DAYLIGHT`` blocks. Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import MAXYEAR, MINYEAR, UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.ical_text import escape_text, fold


@lru_cache(maxsize=64)
def zone_info(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=4096)
def _transitions_in(tz: str, year: int) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    """The zone's offset changes in one year: ``(instant in UTC, offset before, offset after)``,
    found by comparing offsets a day apart and then bisecting to the second."""
    zone = zone_info(tz)
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
    zone = zone_info(tz)
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
    zone = zone_info(tz)
    naive = moment.astimezone(zone).replace(tzinfo=None) if moment.tzinfo is not zone else moment.replace(tzinfo=None)
    return naive.replace(tzinfo=zone, fold=0).utcoffset() != naive.replace(tzinfo=zone, fold=1).utcoffset()


@lru_cache(maxsize=256)
def change_clocks(tz: str, years: tuple[int, ...]) -> tuple[tuple[float, float], ...]:
    """The wall-clock spans (minutes of the day) that the zone's offset changes cover in those
    years: ``(120, 180)`` for Paris, whose clocks go from 2:00 to 3:00 and back."""
    if tz == "UTC":
        return ()
    spans = set()
    for moment, before, after in _transitions(tz, years):
        clocks = [(moment + offset).hour * 60 + (moment + offset).minute for offset in (before, after)]
        spans.add((float(min(clocks)), float(max(clocks))))
    return tuple(sorted(spans))
