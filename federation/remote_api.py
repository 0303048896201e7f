"""``bookings.remote``'s API hooks: booking a mirrored resource through ``POST /api/v1/bookings/``,
the person's remote bookings in ``GET /api/v1/bookings/``, and cancelling one by its uid. The rows
have the fields of a local booking's, with ``id`` the remote booking's uid and ``origin`` the
venue's node."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import translation

from bookings.api.serializers import booking_answer_head
from core.api import local_iso
from core.errors import NotFound
from core.origins import origin_name
from federation.models import RemoteBooking, RemoteBookingStatus
from federation.remote_pages import refusal
from federation.services import remote_bookings as service

#: Statuses that still hold or will hold the place (what "upcoming" lists and cancel may act on).
LIVE = (
    RemoteBookingStatus.REQUESTED,
    RemoteBookingStatus.HELD,
    RemoteBookingStatus.PENDING_APPROVAL,
    RemoteBookingStatus.CONFIRMED,
    RemoteBookingStatus.CHECKED_IN,
)


def row(booking: RemoteBooking) -> dict:
    resource = booking.resource
    tz = ZoneInfo(resource.venue.timezone)
    return {
        "id": str(booking.uid),
        **booking_answer_head(booking, tz),
        "payment_url": booking.payment_url or None,
        "note": "",
        "created_at": local_iso(booking.created_at, tz),
        "origin": booking.peer.url,
        "origin_name": origin_name(booking.peer.url),
    }


def place(request, resource, data: dict) -> dict:
    """Hold through the venue's node, then confirm at once (a priced booking stays held with the
    node's payment link). A refusal raises the node's code: 409 when taken, 400 otherwise."""
    booking = service.remote_hold(
        user=request.user,
        resource=resource,
        start=data["start"],
        end=data["end"],
        quantity=data["quantity"],
        language=translation.get_language() or "",
    )
    if booking.status == RemoteBookingStatus.FAILED:
        raise refusal(booking)
    if booking.status == RemoteBookingStatus.REQUESTED:
        raise service.unreachable()
    if booking.status == RemoteBookingStatus.HELD:
        booking = service.remote_confirm(booking=booking)
    return row(booking)


def rows(user, *, when: str, status: str, now: datetime) -> list[dict]:
    bookings = RemoteBooking.objects.filter(user=user).select_related("resource__venue", "peer")
    if when == "upcoming":
        bookings = bookings.filter(end__gt=now).order_by("start")
    elif when == "past":
        bookings = bookings.filter(end__lte=now).order_by("-start")
    if status:
        bookings = bookings.filter(status=status)
    return [row(b) for b in bookings.exclude(status=RemoteBookingStatus.FAILED)]


def cancel(request, uid, reason: str = "") -> dict:
    booking = RemoteBooking.objects.filter(uid=uid, user=request.user).select_related("resource__venue", "peer").first()
    if booking is None:
        raise NotFound(translation.gettext("You have no booking with this id."), code="booking_not_found")
    return row(service.remote_cancel(booking=booking, reason=reason))
