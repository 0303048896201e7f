"""One resource's calendar, loaded: its rules, hours, closures and occupations around a window.

``resource_calendar`` gathers everything the pure ``availability`` module needs for one resource
and window in four queries; the same loader serves the availability API, the booking service and
the network-wide search, so what is shown and what is accepted come from one place.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, Func, Q, QuerySet, Sum

from bookings import availability as av
from bookings.models import Booking, BusyBlock, Closure, Resource, ResourceHours, occupying_at
from venues.models import OpeningHours


def resource_rules(resource: Resource) -> av.Rules:
    return av.Rules(
        capacity=resource.capacity,
        slot_minutes=resource.slot_minutes,
        min_minutes=resource.min_minutes,
        max_minutes=resource.max_minutes,
        lead_minutes=resource.lead_minutes,
        horizon_days=resource.horizon_days,
        buffer_minutes=resource.buffer_minutes,
        booking_unit=resource.booking_unit,
        exclusive=resource.is_exclusive,
    )


def resource_timezone(resource: Resource) -> ZoneInfo:
    return ZoneInfo(resource.venue.timezone)


@dataclass(frozen=True)
class Calendar:
    """One resource's hours, closures and occupations around a window, as plain data."""

    rules: av.Rules
    tz: ZoneInfo
    hours: list[av.WeeklyHours]
    closures: list[av.ClosureDays]
    occupations: list[av.Occupation]


def resource_hours(resource: Resource) -> list[av.WeeklyHours]:
    """The resource's own weekly hours if it has any, otherwise its venue's."""
    rows = [av.WeeklyHours(r.weekday, r.opens, r.closes) for r in ResourceHours.objects.filter(resource=resource)]
    if rows:
        return rows
    return [
        av.WeeklyHours(r.weekday, r.opens, r.closes)
        for r in OpeningHours.objects.filter(page_id=resource.venue_id).only("weekday", "opens", "closes")
    ]


def resource_closures(resource: Resource) -> list[av.ClosureDays]:
    rows = Closure.objects.filter(venue_id=resource.venue_id).filter(Q(resource__isnull=True) | Q(resource=resource))
    return [av.ClosureDays(c.first_day, c.last_day, c.yearly) for c in rows.only("first_day", "last_day", "yearly")]


def occupying_bookings(resource: Resource, window: av.Interval, now: datetime) -> QuerySet[Booking]:
    """Bookings that take units within ``window`` (widened by the buffer): holds only until they expire."""
    reach = timedelta(minutes=resource.buffer_minutes)
    return Booking.objects.filter(
        occupying_at(now),
        resource=resource,
        start__lt=window.end + reach,
        blocked_until__gt=window.start - reach,
    )


class EpochSeconds(Func):
    """A timestamp as whole seconds since 1970, in SQL. Integers load several times faster than
    timestamps, which Django parses in Python; bookings always start and end on whole seconds."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        template = "CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)"  # '%%' survives two formattings
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) AS BIGINT)"
        return self.as_sql(compiler, connection, template=template, **extra)


def resource_occupations(
    resource: Resource, window: av.Interval, now: datetime, rules: av.Rules, *, excluding: int | None = None
) -> list[av.Occupation]:
    """What takes the resource's units in ``window``; ``excluding``: one booking left out (the one
    being placed, written before its count)."""
    reach = timedelta(minutes=resource.buffer_minutes)
    occupying = occupying_bookings(resource, window, now)
    if excluding is not None:
        occupying = occupying.exclude(pk=excluding)
    # Summed per span in SQL: a busy desk pool has thousands of bookings but few distinct spans,
    # and turning timestamps into Python objects is what costs, not the query.
    bookings = (
        occupying.order_by()
        .values_list(EpochSeconds("start"), EpochSeconds("blocked_until"))
        .annotate(units=Sum("quantity"))
    )
    instant = partial(datetime.fromtimestamp, tz=UTC)
    occupations = [
        av.booking_occupation(instant(start), instant(until), units, rules) for start, until, units in bookings
    ]
    blocks = BusyBlock.objects.filter(
        resource=resource, start__lt=window.end + reach, end__gt=window.start - reach
    ).values_list("start", "end", "quantity")
    occupations += [av.Occupation(start, end, min(quantity, resource.capacity)) for start, end, quantity in blocks]
    return occupations


def resource_calendar(
    resource: Resource, window: av.Interval, now: datetime, *, with_occupations: bool = True
) -> Calendar:
    """``with_occupations=False`` for checks that need only hours and closures (the booking
    service loads occupations again under its lock, where they count)."""
    rules = resource_rules(resource)
    return Calendar(
        rules=rules,
        tz=resource_timezone(resource),
        hours=resource_hours(resource),
        closures=resource_closures(resource),
        occupations=resource_occupations(resource, window, now, rules) if with_occupations else [],
    )


def resource_availability(*, resource: Resource, window: av.Interval, now: datetime) -> list[av.Free]:
    """Free intervals a booking could start and end in: open, not closed, within notice and horizon."""
    return calendar_availability(resource_calendar(resource, window, now), window, now, active=resource.is_active)


def calendar_availability(calendar: Calendar, window: av.Interval, now: datetime, *, active: bool) -> list[av.Free]:
    """``resource_availability`` over a calendar already loaded (pure)."""
    bookable = av.bookable_window(window, calendar.rules, now)
    if bookable is None or not active:
        return []
    envelope = calendar.rules.booking_unit != "slots"
    spans = av.opening_intervals(calendar.hours, calendar.closures, calendar.tz, bookable, envelope=envelope)
    return av.free_intervals(spans, calendar.occupations, calendar.rules.capacity)
