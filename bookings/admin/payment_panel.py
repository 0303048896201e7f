"""The booking page's "Payment" panel: what was asked, paid and refunded, and how.

Amounts are in the admin's language, times in the venue's; refund reasons go through
``core.audit.reason_label`` like every recorded reason.
"""

from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from bookings import selectors
from bookings.admin.common import booker_label, booking_time
from bookings.models import (
    Booking,
    BookingStatus,
    PaymentProvider,
    PaymentState,
    PaymentStatus,
    RefundKind,
    RefundStatus,
)
from bookings.payments import ledger
from core.audit import reason_label
from core.formatting import money_label

#: Where a booking with something to pay may still have it recorded as paid at the venue.
PAYABLE_AT_VENUE = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)


def payment_method(booking: Booking, payments: list) -> str:
    """How the booking is paid, or empty when there is nothing to pay."""
    if any(p.provider == PaymentProvider.STRIPE for p in payments) or booking.payment_state == PaymentState.PENDING:
        return _("Online (Stripe)")
    if payments or booking.payment_state == PaymentState.DUE_AT_VENUE or booking.resource.pay_at_venue:
        return _("At the venue")
    return ""


def payment_panel(booking: Booking, tz: ZoneInfo, *, refundable_minor: int) -> dict:
    """What the detail page's "Payment" panel shows: amounts in the admin's language, times in the venue's."""
    payments = list(
        selectors.booking_payments(booking=booking).select_related("recorded_by").prefetch_related("refunds__actor")
    )
    provider_labels, status_labels = dict(PaymentProvider.choices), dict(PaymentStatus.choices)
    refund_status_labels, kind_labels = dict(RefundStatus.choices), dict(RefundKind.choices)
    refunds = sorted((r for p in payments for r in p.refunds.all()), key=lambda r: (r.created_at, r.pk))
    totals = ledger.totals(booking)
    return {
        "amount": money_label(booking.amount_minor, booking.currency),
        "currency": booking.currency,
        "state": booking.get_payment_state_display(),
        "method": payment_method(booking, payments),
        "payments": [
            {
                "provider": provider_labels.get(p.provider, p.provider),
                "status": status_labels.get(p.status, p.status),
                "amount": money_label(p.amount_minor, p.currency),
                "paid_at": booking_time(p.paid_at, tz) if p.paid_at else "",
                "recorded_by": booker_label(p.recorded_by) if p.recorded_by else "",
                "session_id": p.session_id or "",
                "payment_intent_id": p.payment_intent_id,
                "receipt_url": p.receipt_url if p.receipt_url.startswith("https://") else "",
            }
            for p in payments
        ],
        "refunds": [
            {
                "amount": money_label(r.amount_minor, r.currency),
                "status": refund_status_labels.get(r.status, r.status),
                "failed": r.status == RefundStatus.FAILED,
                "kind": kind_labels.get(r.kind, r.kind),
                "reason": reason_label(r.reason),
                "actor": booker_label(r.actor) if r.actor else _("the system"),
                "at": booking_time(r.created_at, tz),
                "failure": r.failure,
            }
            for r in refunds
        ],
        "paid": money_label(totals.paid, booking.currency),
        "refunded": money_label(totals.committed, booking.currency),  # pending ones included
        "refund_pending": any(r.status == RefundStatus.PENDING for r in refunds),
        "refundable": money_label(refundable_minor, booking.currency),
        "has_money": bool(payments) or booking.payment_state != PaymentState.NONE,
        "can_record_at_venue": booking.payment_state == PaymentState.DUE_AT_VENUE
        and booking.status in PAYABLE_AT_VENUE,
    }
