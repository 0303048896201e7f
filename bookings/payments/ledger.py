"""What a booking has paid and been refunded, and the refunds decided inside a transaction.

A refund is written ``pending`` in the same transaction as the decision that causes it (a
cancellation, a manager's refund, a payment that came too late), and sent to Stripe after the
commit by ``refund_send_task``: no network call ever runs inside a database transaction, and a
crash between the two leaves a pending row that ``refunds_resend`` sends later with the same
idempotency key. Callers hold the booking's row lock, so two refunds cannot both pass the
"never more than was paid" check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from bookings import tasks
from bookings.models import (
    REFUND_COUNTED,
    Booking,
    Payment,
    PaymentProvider,
    PaymentState,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from core import money
from core.deferred import after_commit


@dataclass(frozen=True)
class Totals:
    """A booking's money at a glance: paid, refunded (went through), committed to refunds (went
    through or may still), and the first receipt link."""

    paid: int
    refunded: int
    committed: int
    receipt_url: str = ""

    @property
    def refundable(self) -> int:
        return max(0, self.paid - self.committed)


def with_totals(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """Annotate every booking of a list with its totals in the list's own query, so a page of
    bookings costs no query per row (``totals`` reads the annotations)."""

    def summed(rows, key: str):
        return Coalesce(Subquery(rows.order_by().values(key).annotate(total=Sum("amount_minor")).values("total")), 0)

    refunds = Refund.objects.filter(payment__booking=OuterRef("pk"))
    receipts = Payment.objects.filter(booking=OuterRef("pk")).exclude(receipt_url="").order_by("created_at", "id")
    return bookings.annotate(
        ledger_paid=summed(Payment.objects.filter(booking=OuterRef("pk"), status=PaymentStatus.PAID), "booking"),
        ledger_refunded=summed(refunds.filter(status=RefundStatus.SUCCEEDED), "payment__booking"),
        ledger_committed=summed(refunds.filter(status__in=REFUND_COUNTED), "payment__booking"),
        ledger_receipt=Subquery(receipts.values("receipt_url")[:1]),
    )


_ANNOTATIONS = ("ledger_paid", "ledger_refunded", "ledger_committed", "ledger_receipt")


def totals(booking: Booking) -> Totals:
    """From ``with_totals``' annotations when the booking came in a list, else counted now (under
    the booking's lock in the services, so the figures cannot change meanwhile)."""
    if hasattr(booking, "ledger_paid"):
        paid, refunded, committed, receipt = (getattr(booking, name) for name in _ANNOTATIONS)
    else:
        row = with_totals(Booking.objects.filter(pk=booking.pk)).values(*_ANNOTATIONS).first()
        paid, refunded, committed, receipt = (row[name] for name in _ANNOTATIONS) if row else (0, 0, 0, "")
    return Totals(paid=paid, refunded=refunded, committed=committed, receipt_url=receipt or "")


def share_minor(amount_minor: int, percent: int, currency: str) -> int:
    """``percent`` of ``amount_minor``, rounded down (a refund never exceeds the share), and to a
    multiple of ten for the three-decimal currencies, which Stripe takes only so."""
    share = amount_minor * max(0, min(100, percent)) // 100
    if money.exponent(currency) == 3:
        share -= share % 10
    return share


def settle(booking: Booking) -> None:
    """Derive the booking's ``payment_state`` from its payments and refunds that went through."""
    sums = totals(booking)
    paid, refunded = sums.paid, sums.refunded
    if not paid:
        return
    if refunded >= paid:
        state = PaymentState.REFUNDED
    elif refunded:
        state = PaymentState.PARTIALLY_REFUNDED
    else:
        state = PaymentState.PAID
    if booking.payment_state != state:
        booking.payment_state = state
        booking.save(update_fields=["payment_state", "updated_at"])


def refund_record(
    *, booking: Booking, amount_minor: int, kind: str, reason: str, actor=None, payment: Payment | None = None
) -> list[Refund]:
    """Give back ``amount_minor`` (at most what is refundable), from ``payment`` or from the
    latest payments first. Stripe refunds are sent after the commit; money taken at the venue is
    given back there, so its refund is recorded as done."""
    amount_minor = min(amount_minor, totals(booking).refundable)
    refunds = []
    payments = booking.payments.filter(status=PaymentStatus.PAID).order_by("-paid_at", "-id")
    if payment is not None:
        payments = payments.filter(pk=payment.pk)
    for paid in payments:
        if amount_minor <= 0:
            break
        already = paid.refunds.filter(status__in=REFUND_COUNTED).aggregate(total=Sum("amount_minor"))["total"] or 0
        part = min(amount_minor, paid.amount_minor - already)
        if money.exponent(paid.currency) == 3:
            part -= part % 10  # Stripe moves the three-decimal currencies by tens: never round up
        if part <= 0:
            continue
        on_stripe = paid.provider == PaymentProvider.STRIPE
        refund = Refund.objects.create(
            payment=paid,
            amount_minor=part,
            currency=paid.currency,
            status=RefundStatus.PENDING if on_stripe else RefundStatus.SUCCEEDED,
            kind=kind,
            reason=reason[:500],
            actor=actor,
        )
        if on_stripe:
            _send_after_commit(refund.pk)
        refunds.append(refund)
        amount_minor -= part
    settle(booking)
    return refunds


def _send_after_commit(refund_id: int) -> None:
    after_commit(tasks.refund_send_task, refund_id)


def payment_open(booking: Booking, now: datetime) -> Payment | None:
    """The booking's Checkout Session that can still be paid, if any."""
    return (
        booking.payments.filter(provider=PaymentProvider.STRIPE, status=PaymentStatus.OPEN, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
