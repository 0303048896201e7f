"""Read queries for the booking engine: a resource's calendar, availability, bookings, permissions.

``resource_calendar`` gathers everything the pure ``availability`` module needs for one resource
and window in four queries; the same loader serves the availability API, the booking service and
the network-wide search, so what is shown and what is accepted come from one place.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import BigIntegerField, Count, Func, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from bookings import availability as av
from bookings.models import (
    Booking,
    BookingStatus,
    BookingTransition,
    BusyBlock,
    CalendarFeed,
    Closure,
    Payment,
    Refund,
    RefundStatus,
    Resource,
    ResourceHours,
)
from bookings.payments import ledger
from venues.models import OpeningHours, VenuePage, VenueTeam
from venues.permissions import venues_managed_by


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
        Q(status__in=[BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN])
        | Q(status=BookingStatus.HELD, expires_at__gt=now),
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
    resource: Resource, window: av.Interval, now: datetime, rules: av.Rules
) -> list[av.Occupation]:
    reach = timedelta(minutes=resource.buffer_minutes)
    # Summed per span in SQL: a busy desk pool has thousands of bookings but few distinct spans,
    # and turning timestamps into Python objects is what costs, not the query.
    bookings = (
        occupying_bookings(resource, window, now)
        .order_by()
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


def resources_bookable() -> QuerySet[Resource]:
    """Our own active resources on live venues."""
    return (
        Resource.objects.filter(is_active=True, origin="", venue__live=True)
        .exclude(kind="event_seats")
        .select_related("venue")
    )


def resources_for_venue(*, venue: VenuePage) -> QuerySet[Resource]:
    return resources_bookable().filter(venue_id=venue.id)


def resource_get(*, pk: int) -> Resource | None:
    if not 0 < pk < 2**63:
        return None
    return Resource.objects.select_related("venue").filter(pk=pk).first()


def booking_transitions(booking: Booking):
    return booking.transitions.select_related("actor")


def user_booking_counts(
    *, user, resource: Resource, day_window: av.Interval, week_window: av.Interval, now
) -> tuple[int, int]:
    """How many active bookings ``user`` has on ``resource`` in the request's local day and week."""
    active = Booking.objects.filter(user=user, resource=resource).filter(
        Q(status__in=[BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.PENDING_APPROVAL])
        | Q(status=BookingStatus.HELD, expires_at__gt=now)
    )
    per_day = active.filter(start__gte=day_window.start, start__lt=day_window.end).count()
    per_week = active.filter(start__gte=week_window.start, start__lt=week_window.end).count()
    return per_day, per_week


def open_holds_count(*, user, now: datetime) -> int:
    return Booking.objects.filter(user=user, status=BookingStatus.HELD, expires_at__gt=now).count()


def venue_manager_emails(*, venue: VenuePage) -> list[str]:
    """Where to write to a venue's team: the venue's own address and its managers' addresses."""
    team = VenueTeam.objects.filter(translation_key=venue.translation_key).first()
    users = get_user_model().objects.filter(groups=team.group, is_active=True) if team else []
    addresses = [venue.email] + [user.email for user in users]
    return sorted({address for address in addresses if address})


def bookings_for_manager(*, user) -> QuerySet[Booking]:
    return Booking.objects.filter(resource__venue__in=venues_managed_by(user)).select_related("resource__venue", "user")


# Calendar feeds and e-mails (bookings.feeds, bookings.notifications) ------------------------


def _with_transition_count(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """Annotate ``transition_count`` in one subquery (no N+1): iCalendar's SEQUENCE grows with it."""
    count = (
        BookingTransition.objects.filter(booking=OuterRef("pk"))
        .order_by()
        .values("booking")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return bookings.annotate(transition_count=Coalesce(Subquery(count), 0))


def calendar_feed_get(*, secret: str) -> CalendarFeed | None:
    if not secret or len(secret) > 64:
        return None
    return CalendarFeed.objects.filter(secret=secret).first()


def bookings_for_person_feed(*, user_id: int, since: datetime) -> list[Booking]:
    """The person's bookings ending after ``since``, in every status: a cancelled one must reach
    subscribed calendars so that they remove it. Their resources and venues come in one more
    query and are shared (a person books few places, many times: one page object per venue)."""
    bookings = list(
        _with_transition_count(Booking.objects.filter(user_id=user_id, end__gt=since).order_by("start", "id"))
    )
    resources = Resource.objects.select_related("venue").in_bulk({booking.resource_id for booking in bookings})
    for booking in bookings:
        booking.resource = resources[booking.resource_id]
    return bookings


def resource_for_feed(*, pk: int) -> Resource | None:
    if not 0 < pk < 2**63:
        return None
    return resources_bookable().filter(pk=pk).first()


def resource_busy_bookings(*, resource: Resource, window: av.Interval, now: datetime) -> QuerySet[Booking]:
    """Bookings taking ``resource`` within ``window`` (holds until they expire), without the booker."""
    bookings = Booking.objects.filter(
        Q(status__in=[BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN])
        | Q(status=BookingStatus.HELD, expires_at__gt=now),
        resource=resource,
        start__lt=window.end,
        end__gt=window.start,
    ).only("reference", "status", "start", "end", "quantity", "updated_at")
    return _with_transition_count(bookings.order_by("start", "id"))


def resource_busy_blocks(*, resource: Resource, window: av.Interval) -> QuerySet[BusyBlock]:
    return BusyBlock.objects.filter(resource=resource, start__lt=window.end, end__gt=window.start).order_by(
        "start", "id"
    )


def booking_for_notification(*, pk: int) -> Booking | None:
    bookings = Booking.objects.select_related("resource__venue", "user").filter(pk=pk)
    return _with_transition_count(bookings).first()


def booking_by_reference(*, reference: str) -> Booking | None:
    return Booking.objects.select_related("resource__venue", "user").filter(reference=reference).first()


def refund_for_notification(*, pk: int) -> Refund | None:
    return (
        Refund.objects.select_related("payment__booking__resource__venue", "payment__booking__user")
        .filter(pk=pk)
        .first()
    )


def booking_refunds(*, booking: Booking):
    """The booking's refunds that went through or may still, oldest first."""
    return Refund.objects.filter(payment__booking=booking).exclude(status=RefundStatus.FAILED).order_by("created_at")


def booking_payments(*, booking: Booking):
    return Payment.objects.filter(booking=booking).prefetch_related("refunds").order_by("created_at")


# The public booking page: one resource's local day ----------------------------------------------


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


def booking_of_user_by_reference(*, user: AbstractBaseUser, reference: str) -> Booking | None:
    """The person's own booking by its reference; ``None`` for anyone else's."""
    if not reference or len(reference) > 12:
        return None
    return (
        ledger.with_totals(Booking.objects.select_related("resource__venue", "resource__photo"))
        .filter(user=user, reference=reference.upper())
        .first()
    )
