"""Stripe's webhook events: verified and stored once, then applied once, under the locks.

Stripe is never called inside our transactions; what it reports is applied inside one, under the
booking's lock (and the payment's, and the event's), so events can arrive twice, late or out of
order and still leave one consistent booking:

- a duplicate event id is stored once and applied once (``StripeEvent``, locked first);
- "expired" after "completed" changes nothing; "completed" after the hold lapsed confirms the
  booking only if its units are still free, and otherwise refunds it in full and says why; a
  booking never holds more units than the resource has.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from bookings import services, tasks
from bookings.models import (
    Booking,
    BookingStatus,
    Payment,
    PaymentState,
    PaymentStatus,
    Refund,
    RefundKind,
    RefundStatus,
    StripeEvent,
)
from bookings.payments import ledger, stripe_gateway
from core.audit import AuditReason
from core.deferred import after_commit
from core.errors import Conflict
from core.locking import lock_one

logger = logging.getLogger(__name__)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def webhook_receive(*, payload: bytes, signature: str, now: datetime | None = None) -> StripeEvent:
    """Verify a webhook delivery and store its event once; it is applied by a task after the commit.

    Raises ``InvalidInput`` (a 400 for Stripe) when the signature or the body is wrong.
    """
    event = stripe_gateway.event_verify(payload, signature)
    now = _now(now)
    with transaction.atomic():
        record, _created = StripeEvent.objects.get_or_create(
            event_id=event["id"],
            defaults={"type": str(event.get("type", ""))[:100], "payload": event, "received_at": now},
        )
        if record.processed_at is None:
            record_id = record.pk
            after_commit(tasks.stripe_event_apply_task, record_id)
    return record


def stripe_event_apply(*, event_id: int, now: datetime | None = None) -> str:
    """Apply one stored event, once: the outcome is recorded with it in the same transaction.

    An event about a payment we cannot place yet (a refund reported before the payment itself)
    is deferred: left unprocessed for ``stripe_events_reapply``, for as long as Stripe itself
    would retry it (three days)."""
    now = _now(now)
    with transaction.atomic():
        # The event first (``LOCK_ORDER`` ranks it outermost): of two workers given one event, the
        # second waits here and then finds it processed.
        record = lock_one(StripeEvent(pk=event_id))
        if record is None:
            raise StripeEvent.DoesNotExist(f"stripe event {event_id} is gone")
        if record.processed_at is not None:
            return record.outcome
        handler = HANDLERS.get(record.type)
        obj = (record.payload.get("data") or {}).get("object") if isinstance(record.payload, dict) else None
        if handler is None:
            outcome = "ignored"
        elif not isinstance(obj, dict):
            outcome = "malformed"
        else:
            outcome = handler(obj, Context(now=now, happened_at=_happened_at(record.payload, now)))
        if outcome == DEFERRED and record.received_at > now - DEFER_FOR:
            record.outcome = outcome
            record.save(update_fields=["outcome"])
            return outcome
        record.processed_at = now
        record.outcome = outcome
        record.save(update_fields=["processed_at", "outcome"])
    logger.info("stripe event %s (%s): %s", record.event_id, record.type, outcome)
    return outcome


#: An event left for later; Stripe retries a delivery for three days, and so do we.
DEFERRED = "deferred"
DEFER_FOR = timedelta(days=3)


@dataclass(frozen=True)
class Context:
    now: datetime
    #: When Stripe says it happened (the event's ``created``): a payment made in time is not
    #: refused because our worker applied it late.
    happened_at: datetime


def _happened_at(payload: dict, now: datetime) -> datetime:
    created = payload.get("created")
    if isinstance(created, int) and created > 0:
        return min(datetime.fromtimestamp(created, tz=UTC), now)
    return now


def stripe_events_reapply(*, now: datetime | None = None, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Apply again the events whose task never finished (a worker lost, a database error) or that
    were deferred: Stripe got its 200 and will not send them again. One event that fails is
    logged and skipped, so it never holds up the others."""
    now = _now(now)
    pending = StripeEvent.objects.filter(processed_at__isnull=True, received_at__lte=now - older_than)
    count = 0
    for event_id in list(pending.order_by("received_at").values_list("pk", flat=True)[:200]):
        try:
            stripe_event_apply(event_id=event_id, now=now)
        except Exception:
            logger.exception("stripe event %s could not be applied; it stays for the next run", event_id)
            continue
        count += 1
    return count


def _lock_payment(payment: Payment) -> tuple[Booking, Payment]:
    """Lock in the global order: a pooled resource, then the booking, then the payment."""
    booking = services.booking_lock(payment.booking, pool=True)
    return booking, lock_one(payment)


def _payment_of_session(session: dict) -> Payment | None:
    session_id = session.get("id")
    if not isinstance(session_id, str) or not session_id:
        return None
    return Payment.objects.select_related("booking").filter(session_id=session_id).first()


def _on_session_payment(handler):
    """A session event's handler, run on the session's payment and booking, locked; an event
    about a session we never opened is ``unknown_session`` and changes nothing."""

    @functools.wraps(handler)
    def apply(session: dict, ctx: Context) -> str:
        found = _payment_of_session(session)
        if found is None:
            return "unknown_session"
        booking, payment = _lock_payment(found)
        return handler(booking, payment, session, ctx)

    return apply


@_on_session_payment
def session_completed(booking: Booking, payment: Payment, session: dict, ctx: Context) -> str:
    if session.get("payment_status") in ("paid", "no_payment_required"):
        return _paid(booking, payment, session, ctx)
    # Paid by a delayed method (a bank debit): keep the units until it clears or fails.
    if payment.status == PaymentStatus.OPEN:
        payment.status = PaymentStatus.PROCESSING
        payment.payment_intent_id = str(session.get("payment_intent") or "")
        payment.save(update_fields=["status", "payment_intent_id", "updated_at"])
        if booking.status == BookingStatus.HELD and booking.expires_at < booking.start:
            booking.expires_at = booking.start
            booking.save(update_fields=["expires_at", "updated_at"])
    return "processing"


def _paid(booking: Booking, payment: Payment, session: dict, ctx: Context) -> str:
    """Money arrived: confirm the booking, or give the money back when it can no longer be had."""
    if payment.status == PaymentStatus.PAID:
        return "already_paid"
    now = ctx.now
    payment.status = PaymentStatus.PAID
    payment.paid_at = ctx.happened_at
    payment.payment_intent_id = str(session.get("payment_intent") or payment.payment_intent_id)
    if isinstance(session.get("amount_total"), int):
        payment.amount_minor = stripe_gateway.from_stripe_amount(session["amount_total"], payment.currency)
    payment.save(update_fields=["status", "paid_at", "payment_intent_id", "amount_minor", "updated_at"])
    payment_id = payment.pk
    after_commit(tasks.receipt_fetch_task, payment_id)
    if booking.payments.filter(status=PaymentStatus.PAID).exclude(pk=payment.pk).exists():
        return _give_back(booking, RefundKind.DUPLICATE, "paid twice", "refunded_duplicate", payment=payment)
    if booking.status in (BookingStatus.HELD, BookingStatus.EXPIRED) and booking.start <= ctx.happened_at:
        # A delayed payment that cleared after the booking began: too late to give the time.
        if booking.status == BookingStatus.HELD:
            booking = services.hold_release(
                booking=booking, to_status=BookingStatus.EXPIRED, reason=AuditReason.PAID_AFTER_START, now=now
            )
        return _give_back(booking, RefundKind.LATE_PAYMENT, "paid after the booking began", "refunded_too_late")
    if booking.status in (BookingStatus.HELD, BookingStatus.EXPIRED):
        try:
            booking = services.booking_confirm(booking=booking, reason=AuditReason.PAID, now=now)
        except Conflict:
            if booking.status == BookingStatus.HELD:  # lapsed, and its time given to someone else
                booking = services.hold_release(
                    booking=booking, to_status=BookingStatus.EXPIRED, reason=AuditReason.PAID_AFTER_HOLD_LAPSED, now=now
                )
            return _give_back(booking, RefundKind.LATE_PAYMENT, "the time was taken meanwhile", "refunded_slot_taken")
        ledger.settle(booking)
        return "confirmed"
    if booking.status in (BookingStatus.CANCELLED, BookingStatus.REJECTED):
        return _give_back(booking, RefundKind.LATE_PAYMENT, "the booking was cancelled before payment", "refunded_late")
    ledger.settle(booking)
    return "paid"


def _give_back(booking: Booking, kind: str, reason: str, outcome: str, payment: Payment | None = None) -> str:
    """Refund ``payment`` (or all that is refundable) in full and tell the booker why."""
    ledger.settle(booking)
    amount = payment.amount_minor if payment is not None else ledger.totals(booking).refundable
    ledger.refund_record(booking=booking, amount_minor=amount, kind=kind, reason=reason, payment=payment)
    services.notify(booking, "refunded_" + kind)
    return outcome


@_on_session_payment
def session_expired(booking: Booking, payment: Payment, session: dict, ctx: Context) -> str:
    if payment.status != PaymentStatus.OPEN:
        return "already_" + payment.status  # paid or failed first: an expiry that comes late changes nothing
    payment.status = PaymentStatus.EXPIRED
    payment.save(update_fields=["status", "updated_at"])
    if ledger.payment_open(booking, ctx.now) is not None:
        return "expired_other_open"
    if booking.status == BookingStatus.HELD and not booking.payments.filter(status=PaymentStatus.PROCESSING).exists():
        services.hold_release(
            booking=booking, to_status=BookingStatus.EXPIRED, reason=AuditReason.CHECKOUT_EXPIRED, now=ctx.now
        )
        return "hold_released"
    return "expired"


@_on_session_payment
def _session_async_failed(booking: Booking, payment: Payment, session: dict, ctx: Context) -> str:
    if payment.status == PaymentStatus.PAID:
        return "already_paid"
    payment.status = PaymentStatus.FAILED
    payment.save(update_fields=["status", "updated_at"])
    if booking.status == BookingStatus.HELD:
        services.hold_release(
            booking=booking, to_status=BookingStatus.EXPIRED, reason=AuditReason.PAYMENT_FAILED, now=ctx.now
        )
        booking.payment_state = PaymentState.FAILED
        booking.save(update_fields=["payment_state", "updated_at"])
        services.notify(booking, "payment_failed")
    return "failed"


def _charge_refunded(charge: dict, ctx: Context) -> str:
    """A refund went through, ours or one made in Stripe's dashboard: record what we did not know."""
    intent = charge.get("payment_intent")
    found = Payment.objects.select_related("booking").filter(payment_intent_id=intent).first() if intent else None
    if found is None:
        metadata = charge.get("metadata") if isinstance(charge.get("metadata"), dict) else {}
        ours = Booking.objects.filter(reference=str(metadata.get("reference", ""))).exists()
        return DEFERRED if ours else "unknown_payment"  # ours but not yet paid here: its payment comes first
    booking, payment = _lock_payment(found)
    for item in (charge.get("refunds") or {}).get("data") or []:
        if isinstance(item, dict):
            _refund_status_apply(item)
    known = sum(r.amount_minor for r in payment.refunds.exclude(status=RefundStatus.FAILED))
    on_stripe = stripe_gateway.from_stripe_amount(int(charge.get("amount_refunded") or 0), payment.currency)
    if on_stripe > known:
        Refund.objects.create(
            payment=payment,
            amount_minor=on_stripe - known,
            currency=payment.currency,
            status=RefundStatus.SUCCEEDED,
            kind=RefundKind.EXTERNAL,
            reason=AuditReason.REFUNDED_IN_STRIPE,
        )
    ledger.settle(booking)
    return "refund_recorded"


def _refund_updated(refund: dict, ctx: Context) -> str:
    ours = Refund.objects.select_related("payment__booking").filter(provider_id=refund.get("id")).first()
    if ours is None or not refund.get("id"):
        return "unknown_refund"
    booking, _payment = _lock_payment(ours.payment)
    _refund_status_apply(refund)
    ledger.settle(booking)
    return "refund_" + str(refund.get("status"))


def _refund_status_apply(item: dict) -> int | None:
    """Mirror one Stripe refund's status on ours (its booking already locked by the caller)."""
    found = Refund.objects.filter(provider_id=item.get("id")).first() if item.get("id") else None
    ours = lock_one(found) if found is not None else None
    if ours is None:
        return None
    status = {"succeeded": RefundStatus.SUCCEEDED, "failed": RefundStatus.FAILED, "canceled": RefundStatus.FAILED}.get(
        item.get("status"), ours.status
    )
    if status != ours.status:
        ours.status = status
        ours.failure = str(item.get("failure_reason") or "")[:500]
        ours.save(update_fields=["status", "failure", "updated_at"])
        if status == RefundStatus.FAILED:
            tell_venue_refund_failed(ours.pk)
    return ours.payment_id


def tell_venue_refund_failed(refund_id: int) -> None:
    after_commit(tasks.refund_failed_notify_task, refund_id)


HANDLERS = {
    "checkout.session.completed": session_completed,
    "checkout.session.async_payment_succeeded": _on_session_payment(_paid),
    "checkout.session.async_payment_failed": _session_async_failed,
    "checkout.session.expired": session_expired,
    "charge.refunded": _charge_refunded,
    "refund.updated": _refund_updated,
    "refund.failed": _refund_updated,
}
