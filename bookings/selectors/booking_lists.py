"""Bookings as people and managers list them, a person's counts against the limits, a booking's
history, payments and refunds, and whom to write to about a venue."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from bookings import availability as av
from bookings.models import Booking, BookingStatus, Payment, Refund, RefundStatus, Resource, standing_at
from bookings.payments import ledger
from venues.models import VenuePage, VenueTeam
from venues.permissions import venues_managed_by


def booking_transitions(booking: Booking):
    return booking.transitions.select_related("actor")


def user_booking_counts(
    *, user, resource: Resource, day_window: av.Interval, week_window: av.Interval, now
) -> tuple[int, int]:
    """How many active bookings ``user`` has on ``resource`` in the request's local day and week."""
    active = Booking.objects.filter(standing_at(now), user=user, resource=resource)
    per_day = active.filter(start__gte=day_window.start, start__lt=day_window.end).count()
    per_week = active.filter(start__gte=week_window.start, start__lt=week_window.end).count()
    return per_day, per_week


def open_holds_count(*, user, now: datetime) -> int:
    return Booking.objects.filter(user=user, status=BookingStatus.HELD, expires_at__gt=now).count()


def bookings_for_manager(*, user) -> QuerySet[Booking]:
    return Booking.objects.filter(resource__venue__in=venues_managed_by(user)).select_related("resource__venue", "user")


def booking_of_user_by_reference(*, user: AbstractBaseUser, reference: str) -> Booking | None:
    """The person's own booking by its reference; ``None`` for anyone else's."""
    if not reference or len(reference) > 12:
        return None
    return (
        ledger.with_totals(Booking.objects.select_related("resource__venue", "resource__photo"))
        .filter(user=user, reference=reference.upper())
        .first()
    )


def booking_by_reference(*, reference: str) -> Booking | None:
    return Booking.objects.select_related("resource__venue", "user").filter(reference=reference).first()


def booking_refunds(*, booking: Booking):
    """The booking's refunds that went through or may still, oldest first."""
    return Refund.objects.filter(payment__booking=booking).exclude(status=RefundStatus.FAILED).order_by("created_at")


def booking_payments(*, booking: Booking):
    return Payment.objects.filter(booking=booking).prefetch_related("refunds").order_by("created_at")


def venue_manager_emails(*, venue: VenuePage) -> list[str]:
    """Where to write to a venue's team: the venue's own address and its managers' addresses."""
    team = VenueTeam.objects.filter(translation_key=venue.translation_key).first()
    users = get_user_model().objects.filter(groups=team.group, is_active=True) if team else []
    addresses = [venue.email] + [user.email for user in users]
    return sorted({address for address in addresses if address})
