"""A booking's life after it is placed: confirm, approve, reject, cancel, move, check in.

Each change locks the booking (and, when units are taken or given back in a pool, the pooled
resource first: ``booking_lock(pool=True)``), then checks the state machine and its own rules on
the fresh row, then writes the change with its audit row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bookings import availability as av
from bookings import rule_texts, state_machine, tasks
from bookings.models import OPEN, Booking, BookingStatus, BookingTransition, LateCancellation, PaymentState, RefundKind
from bookings.payments import ledger
from bookings.services.placing import check_capacity, expire_stale_holds
from bookings.services.transitions import booking_lock, no_room, notify, now_or, require_manager, transition
from core.audit import AuditReason
from core.deferred import after_commit
from core.errors import InvalidInput

#: Payment states of a booking nobody has been charged for: cancelling it costs nothing.
UNCHARGED = (PaymentState.NONE, PaymentState.PENDING, PaymentState.FAILED)


def booking_confirm(
    *, booking: Booking, actor=None, reason: str = AuditReason.PAID, now: datetime | None = None
) -> Booking:
    """A held booking is paid: confirm it. A hold that ran out is confirmed only if its units are still free."""
    now = now_or(now)
    try:
        with transaction.atomic():
            booking = booking_lock(booking, pool=True)
            if booking.status == BookingStatus.CONFIRMED:
                return booking
            if booking.status == BookingStatus.EXPIRED or (
                booking.status == BookingStatus.HELD and booking.expires_at and booking.expires_at <= now
            ):
                interval = av.Interval(booking.start, booking.end)
                expire_stale_holds(booking.resource, interval, now)
                booking.refresh_from_db()
                check_capacity(booking.resource, interval, booking.quantity, now)
                booking.status = BookingStatus.HELD  # revived: the audit trail shows the expiry, then this
            transition(booking, BookingStatus.CONFIRMED, actor=actor, reason=reason, now=now)
            booking.expires_at = None
            booking.save(update_fields=["status", "expires_at", "updated_at"])
            notify(booking, "confirmed")
    except IntegrityError:
        raise no_room() from None
    return booking


def booking_approve(*, booking: Booking, actor, now: datetime | None = None) -> Booking:
    """A manager accepts a request: it takes its units now, if they are still free."""
    now = now_or(now)
    require_manager(actor, booking)
    try:
        with transaction.atomic():
            booking = booking_lock(booking, pool=True)
            if booking.status != BookingStatus.PENDING_APPROVAL:
                raise InvalidInput(
                    rule_texts.transition_message(booking.status, "confirmed"), code="invalid_transition"
                )
            if not state_machine.may_approve(booking, now):
                raise InvalidInput(rule_texts.rule_message("in_past"), code="in_past")
            interval = av.Interval(booking.start, booking.end)
            expire_stale_holds(booking.resource, interval, now)
            check_capacity(booking.resource, interval, booking.quantity, now)
            if booking.payment_state == PaymentState.PENDING:
                # Approved, now to be paid online: the units are held while the booker pays.
                transition(
                    booking, BookingStatus.HELD, actor=actor, reason=AuditReason.APPROVED_AWAITING_PAYMENT, now=now
                )
                pay_for = timedelta(hours=settings.ESSAIM_APPROVED_PAY_HOURS)
                booking.expires_at = min(booking.start, now + pay_for)
                booking.save(update_fields=["status", "expires_at", "updated_at"])
                notify(booking, "approved_pay")
            else:
                transition(booking, BookingStatus.CONFIRMED, actor=actor, reason=AuditReason.APPROVED, now=now)
                booking.save(update_fields=["status", "updated_at"])
                notify(booking, "approved")
    except IntegrityError:
        raise no_room() from None
    return booking


def booking_reject(*, booking: Booking, actor, reason: str = "", now: datetime | None = None) -> Booking:
    now = now_or(now)
    require_manager(actor, booking)
    with transaction.atomic():
        booking = booking_lock(booking)
        transition(booking, BookingStatus.REJECTED, actor=actor, reason=reason, now=now)
        booking.cancel_reason = reason[:500]
        booking.save(update_fields=["status", "cancel_reason", "updated_at"])
        notify(booking, "rejected")
    return booking


def cancellation_terms(booking: Booking, now: datetime) -> dict:
    """What cancelling now means for the booker: allowed, free or late, why not, and what comes back
    (``refund_minor``: all that was paid while free; the policy's share after that)."""
    resource = booking.resource
    if booking.status not in OPEN:
        return {"allowed": False, "free": False, "code": "not_cancellable", "refund_minor": 0}
    if booking.start <= now:
        return {"allowed": False, "free": False, "code": "already_started", "refund_minor": 0}
    free_until = booking.start - timedelta(hours=resource.free_cancel_hours)
    paid = booking.payment_state in (PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED)
    refundable = ledger.totals(booking).refundable if paid else 0
    if now <= free_until or booking.status != BookingStatus.CONFIRMED or booking.payment_state in UNCHARGED:
        return {"allowed": True, "free": True, "code": "free", "free_until": free_until, "refund_minor": refundable}
    if resource.late_cancellation == LateCancellation.REFUSED:
        return {"allowed": False, "free": False, "code": "cancel_too_late", "free_until": free_until, "refund_minor": 0}
    return {
        "allowed": True,
        "free": False,
        "code": "late",
        "free_until": free_until,
        "refund_percent": resource.late_refund_percent,
        "refund_minor": ledger.share_minor(refundable, resource.late_refund_percent, booking.currency),
    }


def booking_cancel(*, booking: Booking, actor, reason: str = "", now: datetime | None = None) -> Booking:
    """The booker cancels under the resource's policy, and gets back what it allows; a venue
    manager may cancel any open booking, with a reason the booker is told, and refunds it all.
    A booking still awaiting payment has its Checkout Session closed, so it can no longer be paid."""
    now = now_or(now)
    with transaction.atomic():
        booking = booking_lock(booking)
        by_manager = actor.pk != booking.user_id
        if by_manager:
            require_manager(actor, booking)
            if not reason.strip():
                raise InvalidInput(_("Give the booker a reason for cancelling."), code="reason_required")
            if booking.status not in OPEN:
                raise InvalidInput(rule_texts.rule_message("not_cancellable"), code="not_cancellable")
            refund = ledger.totals(booking).refundable
        else:
            terms = cancellation_terms(booking, now)
            if not terms["allowed"]:
                raise InvalidInput(rule_texts.rule_message(terms["code"]), code=terms["code"])
            refund = terms["refund_minor"]
        transition(
            booking, BookingStatus.CANCELLED, actor=actor, reason=reason or AuditReason.CANCELLED_BY_BOOKER, now=now
        )
        booking.cancel_reason = reason[:500]
        booking.save(update_fields=["status", "cancel_reason", "updated_at"])
        if refund:
            kind = RefundKind.VENUE if by_manager else RefundKind.POLICY
            ledger.refund_record(booking=booking, amount_minor=refund, kind=kind, reason=reason, actor=actor)
        _close_checkout(booking, now)
        notify(booking, "cancelled_by_venue" if by_manager else "cancelled")
    return booking


def booking_cancel_for_event(*, booking: Booking, reason: str, actor=None, now: datetime | None = None) -> Booking:
    """The event (or this occurrence) is cancelled: cancel the seats, refund all that was paid and
    tell the booker why. The caller (``events.services``) has checked the actor's rights on the event."""
    now = now_or(now)
    with transaction.atomic():
        booking = booking_lock(booking, pool=True)
        if booking.status not in OPEN:
            return booking
        transition(booking, BookingStatus.CANCELLED, actor=actor, reason=reason or AuditReason.EVENT_CANCELLED, now=now)
        booking.cancel_reason = reason[:500]
        booking.save(update_fields=["status", "cancel_reason", "updated_at"])
        refund = ledger.totals(booking).refundable
        if refund:
            ledger.refund_record(
                booking=booking, amount_minor=refund, kind=RefundKind.VENUE, reason=reason, actor=actor
            )
        _close_checkout(booking, now)
        notify(booking, "cancelled_by_venue")
    return booking


def booking_reschedule(*, booking: Booking, start: datetime, end: datetime, now: datetime | None = None) -> Booking:
    """The event's occurrence moved: its seats move with it (every booking of the occurrence moves
    together, so the capacity still holds). The booker gets the new time and an updated invitation."""
    now = now_or(now)
    with transaction.atomic():
        booking = booking_lock(booking, pool=True)
        if booking.status not in OPEN or (booking.start, booking.end) == (start, end):
            return booking
        booking.start, booking.end, booking.blocked_until = start, end, end
        booking.save(update_fields=["start", "end", "blocked_until", "updated_at"])
        # A transition to the same status: the audit trail keeps the move, and the invitation's SEQUENCE grows.
        BookingTransition.objects.create(
            booking=booking,
            from_status=booking.status,
            to_status=booking.status,
            at=now,
            reason=AuditReason.RESCHEDULED,
        )
        notify(booking, "rescheduled")
    return booking


def _close_checkout(booking: Booking, now: datetime) -> None:
    payment = ledger.payment_open(booking, now)
    if payment is not None:
        payment_id = payment.pk
        after_commit(tasks.checkout_expire_task, payment_id)


def hold_release(*, booking: Booking, to_status: str, reason: str, now: datetime | None = None) -> Booking:
    """End a hold that will not be paid (the payment failed, lapsed, or could not start); no e-mail."""
    now = now_or(now)
    with transaction.atomic():
        booking = booking_lock(booking)
        if booking.status != BookingStatus.HELD:
            return booking
        transition(booking, to_status, reason=reason, now=now)
        booking.save(update_fields=["status", "updated_at"])
    return booking


def booking_check_in(*, booking: Booking, actor, now: datetime | None = None) -> Booking:
    """The person has arrived: from an hour before the start (configurable) until the end."""
    now = now_or(now)
    require_manager(actor, booking)
    with transaction.atomic():
        booking = booking_lock(booking)
        if not state_machine.may_check_in(booking, now):
            raise InvalidInput(rule_texts.rule_message("check_in_window"), code="check_in_window")
        transition(booking, BookingStatus.CHECKED_IN, actor=actor, reason=AuditReason.CHECKED_IN, now=now)
        booking.save(update_fields=["status", "updated_at"])
    return booking


def booking_mark_no_show(*, booking: Booking, actor, now: datetime | None = None) -> Booking:
    now = now_or(now)
    require_manager(actor, booking)
    with transaction.atomic():
        booking = booking_lock(booking)
        if not state_machine.may_mark_no_show(booking, now):
            raise InvalidInput(rule_texts.rule_message("not_started"), code="not_started")
        transition(booking, BookingStatus.NO_SHOW, actor=actor, reason=AuditReason.NO_SHOW, now=now)
        booking.save(update_fields=["status", "updated_at"])
    return booking
