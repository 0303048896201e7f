"""The link that pays for a held booking: ``/payments/checkout/<signed reference>/``.

It is what the API gives as ``payment_url`` and what the booking page, its e-mails and the
booking form send the booker to. Following it opens the booking's Checkout Session (or the open
one again) and redirects to Stripe, so creating a booking never waits on Stripe, a retried API
call returns the same link, and the link works wherever the booker opens it. The signature only
stops guessing: all the link can do is let someone pay for that booking.
"""

from django.core import signing
from django.urls import reverse

from bookings import ics
from bookings.models import Booking, BookingStatus, PaymentState

SALT = "essaim.bookings.pay"


def pay_token(reference: str) -> str:
    return signing.Signer(salt=SALT).sign(reference)


def reference_from_token(token: str) -> str | None:
    try:
        return signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None


def awaits_payment(booking: Booking, now) -> bool:
    return (
        booking.status == BookingStatus.HELD
        and booking.payment_state == PaymentState.PENDING
        and booking.expires_at is not None
        and booking.expires_at > now
    )


def pay_path(booking: Booking) -> str:
    return reverse("payment-checkout", kwargs={"token": pay_token(booking.reference)})


def pay_url(booking: Booking) -> str:
    """Absolute, for e-mails and API clients."""
    return ics.site_url(pay_path(booking))
