"""What the calendar feeds and e-mails read (``bookings.feeds``, ``bookings.notifications``):
bookings with their ``SEQUENCE`` counted in SQL, a resource's busy time (and its free/busy form),
a venue's bookings for its team, a feed by its secret."""

from datetime import datetime

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from bookings import availability as av
from bookings.models import (
    Booking,
    BookingStatus,
    BookingTransition,
    BusyBlock,
    CalendarFeed,
    Refund,
    Resource,
    VenueFeed,
    occupying_at,
    standing_at,
)


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
    return CalendarFeed.objects.filter(secret=secret).select_related("user").first()  # its owner's language


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


def resource_busy_bookings(*, resource: Resource, window: av.Interval, now: datetime) -> QuerySet[Booking]:
    """Bookings taking ``resource`` within ``window`` (holds until they expire), without the booker."""
    bookings = Booking.objects.filter(
        occupying_at(now),
        resource=resource,
        start__lt=window.end,
        end__gt=window.start,
    ).only("reference", "status", "start", "end", "quantity", "updated_at")
    return _with_transition_count(bookings.order_by("start", "id"))


def resource_busy_blocks(*, resource: Resource, window: av.Interval) -> QuerySet[BusyBlock]:
    return BusyBlock.objects.filter(resource=resource, start__lt=window.end, end__gt=window.start).order_by(
        "start", "id"
    )


def resource_standing_bookings(*, resource: Resource, window: av.Interval, now: datetime) -> QuerySet[Booking]:
    """``resource_busy_bookings`` plus requests awaiting approval: the free/busy feed shows them
    as tentatively busy. Only the times and the status: nothing about the booker."""
    return (
        Booking.objects.filter(standing_at(now), resource=resource, start__lt=window.end, end__gt=window.start)
        .only("status", "start", "end", "updated_at")
        .order_by("start", "id")
    )


def resource_bookings_changed(*, resource: Resource, window: av.Interval) -> datetime | None:
    """The last change of any booking of ``resource`` in ``window``, whatever its status: a booking
    cancelled or expired leaves a feed, and its Last-Modified must still move forward."""
    bookings = Booking.objects.filter(resource=resource, start__lt=window.end, end__gt=window.start)
    return bookings.aggregate(latest=Max("updated_at"))["latest"]


def venue_feed_get(*, secret: str) -> VenueFeed | None:
    if not secret or len(secret) > 64:
        return None
    return VenueFeed.objects.filter(secret=secret).select_related("venue").first()


def venue_feed_window_days(*, venue) -> int:
    """The longest booking horizon among the venue's resources (0 without resources)."""
    return Resource.objects.filter(venue=venue).aggregate(days=Max("horizon_days"))["days"] or 0


#: What the venue team's feed shows: whatever holds or asks for a place, and what happened
#: (checked in, no-show); never what was cancelled, rejected or has expired.
TEAM_FEED_STATUSES = (
    BookingStatus.PENDING_APPROVAL,
    BookingStatus.HELD,
    BookingStatus.CONFIRMED,
    BookingStatus.CHECKED_IN,
    BookingStatus.NO_SHOW,
)


def bookings_for_venue_feed(*, venue, window: av.Interval, now: datetime) -> list[Booking]:
    """Every booking of every resource of ``venue`` in ``window`` that still stands (a hold until it
    expires), with its resource and booker, in one query."""
    bookings = (
        Booking.objects.filter(
            resource__venue=venue, status__in=TEAM_FEED_STATUSES, start__lt=window.end, end__gt=window.start
        )
        .exclude(Q(status=BookingStatus.HELD) & Q(expires_at__lte=now))
        .select_related("resource", "user")
        .order_by("start", "id")
    )
    return list(_with_transition_count(bookings))


def venue_bookings_changed(*, venue, window: av.Interval) -> datetime | None:
    """The last change of any booking at ``venue`` in ``window``, whatever its status."""
    bookings = Booking.objects.filter(resource__venue=venue, start__lt=window.end, end__gt=window.start)
    return bookings.aggregate(latest=Max("updated_at"))["latest"]


def booking_for_notification(*, pk: int) -> Booking | None:
    bookings = Booking.objects.select_related("resource__venue", "user").filter(pk=pk)
    return _with_transition_count(bookings).first()


def refund_for_notification(*, pk: int) -> Refund | None:
    return (
        Refund.objects.select_related("payment__booking__resource__venue", "payment__booking__user")
        .filter(pk=pk)
        .first()
    )
