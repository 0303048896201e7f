"""Work the clock makes due, run by beat: expire holds and unanswered requests, send reminders.

Each booking is handled in its own short transaction, locked and checked again once locked (a
hold may have been paid, a request approved, since the list was read), so a sweep never holds
many rows and never undoes what a person just did.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from bookings.models import Booking, BookingStatus
from bookings.services.transitions import notify, now_or, transition
from core.audit import AuditReason
from core.locking import lock_one


def hold_expire_all(*, now: datetime | None = None) -> int:
    """Mark holds past their time expired, and requests nobody approved before they began."""
    now = now_or(now)
    due = Booking.objects.filter(
        Q(status=BookingStatus.HELD, expires_at__lte=now) | Q(status=BookingStatus.PENDING_APPROVAL, start__lte=now)
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due[:1000]):
        with transaction.atomic():
            booking = lock_one(Booking(pk=pk))
            if booking is None:
                continue
            still_due = (booking.status == BookingStatus.HELD and booking.expires_at <= now) or (
                booking.status == BookingStatus.PENDING_APPROVAL and booking.start <= now
            )
            if still_due:
                transition(booking, BookingStatus.EXPIRED, reason=AuditReason.EXPIRED, now=now)
                booking.save(update_fields=["status", "updated_at"])
                count += 1
    return count


def booking_reminders_send(*, now: datetime | None = None) -> int:
    """Remind bookers the day before: bookings starting within the next 24 hours, once each."""
    now = now_or(now)
    due = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        start__gt=now + timedelta(hours=2),
        start__lte=now + timedelta(hours=24),
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due[:1000]):
        with transaction.atomic():
            # A conditional UPDATE is its own guard: of two sweeps, one sets the mark, one sees it set.
            updated = Booking.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
            if updated:
                notify(Booking(pk=pk), "reminder")
                count += 1
    return count
