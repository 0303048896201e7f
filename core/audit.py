"""Why a recorded change happened, when the system made it: one enumeration, translated once.

Audit rows (a booking's transitions, a waitlist entry's, a refund) keep either one of these codes
or the words a person typed (a manager's reason for cancelling, in their own language). The codes
are the English phrases the engine has always written, so rows written before the enumeration
read the same; screens show ``reason_label``, never the raw code.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditReason(models.TextChoices):
    # Bookings
    APPROVED = "approved", _("approved")
    APPROVED_AWAITING_PAYMENT = "approved, awaiting payment", _("approved, awaiting payment")
    PAID = "paid", _("paid")
    PAID_AFTER_START = "paid after the start", _("paid after the start")
    PAID_AFTER_HOLD_LAPSED = "paid after the hold lapsed", _("paid after the hold lapsed")
    PAYMENT_FAILED = "payment failed", _("payment failed")
    CHECKOUT_EXPIRED = "checkout expired", _("payment page expired")
    CONFIRMED_BY_PEER = "confirmed through a partner node", _("confirmed through a partner node")
    RELEASED_BY_PEER = "released through a partner node", _("released through a partner node")
    HOLD_EXPIRED = "hold expired", _("not confirmed in time")
    EXPIRED = "expired", _("not confirmed in time")
    CANCELLED_BY_BOOKER = "cancelled by the booker", _("cancelled by the booker")
    EVENT_CANCELLED = "event cancelled", _("event cancelled")
    RESCHEDULED = "rescheduled", _("moved to another time")
    CHECKED_IN = "checked in", _("checked in")
    NO_SHOW = "no-show", _("did not come")
    REFUNDED_IN_STRIPE = "refunded in Stripe", _("refunded from Stripe's dashboard")
    # Refunds the engine decides
    PAID_TWICE = "paid twice", _("paid twice")
    TAKEN_MEANWHILE = "the time was taken meanwhile", _("the time was taken meanwhile")
    CANCELLED_BEFORE_PAYMENT = "the booking was cancelled before payment", _("the booking was cancelled before payment")
    # Waitlists
    WAITLIST_JOINED = "waitlist joined", _("joined the waitlist")
    WAITLIST_LEFT = "waitlist left", _("left the waitlist")
    WAITLIST_OFFERED = "waitlist offer made", _("a seat was offered")
    WAITLIST_OFFER_LAPSED = "waitlist offer lapsed", _("the offer was not taken in time")
    WAITLIST_OFFER_DECLINED = "waitlist offer declined", _("the offer was declined")
    WAITLIST_OFFER_ACCEPTED = "waitlist offer accepted", pgettext_lazy("waitlist", "the offer was accepted")
    WAITLIST_REGISTERED_DIRECTLY = "waitlist registered directly", _("registered without waiting for an offer")
    WAITLIST_CLOSED = "waitlist closed", _("the date is no longer open")


_LABELS = dict(AuditReason.choices)


def reason_label(reason: str) -> str:
    """What a person reads for a recorded reason: the translated label of a code, or the words a
    person typed, as they typed them."""
    return str(_LABELS.get(reason, reason))
