"""The link that pays for a held booking: ``/payments/checkout/<signed reference>/``.

It is what the API gives as ``payment_url`` and what the booking page, its e-mails and the
booking form send the booker to. Following it opens the booking's Checkout Session (or the open
one again) and redirects to Stripe, so creating a booking never waits on Stripe, a retried API
call returns the same link, and the link works wherever the booker opens it. The signature only
stops guessing: all the link can do is let someone pay for that booking.
"""

from datetime import timedelta

from django.core import signing
from django.urls import reverse

from bookings import ics
from bookings.models import Booking, BookingStatus, PaymentState, PaymentStatus

SALT = "essaim.bookings.pay"
#: Longer than any wait for payment (a hold, or a day to pay an approved request), no longer.
LIFETIME = timedelta(days=2)


def pay_token(reference: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign(reference)


def reference_from_token(token: str) -> str | None:
    try:
        return signing.TimestampSigner(salt=SALT).unsign(token, max_age=LIFETIME)
    except signing.BadSignature:  # altered, forged or expired
        return None


def awaits_payment(booking: Booking, now) -> bool:
    """Held for a payment nobody has started clearing yet (a bank debit in progress is not paid twice)."""
    return (
        booking.status == BookingStatus.HELD
        and booking.payment_state == PaymentState.PENDING
        and booking.expires_at is not None
        and booking.expires_at > now
        and not booking.payments.filter(status=PaymentStatus.PROCESSING).exists()
    )


def pay_path(booking: Booking) -> str:
    return reverse("payment-checkout", kwargs={"token": pay_token(booking.reference)})


def pay_url(booking: Booking) -> str:
    """Absolute, for e-mails and API clients."""
    return ics.site_url(pay_path(booking))
