"""Local times, amounts and names as the bookings admin shows them."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse

from bookings import availability as av
from bookings import remote
from bookings.models import BookingStatus, PaymentState
from core.formatting import datetime_label, money_label

#: What the day view and the dashboard count: everything that still holds (or held) a place that day.
DAY_STATUSES = (
    BookingStatus.PENDING_APPROVAL,
    BookingStatus.HELD,
    BookingStatus.CONFIRMED,
    BookingStatus.CHECKED_IN,
    BookingStatus.NO_SHOW,
)


def venue_zone(venue) -> ZoneInfo:
    return ZoneInfo(venue.timezone)


def local_day(day, tz: ZoneInfo) -> av.Interval:
    return av.Interval(av.wall_clock(day, time(0), tz), av.wall_clock(day + timedelta(days=1), time(0), tz))


def booking_time(at: datetime, tz: ZoneInfo) -> str:
    """``Tue, Feb 3, 2026, 08:30:00`` in the venue's zone (CLDR's words for the admin's language)."""
    return datetime_label(at, tz, seconds=True)


def amount_label(booking) -> str:
    if booking.payment_state == PaymentState.NONE and not booking.amount_minor:
        return booking.get_payment_state_display()
    return f"{money_label(booking.amount_minor, booking.currency)} · {booking.get_payment_state_display()}"


def booker_label(user) -> str:
    remote_label = remote.booker_label(user)  # a person who came through another node
    if remote_label:
        return remote_label
    name = user.get_full_name().strip()
    return f"{name} <{user.email}>" if name and user.email else name or user.email or user.get_username()


def booking_detail_url(booking) -> str:
    return reverse("booking_list:detail", args=[booking.pk])
