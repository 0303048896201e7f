"""Payment state changes: pay a held booking through Stripe Checkout, refund, and record money
taken at the venue; Stripe's webhook events are applied by ``webhooks`` (re-exported here, so
callers keep ``payment_services.webhook_receive`` and the rest).

The booking engine's ``held`` status is the whole protocol: a priced booking is held while its
Checkout Session is open (the hold lasts as long as the session), confirmed when Stripe says it is
paid, released when the session expires or the payment fails. Stripe is called only outside our
transactions; what it answers is applied inside one, under the booking's row lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from bookings import services
from bookings.models import (
    Booking,
    BookingStatus,
    Payment,
    PaymentProvider,
    PaymentState,
    PaymentStatus,
    Refund,
    RefundKind,
    RefundStatus,
)
from bookings.payments import ledger, stripe_gateway, webhooks
from bookings.payments.stripe_gateway import PaymentUnavailable
from bookings.payments.webhooks import DEFERRED, HANDLERS, stripe_event_apply, stripe_events_reapply, webhook_receive
from core import money
from core.errors import InvalidInput
from core.locking import lock_objects

logger = logging.getLogger(__name__)

__all__ = [
    "DEFERRED",
    "HANDLERS",
    "checkout_close",
    "checkout_start",
    "checkout_sync",
    "payment_record_at_venue",
    "payment_refund",
    "receipt_fetch",
    "refund_send",
    "refunds_resend",
    "stripe_event_apply",
    "stripe_events_reapply",
    "webhook_receive",
]

#: ``(success_url, cancel_url)`` for a booking: Stripe sends the booker back to one of them.
ReturnUrls = Callable[[Booking], tuple[str, str]]


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _locked(booking_id: int) -> Booking:
    return services.booking_lock(Booking(pk=booking_id))


def _description(booking: Booking) -> str:
    start = booking.start.astimezone(ZoneInfo(booking.resource.venue.timezone))
    return f"{booking.resource.name} · {booking.resource.venue.title} · {start:%Y-%m-%d %H:%M} ({booking.reference})"


# Starting a payment ----------------------------------------------------------------------------


def checkout_start(*, booking: Booking, return_urls: ReturnUrls, now: datetime | None = None) -> Payment:
    """The Checkout Session for a held booking: the open one again, or a new one.

    The first session lives as long as the hold, stretched to Stripe's 30-minute minimum when
    the hold is shorter; a later one (the booker closed the first, or it failed) must end with
    the hold, so following the pay link again and again never keeps the time held longer.
    """
    now = _now(now)
    booking = Booking.objects.select_related("resource__venue", "user").get(pk=booking.pk)
    if booking.status != BookingStatus.HELD or booking.payment_state != PaymentState.PENDING:
        raise InvalidInput(_("This booking is not waiting for payment."), code="not_payable")
    if booking.expires_at is None or booking.expires_at <= now:
        raise InvalidInput(_("The time held for this booking has run out: book again."), code="hold_expired")
    if booking.payments.filter(status=PaymentStatus.PROCESSING).exists():
        raise InvalidInput(
            _("Your payment is being processed. We will e-mail you as soon as it clears."), code="payment_processing"
        )
    current = ledger.payment_open(booking, now)
    if current is not None:
        return current
    # Whole minutes: two clicks within a minute send Stripe the same request under the same key.
    minute = now.replace(second=0, microsecond=0)
    shortest = minute + timedelta(seconds=stripe_gateway.SESSION_MIN_SECONDS + 120)
    longest = minute + timedelta(seconds=stripe_gateway.SESSION_MAX_SECONDS - 60)
    first = not booking.payments.exists()
    expires_at = min(max(booking.expires_at, shortest) if first else booking.expires_at, longest)
    if expires_at < shortest:
        raise InvalidInput(
            _("Less than 30 minutes are left on the time held for this booking, too little to pay online: book again."),
            code="hold_too_short",
        )
    success_url, cancel_url = return_urls(booking)
    attempt = booking.payments.count() + 1
    charged = stripe_gateway.from_stripe_amount(
        stripe_gateway.to_stripe_amount(booking.amount_minor, booking.currency), booking.currency
    )
    session = stripe_gateway.checkout_create(
        reference=booking.reference,
        booking_id=booking.pk,
        description=_description(booking),
        amount_minor=booking.amount_minor,
        currency=booking.currency,
        customer_email=booking.user.email,
        locale=booking.language or translation.get_language() or "",
        success_url=success_url,
        cancel_url=cancel_url,
        expires_at=expires_at,
        # A double click within the minute gets Stripe's first session back; a retry after an
        # error a minute later is a new request (Stripe replays even its errors for a known key).
        idempotency_key=f"essaim-checkout-{booking.reference}-{attempt}-{minute:%Y%m%d%H%M}",
    )
    with transaction.atomic():
        locked = _locked(booking.pk)
        payment, _created = Payment.objects.get_or_create(
            session_id=session["id"],
            defaults={
                "booking": locked,
                "provider": PaymentProvider.STRIPE,
                "amount_minor": charged,
                "currency": booking.currency,
                "url": session.get("url") or "",
                "expires_at": expires_at,
            },
        )
        # The hold lasts as long as its first session; a later one never stretches it.
        if locked.status == BookingStatus.HELD and first and locked.expires_at != expires_at:
            locked.expires_at = expires_at
            locked.save(update_fields=["expires_at", "updated_at"])
    return payment


def checkout_sync(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Back from Checkout before the webhook: ask Stripe about the session and apply the answer the
    way the webhook would (Stripe's advice; whichever comes second changes nothing)."""
    waiting = (PaymentStatus.OPEN, PaymentStatus.PROCESSING)
    payments = booking.payments.filter(provider=PaymentProvider.STRIPE, status__in=waiting)
    payment = payments.order_by("-created_at").first()
    if payment is None:
        return booking
    try:
        session = stripe_gateway.checkout_retrieve(payment.session_id)
    except PaymentUnavailable:
        logger.warning("booking %s: Stripe unreachable on return; the webhook will settle it", booking.reference)
        return booking
    ctx = webhooks.Context(now=_now(now), happened_at=_now(now))
    if session.get("status") == "complete":
        with transaction.atomic():
            webhooks.session_completed(session, ctx)
    elif session.get("status") == "expired":
        with transaction.atomic():
            webhooks.session_expired(session, ctx)
    booking.refresh_from_db()
    return booking


def checkout_close(*, payment_id: int) -> None:
    """Close a session nobody should pay any more (its booking was cancelled)."""
    payment = Payment.objects.filter(pk=payment_id, status=PaymentStatus.OPEN).first()
    if payment is None or not payment.session_id:
        return
    stripe_gateway.checkout_expire(payment.session_id)


def receipt_fetch(*, payment_id: int) -> None:
    """Store the charge and its receipt URL once a payment went through (shown on the booking)."""
    payment = Payment.objects.filter(pk=payment_id, status=PaymentStatus.PAID).first()
    if payment is None or payment.receipt_url or not payment.payment_intent_id:
        return
    charge = stripe_gateway.payment_intent_charge(payment.payment_intent_id)
    if charge:
        Payment.objects.filter(pk=payment_id).update(
            charge_id=charge.get("id") or "", receipt_url=charge.get("receipt_url") or ""
        )


# Refunds ---------------------------------------------------------------------------------------


def refund_send(*, refund_id: int) -> None:
    """Ask Stripe for a pending refund (idempotency key ``essaim-refund-<id>``: never twice).

    ``PaymentUnavailable`` propagates so the task retries; Stripe refusing it marks it failed."""
    refund = Refund.objects.select_related("payment__booking").filter(pk=refund_id).first()
    if refund is None or refund.status != RefundStatus.PENDING or refund.provider_id:
        return
    booking = refund.payment.booking
    try:
        answer = stripe_gateway.refund_create(
            payment_intent_id=refund.payment.payment_intent_id,
            amount_minor=refund.amount_minor,
            currency=refund.currency,
            idempotency_key=f"essaim-refund-{refund.pk}",
            metadata={"booking": booking.pk, "reference": booking.reference, "refund": refund.pk},
        )
    except stripe_gateway.PaymentRefused as refusal:
        answer = {"id": None, "status": "failed", "failure_reason": str(refusal.message)}
    with transaction.atomic():
        rows = lock_objects([Booking(pk=booking.pk), Refund(pk=refund_id)], related=("resource__venue", "user"))
        locked, refund = rows[(Booking, booking.pk)], rows[(Refund, refund_id)]
        refund.provider_id = answer.get("id") or None
        refund.status = {"succeeded": RefundStatus.SUCCEEDED, "failed": RefundStatus.FAILED}.get(
            answer.get("status"), RefundStatus.PENDING
        )
        refund.failure = str(answer.get("failure_reason") or "")[:500]
        refund.save(update_fields=["provider_id", "status", "failure", "updated_at"])
        ledger.settle(locked)
        if refund.status == RefundStatus.FAILED:
            webhooks.tell_venue_refund_failed(refund.pk)


def refunds_resend(*, now: datetime | None = None, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Send again the refunds a crash or an outage left unsent."""
    now = _now(now)
    due = Refund.objects.filter(
        status=RefundStatus.PENDING, provider_id__isnull=True, created_at__lte=now - older_than
    ).values_list("pk", flat=True)
    count = 0
    for refund_id in list(due[:200]):
        try:
            refund_send(refund_id=refund_id)
            count += 1
        except PaymentUnavailable:
            break  # Stripe is still away: the next run tries again
    return count


def payment_refund(*, booking: Booking, amount_minor: int, actor, reason: str, now: datetime | None = None) -> list:
    """A venue manager gives back part or all of what was paid (never more); the booker is told."""
    services.require_manager(actor, booking)
    if amount_minor <= 0:
        raise InvalidInput(_("Enter an amount above zero."), code="refund_amount")
    if money.exponent(booking.currency) == 3 and amount_minor % 10:
        raise InvalidInput(
            _("In %(currency)s, refund a multiple of %(step)s.")
            % {"currency": booking.currency, "step": money.format_money(10, booking.currency)},
            code="refund_amount_step",
        )
    with transaction.atomic():
        booking = _locked(booking.pk)
        refundable = ledger.totals(booking).refundable
        if not refundable:
            raise InvalidInput(_("Nothing is left to refund on this booking."), code="nothing_to_refund")
        if amount_minor > refundable:
            raise InvalidInput(
                _("You can refund at most what is left of the payment."),
                code="refund_too_large",
                extra={"refundable_minor": refundable},
            )
        refunds = ledger.refund_record(
            booking=booking, amount_minor=amount_minor, kind=RefundKind.VENUE, reason=reason, actor=actor
        )
        services.notify(booking, "refunded_venue")
    return refunds


def payment_record_at_venue(*, booking: Booking, actor, now: datetime | None = None) -> Payment:
    """The booker paid at the door: the manager records it, and the booking shows paid."""
    now = _now(now)
    services.require_manager(actor, booking)
    with transaction.atomic():
        booking = _locked(booking.pk)
        if booking.payment_state != PaymentState.DUE_AT_VENUE or booking.status not in (
            BookingStatus.CONFIRMED,
            BookingStatus.CHECKED_IN,
            BookingStatus.NO_SHOW,
        ):
            raise InvalidInput(_("This booking has nothing to pay at the venue."), code="nothing_due")
        payment = Payment.objects.create(
            booking=booking,
            provider=PaymentProvider.VENUE,
            status=PaymentStatus.PAID,
            amount_minor=booking.amount_minor,
            currency=booking.currency,
            paid_at=now,
            recorded_by=actor,
        )
        ledger.settle(booking)
    return payment
