"""Occupancy: the share of open time that was booked, by resource and ISO week.

``occupancy`` is pure: it takes plain data (each resource's weekly hours and closures, the spans
of its bookings) and the venue's time zone, and asks ``availability.opening_intervals`` for the
open time, so a DST week (167 or 169 hours) and the closures count exactly as the booking engine
sees them. A pooled resource's booking weighs ``quantity / capacity``: two desks of a pool of
four booked for an hour fill half of that hour.

``venue_occupancy`` loads that plain data for one venue in five queries, whatever the number of
resources or bookings.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bookings import availability as av
from bookings.models import Booking, Closure, Resource, ResourceHours, ResourceKind
from venues.models import OpeningHours

#: Statuses whose time counts as booked: the units were held for the person, whether or not they came.
BOOKED_STATUSES = ("confirmed", "checked_in", "no_show")
#: The longest period one report covers.
MAX_WEEKS = 53


@dataclass(frozen=True)
class ResourceSpec:
    """What the report needs to know about a resource: its open time and its size."""

    id: int
    name: str
    capacity: int
    hours: tuple[av.WeeklyHours, ...]
    closures: tuple[av.ClosureDays, ...] = ()


@dataclass(frozen=True)
class BookedSpan:
    resource_id: int
    start: datetime
    end: datetime
    quantity: int = 1


@dataclass(frozen=True)
class Week:
    """One ISO week in the venue's wall-clock time: Monday 00:00 to the next Monday 00:00, as UTC."""

    monday: date
    interval: av.Interval

    @property
    def label(self) -> str:
        year, number, _weekday = self.monday.isocalendar()
        return f"{year}-W{number:02d}"


@dataclass(frozen=True)
class Cell:
    """Open minutes, and booked minutes weighted by the share of capacity taken."""

    open_minutes: float = 0.0
    booked_minutes: float = 0.0

    @property
    def share(self) -> float | None:
        """Booked share of the open time (0 to 1); ``None`` when the resource was not open at all."""
        if self.open_minutes <= 0:
            return None
        return min(1.0, self.booked_minutes / self.open_minutes)

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else round(share * 100)

    def __add__(self, other: Cell) -> Cell:
        return Cell(self.open_minutes + other.open_minutes, self.booked_minutes + other.booked_minutes)


@dataclass(frozen=True)
class Row:
    resource: ResourceSpec
    cells: list[Cell]

    @property
    def total(self) -> Cell:
        return sum(self.cells, Cell())


@dataclass(frozen=True)
class Occupancy:
    weeks: list[Week]
    rows: list[Row] = field(default_factory=list)

    @property
    def week_totals(self) -> list[Cell]:
        return [sum((row.cells[index] for row in self.rows), Cell()) for index in range(len(self.weeks))]

    @property
    def total(self) -> Cell:
        return sum((row.total for row in self.rows), Cell())


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def iso_weeks(first_monday: date, count: int, tz: ZoneInfo) -> list[Week]:
    """``count`` consecutive weeks from the Monday of ``first_monday``'s week, in ``tz``."""
    first_monday = monday_of(first_monday)
    midnight = time(0)
    weeks = []
    for n in range(count):
        monday = first_monday + timedelta(weeks=n)
        weeks.append(
            Week(
                monday,
                av.Interval(
                    av.wall_clock(monday, midnight, tz), av.wall_clock(monday + timedelta(weeks=1), midnight, tz)
                ),
            )
        )
    return weeks


def _overlap_minutes(start: datetime, end: datetime, spans: list[av.Interval]) -> float:
    total = 0.0
    for span in spans:
        lo, hi = max(start, span.start), min(end, span.end)
        if lo < hi:
            total += (hi - lo).total_seconds() / 60
    return total


def occupancy(resources: list[ResourceSpec], bookings: list[BookedSpan], tz: ZoneInfo, weeks: list[Week]) -> Occupancy:
    """Open and booked minutes of each resource in each week; booked time outside opening hours is ignored."""
    if not weeks:
        return Occupancy(weeks=[], rows=[])
    starts = [week.interval.start for week in weeks]
    by_resource: dict[int, list[BookedSpan]] = {}
    for booking in bookings:
        by_resource.setdefault(booking.resource_id, []).append(booking)
    rows = []
    for resource in resources:
        open_spans = [
            av.opening_intervals(list(resource.hours), list(resource.closures), tz, week.interval) for week in weeks
        ]
        booked = [0.0] * len(weeks)
        capacity = max(resource.capacity, 1)
        for booking in by_resource.get(resource.id, ()):
            weight = min(booking.quantity, capacity) / capacity
            index = max(bisect_right(starts, booking.start) - 1, 0)
            while index < len(weeks) and weeks[index].interval.start < booking.end:
                booked[index] += weight * _overlap_minutes(booking.start, booking.end, open_spans[index])
                index += 1
        cells = [
            Cell(sum(span.minutes for span in spans), minutes)
            for spans, minutes in zip(open_spans, booked, strict=True)
        ]
        rows.append(Row(resource, cells))
    return Occupancy(weeks=weeks, rows=rows)


def venue_occupancy(*, venue, first_monday: date, weeks: int) -> Occupancy:
    """The occupancy report of one venue's own resources (event seats aside), loaded in five queries.

    Inactive resources appear only when they were booked in the period.
    """
    tz = ZoneInfo(venue.timezone)
    week_list = iso_weeks(first_monday, max(1, min(weeks, MAX_WEEKS)), tz)
    window = av.Interval(week_list[0].interval.start, week_list[-1].interval.end)
    resources = list(
        Resource.objects.filter(venue=venue, origin="")
        .exclude(kind=ResourceKind.EVENT_SEATS)
        .order_by("kind", "name")
        .values_list("pk", "name", "capacity", "is_active")
    )
    ids = [pk for pk, *_rest in resources]
    spans = [
        BookedSpan(resource_id, start, end, quantity)
        for resource_id, start, end, quantity in Booking.objects.filter(
            resource_id__in=ids, status__in=BOOKED_STATUSES, start__lt=window.end, end__gt=window.start
        ).values_list("resource_id", "start", "end", "quantity")
    ]
    own_hours: dict[int, list[av.WeeklyHours]] = {}
    for resource_id, weekday, opens, closes in ResourceHours.objects.filter(resource_id__in=ids).values_list(
        "resource_id", "weekday", "opens", "closes"
    ):
        own_hours.setdefault(resource_id, []).append(av.WeeklyHours(weekday, opens, closes))
    venue_hours = [
        av.WeeklyHours(weekday, opens, closes)
        for weekday, opens, closes in OpeningHours.objects.filter(page_id=venue.pk).values_list(
            "weekday", "opens", "closes"
        )
    ]
    venue_closures: list[av.ClosureDays] = []
    resource_closures: dict[int, list[av.ClosureDays]] = {}
    for resource_id, first, last, yearly in Closure.objects.filter(venue_id=venue.pk).values_list(
        "resource_id", "first_day", "last_day", "yearly"
    ):
        days = av.ClosureDays(first, last, yearly)
        if resource_id is None:
            venue_closures.append(days)
        else:
            resource_closures.setdefault(resource_id, []).append(days)
    booked_ids = {span.resource_id for span in spans}
    specs = [
        ResourceSpec(
            id=pk,
            name=name,
            capacity=capacity,
            hours=tuple(own_hours.get(pk) or venue_hours),
            closures=tuple(venue_closures + resource_closures.get(pk, [])),
        )
        for pk, name, capacity, is_active in resources
        if is_active or pk in booked_ids
    ]
    return occupancy(specs, spans, tz, week_list)
