"""What the calendar feeds and e-mails read (``bookings.feeds``, ``bookings.notifications``):
bookings with their ``SEQUENCE`` counted in SQL, a resource's busy time, a feed by its secret."""

from datetime import datetime

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from bookings import availability as av
from bookings.models import (
    Booking,
    BookingTransition,
    BusyBlock,
    CalendarFeed,
    Refund,
    Resource,
    occupying_at,
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


def booking_for_notification(*, pk: int) -> Booking | None:
    bookings = Booking.objects.select_related("resource__venue", "user").filter(pk=pk)
    return _with_transition_count(bookings).first()


def refund_for_notification(*, pk: int) -> Refund | None:
    return (
        Refund.objects.select_related("payment__booking__resource__venue", "payment__booking__user")
        .filter(pk=pk)
        .first()
    )
