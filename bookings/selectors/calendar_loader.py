"""One resource's calendar, loaded: its rules, hours, closures and occupations around a window.

``resource_calendar`` gathers everything the pure ``availability`` module needs for one resource
and window in four queries (the occupations' one written as SQL); the same loader serves the
availability API, the booking service and the network-wide search, so what is shown and what is
accepted come from one place.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q, QuerySet

from bookings import availability as av
from bookings.models import (
    OCCUPYING_UNTIL_CANCELLED,
    Booking,
    BookingStatus,
    BusyBlock,
    Closure,
    Resource,
    ResourceHours,
    occupying_at,
)
from core import page_cache
from core.locking import Read
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


def _hours_and_closures(resource: Resource) -> dict:
    """Hours and closures of one of our resources from the cache (three queries saved on every
    booking and availability read), kept until a page, a resource, its hours or a closure changes
    (``core.page_cache.PAGES``, bumped by ``cms.signals``). A peer's mirrored resource is read
    fresh: mirrors are written in bulk, which bumps nothing."""

    def load():
        return {"hours": resource_hours(resource), "closures": resource_closures(resource)}

    if resource.is_remote:
        return load()
    return page_cache.kept_until_changed(f"essaim:calendar-days:{resource.pk}:{resource.venue_id}", load)


def occupying_bookings(resource: Resource, window: av.Interval, now: datetime) -> QuerySet[Booking]:
    """Bookings that take units within ``window`` (widened by the buffer): holds only until they expire."""
    reach = timedelta(minutes=resource.buffer_minutes)
    return Booking.objects.filter(
        occupying_at(now),
        resource=resource,
        start__lt=window.end + reach,
        blocked_until__gt=window.start - reach,
    )


def resource_occupations(
    resource: Resource, window: av.Interval, now: datetime, rules: av.Rules, *, excluding: int | None = None
) -> list[av.Occupation]:
    """What takes the resource's units in ``window``; ``excluding``: one booking left out (the one
    being placed, written before its count).

    One statement for bookings and busy blocks, written as SQL: it runs inside every booking's
    transaction, under the pool's lock, and building it through the ORM cost more CPU than running
    it (a py-spy profile of one booking: 31 % of the request in this function, two thirds of it
    query building). ``test_calendar_loader`` holds it to ``occupying_bookings``, the ORM's reading."""
    return _occupations(resource, window, now, rules, excluding=excluding, stale=False)[0]


def occupations_and_stale_holds(
    resource: Resource, window: av.Interval, now: datetime, rules: av.Rules
) -> tuple[list[av.Occupation], list[int]]:
    """``resource_occupations`` and ``stale_hold_ids`` in one statement: a desk or a room's
    booking reads both, one after the other, in its transaction."""
    return _occupations(resource, window, now, rules, excluding=None, stale=True)


def _occupations(resource, window, now, rules, *, excluding, stale) -> tuple[list[av.Occupation], list[int]]:
    return occupations_from(
        occupations_read(resource, window, now, excluding=excluding, stale=stale).run(), resource, rules
    )


def occupations_read(resource, window, now, *, excluding=None, stale=False) -> Read:
    """The statement of ``resource_occupations`` (``stale``: of ``occupations_and_stale_holds``),
    for a caller that sends it with its lock (``core.locking.lock_and_read``)."""
    reach = timedelta(minutes=resource.buffer_minutes)
    low, high = window.start - reach, window.end + reach
    sql, params = _occupations_sql(resource.pk, low, high, now, excluding, connection.vendor)
    if stale:
        more, more_params = _stale_sql(resource.pk, low, high, now, columns="2, {id}, 0, 0")
        sql, params = f"{sql} UNION ALL {more}", params + more_params
    return Read(sql, params)


def occupations_from(read: Read, resource, rules: av.Rules) -> tuple[list[av.Occupation], list[int]]:
    """``occupations_read``'s rows as occupations, and the stale holds' keys."""
    instant = partial(datetime.fromtimestamp, tz=UTC)
    occupations = [
        av.booking_occupation(instant(start), instant(until), units, rules)
        if kind == 0
        else av.Occupation(instant(start), instant(until), min(units, resource.capacity))
        for kind, start, until, units in read.rows
        if kind != 2
    ]
    return occupations, [start for kind, start, _until, _units in read.rows if kind == 2]


def stale_hold_ids(resource: Resource, window: av.Interval, now: datetime) -> list[int]:
    """Holds whose time ran out but not yet marked expired, within the buffer's reach of
    ``window``: they no longer occupy (``occupying_at``), but the exclusion constraint still sees
    them until marked. Read before every booking of a desk or a room, so written as SQL, like
    ``resource_occupations`` (``test_calendar_loader`` holds it to the ORM's filter)."""
    reach = timedelta(minutes=resource.buffer_minutes)
    sql, params = _stale_sql(resource.pk, window.start - reach, window.end + reach, now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def _stale_sql(resource_id, low, high, now, columns: str = "{id}") -> tuple[str, list]:
    """Held bookings past their time in ``[low, high)``; ``columns``: what each row holds (``{id}``
    names the key: ``"2, {id}, 0, 0"`` is as wide as an occupation's row, for a ``UNION``)."""
    q = connection.ops.quote_name
    at = connection.ops.adapt_datetimefield_value
    sql = (
        f"SELECT {columns.format(id=q('id'))} FROM {q(Booking._meta.db_table)} WHERE {q('resource_id')} = %s"  # noqa: S608 — names from our models, values as parameters
        f" AND {q('status')} = %s AND {q('expires_at')} <= %s AND {q('start')} < %s AND {q('blocked_until')} > %s"
    )
    return sql, [resource_id, BookingStatus.HELD, at(now), at(high), at(low)]


def _epoch(column: str, vendor: str) -> str:
    """A timestamp as whole seconds since 1970, in SQL: integers load several times faster than
    timestamps, which are parsed in Python; bookings always start and end on whole seconds."""
    if vendor == "sqlite":
        return f"CAST(strftime('%%s', {column}) AS INTEGER)"  # '%%': the cursor takes %s for a parameter
    return f"CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)"


def _occupations_sql(resource_id, low, high, now, excluding, vendor) -> tuple[str, list]:
    """Bookings that occupy ``[low, high)`` summed per span (a busy desk pool has thousands of
    bookings but few distinct spans, and timestamps cost in Python), then the busy blocks."""
    q = connection.ops.quote_name
    at = connection.ops.adapt_datetimefield_value
    booking, block = Booking._meta.db_table, BusyBlock._meta.db_table
    leave_out = f" AND {q('id')} <> %s" if excluding is not None else ""
    lasting = ", ".join(["%s"] * len(OCCUPYING_UNTIL_CANCELLED))  # ``occupying_at``, spelled in SQL
    sql = (
        f"SELECT 0, {_epoch(q('start'), vendor)}, {_epoch(q('blocked_until'), vendor)}, SUM({q('quantity')})"  # noqa: S608 — names from our models, values as parameters
        f" FROM {q(booking)} WHERE {q('resource_id')} = %s AND {q('start')} < %s AND {q('blocked_until')} > %s"
        f" AND ({q('status')} IN ({lasting}) OR ({q('status')} = %s AND {q('expires_at')} > %s)){leave_out}"
        f" GROUP BY {q('start')}, {q('blocked_until')}"
        f" UNION ALL SELECT 1, {_epoch(q('start'), vendor)}, {_epoch(q('end'), vendor)}, {q('quantity')}"
        f" FROM {q(block)} WHERE {q('resource_id')} = %s AND {q('start')} < %s AND {q('end')} > %s"
    )
    params = [resource_id, at(high), at(low), *OCCUPYING_UNTIL_CANCELLED]
    params += [BookingStatus.HELD, at(now)] + ([excluding] if excluding is not None else [])
    return sql, [*params, resource_id, at(high), at(low)]


def resource_calendar(
    resource: Resource, window: av.Interval, now: datetime, *, with_occupations: bool = True
) -> Calendar:
    """``with_occupations=False`` for checks that need only hours and closures (the booking
    service loads occupations again under its lock, where they count)."""
    rules = resource_rules(resource)
    return Calendar(
        rules=rules,
        tz=resource_timezone(resource),
        **_hours_and_closures(resource),
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
