"""The retention periods of the privacy page, applied by a periodic task (``retention_apply_task``).

Idempotent: each step selects only what is past its period and not yet dealt with, so a second
run the same day changes nothing. The periods are settings (``ESSAIM_RETENTION_*``), read here
and on the privacy page, so the page says what the code does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.services import erasure
from bookings.models import OPEN, Booking, BookingTransition, Payment, Refund
from events.models import WaitlistTransition


def periods() -> dict[str, int]:
    """The retention periods in days, as the privacy page shows them."""
    return {
        "unverified": settings.ESSAIM_RETENTION_UNVERIFIED_DAYS,
        "inactive": settings.ESSAIM_RETENTION_INACTIVE_ACCOUNT_DAYS,
        "booking_notes": settings.ESSAIM_RETENTION_BOOKING_NOTES_DAYS,
        "audit": settings.ESSAIM_RETENTION_AUDIT_DAYS,
        "payments": settings.ESSAIM_RETENTION_PAYMENT_YEARS * 365,
    }


def _unverified_signups_delete(now: datetime, days: int) -> int:
    """Sign-ups whose address was never confirmed: gone after ``days`` (nothing ties to them: a
    booking needs a verified address; one that has bookings anyway is erased, not deleted)."""
    User = get_user_model()
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    signed_up = EmailAddress.objects.filter(user=OuterRef("pk"))
    stale = User.objects.filter(
        Exists(signed_up), ~Exists(verified), is_active=True, is_staff=False, date_joined__lt=now - timedelta(days=days)
    )
    count = 0
    for user in stale:
        if Booking.objects.filter(user=user).exists():
            erasure.account_delete(user=user, now=now)
        else:
            user.delete()
        count += 1
    return count


def _inactive_accounts_erase(now: datetime, days: int) -> int:
    """Accounts nobody has logged in to for ``days`` (and with nothing booked ahead) are erased;
    not a venue's or hub's team member, whose account the network's admins manage."""
    cutoff = now - timedelta(days=days)
    ahead = Booking.objects.filter(user=OuterRef("pk"), status__in=OPEN, end__gt=now)
    idle = get_user_model().objects.filter(
        Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff),
        ~Exists(ahead),
        is_active=True,
        is_staff=False,
        is_superuser=False,
        groups__isnull=True,
    )
    count = 0
    for user in idle:
        erasure.account_delete(user=user, now=now)
        count += 1
    return count


def _booking_notes_erase(now: datetime, days: int) -> int:
    """The free text of bookings that ended ``days`` ago: the note may name people or needs."""
    return Booking.objects.filter(end__lt=now - timedelta(days=days)).exclude(note="").update(note="")


def _audit_purge(now: datetime, days: int) -> int:
    """Status histories older than ``days``; a paid booking's history stays as long as its payment."""
    cutoff = now - timedelta(days=days)
    paid = Payment.objects.filter(booking=OuterRef("booking"))
    deleted, _by_model = BookingTransition.objects.filter(at__lt=cutoff).exclude(Exists(paid)).delete()
    waits, _by_model = WaitlistTransition.objects.filter(at__lt=cutoff).delete()
    return deleted + waits


@transaction.atomic
def _accounting_purge(now: datetime, days: int) -> int:
    """Bookings that ended more than the accounting period ago go, with their payments and refunds;
    then the erased accounts that nothing points at any more."""
    old = Booking.objects.filter(end__lt=now - timedelta(days=days)).exclude(status__in=OPEN)
    Refund.objects.filter(payment__booking__in=old).delete()
    Payment.objects.filter(booking__in=old).delete()
    count, _by_model = old.delete()
    orphans = get_user_model().objects.filter(
        username__startswith=erasure.ERASED_PREFIX, is_active=False, bookings__isnull=True
    )
    orphans.delete()
    return count


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    """Apply every period; returns how many rows each step touched (for the task's log)."""
    now = now or timezone.now()
    days = periods()
    return {
        "unverified_deleted": _unverified_signups_delete(now, days["unverified"]),
        "inactive_erased": _inactive_accounts_erase(now, days["inactive"]),
        "booking_notes_erased": _booking_notes_erase(now, days["booking_notes"]),
        "audit_purged": _audit_purge(now, days["audit"]),
        "accounting_purged": _accounting_purge(now, days["payments"]),
    }
