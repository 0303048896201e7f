"""State changes of the booking engine: book, hold, confirm, approve, cancel, check in, expire.

Each service checks the rules with the pure ``availability`` module, then writes inside one
transaction: the person's row is locked (their per-person limits and hold cap cannot race), a
pooled resource's row is locked (its capacity check cannot race), and an exclusive resource is
guarded by PostgreSQL's exclusion constraint, so a lost race surfaces as an ``IntegrityError``
that becomes a ``Conflict`` (409). On SQLite the ``IMMEDIATE`` transaction serialises writers.
Every status change writes a ``BookingTransition``; e-mails are queued ``on_commit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings import availability as av
from bookings import ledger, messages, pricing, selectors, signals, state_machine, stripe_gateway
from bookings.models import (
    EXCLUSIVE_KINDS,
    OCCUPYING,
    OPEN,
    Booking,
    BookingStatus,
    BookingTransition,
    CalendarFeed,
    LateCancellation,
    PaymentState,
    RefundKind,
    Resource,
    ResourceKind,
    new_feed_secret,
)
from bookings.state_machine import TRANSITIONS
from core.errors import Conflict, InvalidInput, PermissionDenied
from venues.permissions import user_manages_venue


@dataclass(frozen=True)
class BookingRequest:
    resource: Resource
    start: datetime
    end: datetime
    quantity: int = 1


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _violation(error: av.RuleViolation) -> InvalidInput | Conflict:
    message = messages.rule_message(error.code, **error.params)
    if error.code == "no_room":
        return Conflict(message, code="no_room", extra={"remaining": error.params.get("remaining", 0)})
    return InvalidInput(message, code=error.code)


def _transition(booking: Booking, to_status: str, *, actor=None, reason: str = "", now: datetime) -> None:
    from_status = booking.status
    if from_status and to_status not in TRANSITIONS.get(from_status, set()):
        raise InvalidInput(messages.transition_message(from_status, to_status), code="invalid_transition")
    booking.status = to_status
    BookingTransition.objects.create(
        booking=booking, from_status=from_status or "", to_status=to_status, actor=actor, at=now, reason=reason[:500]
    )
    if from_status in OCCUPYING and to_status not in OCCUPYING:
        _announce_release(booking)


def _announce_release(booking: Booking) -> None:
    """Seats came free: tell whoever waits for them (an event's waitlist) once the change is committed."""
    booking_id, resource_id, start = booking.pk, booking.resource_id, booking.start
    if Booking.resource.is_cached(booking):
        kind = booking.resource.kind
    else:
        kind = Resource.objects.filter(pk=resource_id).values_list("kind", flat=True).first()
    if kind != ResourceKind.EVENT_SEATS:
        return
    transaction.on_commit(
        lambda: signals.units_released.send(sender=Booking, booking_id=booking_id, resource_id=resource_id, start=start)
    )


def notify(booking: Booking, event: str) -> None:
    from bookings.tasks import booking_notify_task  # tasks import services: late import breaks the cycle

    booking_id = booking.pk
    transaction.on_commit(lambda: booking_notify_task.delay(booking_id, event))


def _local_windows(start: datetime, tz) -> tuple[av.Interval, av.Interval]:
    """The local day and ISO week (Monday to Monday) around ``start``, as UTC intervals."""
    day = start.astimezone(tz).date()
    monday = day - timedelta(days=day.weekday())
    midnight = datetime.min.time()
    day_window = av.Interval(av.wall_clock(day, midnight, tz), av.wall_clock(day + timedelta(days=1), midnight, tz))
    week_window = av.Interval(
        av.wall_clock(monday, midnight, tz), av.wall_clock(monday + timedelta(days=7), midnight, tz)
    )
    return day_window, week_window


def _preset_name(request: av.Interval, calendar: selectors.Calendar) -> str:
    presets = av.day_presets(request.start.astimezone(calendar.tz).date(), calendar.hours, calendar.tz)
    return next((name for name, span in presets.items() if span == request), "")


def booking_validate(*, user, request: BookingRequest, now: datetime | None = None) -> selectors.Calendar:
    """Every rule but capacity, which only a locked transaction can answer: raise ``InvalidInput``."""
    now = _now(now)
    resource = request.resource
    if resource.is_remote:
        raise InvalidInput(messages.rule_message("remote_resource", origin=resource.origin), code="remote_resource")
    if not resource.is_active or not resource.venue.live:
        raise InvalidInput(messages.rule_message("not_bookable"), code="not_bookable")
    for value in (request.start, request.end):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInput(messages.rule_message("naive_datetime"), code="naive_datetime")
    try:
        interval = av.Interval(request.start, request.end)
        calendar = selectors.resource_calendar(resource, interval, now, with_occupations=False)
        av.check_timing(interval, request.quantity, calendar.rules, now, calendar.tz)
        av.check_opening(interval, calendar.rules, calendar.hours, calendar.closures, calendar.tz)
    except av.RuleViolation as error:
        raise _violation(error) from None
    if resource.max_per_day or resource.max_per_week:
        day_window, week_window = _local_windows(request.start, calendar.tz)
        per_day, per_week = selectors.user_booking_counts(
            user=user, resource=resource, day_window=day_window, week_window=week_window, now=now
        )
        if resource.max_per_day and per_day >= resource.max_per_day:
            raise InvalidInput(messages.rule_message("per_day_limit", limit=resource.max_per_day), code="per_day_limit")
        if resource.max_per_week and per_week >= resource.max_per_week:
            raise InvalidInput(
                messages.rule_message("per_week_limit", limit=resource.max_per_week), code="per_week_limit"
            )
    return calendar


def _lock(user, resource: Resource) -> Resource:
    """Lock the person (limits, holds) and, for pooled resources, the resource (capacity)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if not resource.is_exclusive:
        Resource.objects.select_for_update().filter(pk=resource.pk).first()
    return resource


def _expire_stale_holds(resource: Resource, interval: av.Interval, now: datetime) -> None:
    """Holds past their time still count for the exclusion constraint until marked: mark those in the way."""
    reach = timedelta(minutes=resource.buffer_minutes)
    stale = Booking.objects.filter(
        resource=resource,
        status=BookingStatus.HELD,
        expires_at__lte=now,
        start__lt=interval.end + reach,
        blocked_until__gt=interval.start - reach,
    )
    for booking in stale.select_for_update():
        _transition(booking, BookingStatus.EXPIRED, reason="hold expired", now=now)
        booking.save(update_fields=["status", "updated_at"])


def _check_capacity(
    resource: Resource, interval: av.Interval, quantity: int, now: datetime, *, exclude: int | None = None
):
    rules = selectors.resource_rules(resource)
    occupations = selectors.resource_occupations(resource, interval, now, rules)
    if exclude is not None:
        booking = Booking.objects.get(pk=exclude)
        if booking.status in (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.HELD):
            mine = av.booking_occupation(booking.start, booking.blocked_until, booking.quantity, rules)
            if mine in occupations:
                occupations.remove(mine)
    try:
        av.check_capacity(interval, quantity, occupations, rules)
    except av.RuleViolation as error:
        raise _violation(error) from None


def _hold_expiry(now: datetime) -> datetime:
    return now + timedelta(minutes=settings.ESSAIM_HOLD_MINUTES)


def pays_online(resource: Resource) -> bool:
    """A priced resource is paid through Stripe Checkout, unless the node has no Stripe key or the
    venue takes the money at the door."""
    return not resource.is_free and not resource.pay_at_venue and stripe_gateway.enabled()


def _initial_status(resource: Resource) -> tuple[str, str]:
    """Status and payment state of a new booking: free and confirmed; held until paid online;
    confirmed with the amount due at the venue; or awaiting approval (paid once approved)."""
    if resource.is_free:
        payment = PaymentState.NONE
    elif pays_online(resource):
        payment = PaymentState.PENDING
    else:
        payment = PaymentState.DUE_AT_VENUE
    if resource.approval_required:
        return BookingStatus.PENDING_APPROVAL, payment
    if payment == PaymentState.PENDING:
        return BookingStatus.HELD, payment
    return BookingStatus.CONFIRMED, payment


def booking_create(
    *,
    user,
    request: BookingRequest,
    note: str = "",
    hold: bool = False,
    language: str = "",
    now: datetime | None = None,
) -> Booking:
    """Book ``request`` for ``user``: confirmed, awaiting approval, or (``hold``) held until paid.

    Raises ``InvalidInput`` naming the broken rule, ``Conflict`` when the units are taken.
    """
    now = _now(now)
    calendar = booking_validate(user=user, request=request, now=now)
    resource = request.resource
    interval = av.Interval(request.start, request.end)
    minutes = interval.minutes
    amount = pricing.booking_amount(
        price_minor=resource.price_minor,
        pricing_unit=resource.pricing_unit,
        minutes=minutes,
        quantity=request.quantity,
        preset=_preset_name(interval, calendar),
    )
    status, payment = _initial_status(resource)
    if not amount and payment != PaymentState.NONE:  # a price that rounds to nothing
        payment = PaymentState.NONE
        if status == BookingStatus.HELD:
            status = BookingStatus.CONFIRMED
    if hold and status == BookingStatus.CONFIRMED:
        status = BookingStatus.HELD
        payment = PaymentState.PENDING if amount else PaymentState.NONE
    return _place(
        user=user,
        request=request,
        status=status,
        payment=payment,
        amount=amount,
        note=note,
        language=language,
        expires_at=_hold_expiry(now) if status == BookingStatus.HELD else None,
        now=now,
    )


def booking_place_seats(
    *,
    user,
    request: BookingRequest,
    hold_until: datetime | None = None,
    announce: str = "",
    language: str = "",
    note: str = "",
    now: datetime | None = None,
) -> Booking:
    """Seats at an event: the events app has checked its own rules (the occurrence, its deadline,
    one registration per person); this takes the seats under the same locks and capacity check as
    any pooled booking. ``hold_until`` holds them (a waitlist offer to confirm) instead of booking,
    and ``announce`` names the e-mail sent instead of the status's own.

    Raises ``Conflict`` (``no_room``) when the occurrence is full.
    """
    now = _now(now)
    resource = request.resource
    if not resource.is_active:
        raise InvalidInput(messages.rule_message("not_bookable"), code="not_bookable")
    amount = resource.price_minor * request.quantity
    status, payment = _initial_status(resource)
    if not amount:
        status, payment = BookingStatus.CONFIRMED, PaymentState.NONE
    expires_at = _hold_expiry(now) if status == BookingStatus.HELD else None
    if hold_until is not None:
        status, expires_at = BookingStatus.HELD, hold_until
    return _place(
        user=user,
        request=request,
        status=status,
        payment=payment,
        amount=amount,
        note=note,
        language=language,
        expires_at=expires_at,
        now=now,
        limit_holds=hold_until is None,
        announce=announce,
    )


def _place(
    *,
    user,
    request: BookingRequest,
    status: str,
    payment: str,
    amount: int,
    note: str,
    language: str,
    expires_at: datetime | None,
    now: datetime,
    limit_holds: bool = True,
    announce: str = "",
) -> Booking:
    """Lock, check capacity and write the booking with its first transition, or raise ``Conflict``."""
    resource = request.resource
    interval = av.Interval(request.start, request.end)
    try:
        with transaction.atomic():
            _lock(user, resource)
            if status == BookingStatus.HELD and limit_holds:
                existing = _same_open_hold(user, request, now)
                if existing is not None:
                    return existing  # the timer does not restart for the same request
                if selectors.open_holds_count(user=user, now=now) >= settings.ESSAIM_MAX_OPEN_HOLDS:
                    raise InvalidInput(
                        messages.rule_message("too_many_holds", limit=settings.ESSAIM_MAX_OPEN_HOLDS),
                        code="too_many_holds",
                    )
            _expire_stale_holds(resource, interval, now)
            if status != BookingStatus.PENDING_APPROVAL:
                _check_capacity(resource, interval, request.quantity, now)
            booking = Booking(
                resource=resource,
                user=user,
                start=request.start,
                end=request.end,
                blocked_until=request.end + timedelta(minutes=resource.buffer_minutes if resource.is_exclusive else 0),
                quantity=request.quantity,
                exclusive=resource.is_exclusive,
                status=status,
                expires_at=expires_at,
                amount_minor=amount,
                currency=resource.currency,
                payment_state=payment,
                note=note[:500],
                language=language or settings.LANGUAGE_CODE,
            )
            booking.save()
            BookingTransition.objects.create(booking=booking, from_status="", to_status=status, actor=user, at=now)
            notify(booking, announce or ("requested" if status == BookingStatus.PENDING_APPROVAL else status))
    except IntegrityError:
        raise Conflict(messages.rule_message("no_room", remaining=0), code="no_room", extra={"remaining": 0}) from None
    return booking


def _same_open_hold(user, request: BookingRequest, now: datetime) -> Booking | None:
    return Booking.objects.filter(
        user=user,
        resource=request.resource,
        start=request.start,
        end=request.end,
        quantity=request.quantity,
        status=BookingStatus.HELD,
        expires_at__gt=now,
    ).first()


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("resource__venue", "user").get(pk=booking.pk)


def lock_pool_then_booking(booking: Booking) -> Booking:
    """Lock a pooled resource's row, then the booking: the order ``booking_create`` takes them in
    (person, resource, then the holds in the way), so two writers never wait on each other."""
    resource_id = booking.resource_id
    kind = Resource.objects.filter(pk=resource_id).values_list("kind", flat=True).first()
    if kind not in EXCLUSIVE_KINDS:
        Resource.objects.select_for_update().filter(pk=resource_id).first()
    return _locked(booking)


def booking_confirm(*, booking: Booking, actor=None, reason: str = "paid", now: datetime | None = None) -> Booking:
    """A held booking is paid: confirm it. A hold that ran out is confirmed only if its units are still free."""
    now = _now(now)
    try:
        with transaction.atomic():
            booking = lock_pool_then_booking(booking)
            if booking.status == BookingStatus.CONFIRMED:
                return booking
            if booking.status == BookingStatus.EXPIRED or (
                booking.status == BookingStatus.HELD and booking.expires_at and booking.expires_at <= now
            ):
                _expire_stale_holds(booking.resource, av.Interval(booking.start, booking.end), now)
                booking.refresh_from_db()
                _check_capacity(booking.resource, av.Interval(booking.start, booking.end), booking.quantity, now)
                booking.status = BookingStatus.HELD  # revived: the audit trail shows the expiry, then this
            _transition(booking, BookingStatus.CONFIRMED, actor=actor, reason=reason, now=now)
            booking.expires_at = None
            booking.save(update_fields=["status", "expires_at", "updated_at"])
            notify(booking, "confirmed")
    except IntegrityError:
        raise Conflict(messages.rule_message("no_room", remaining=0), code="no_room") from None
    return booking


def booking_approve(*, booking: Booking, actor, now: datetime | None = None) -> Booking:
    """A manager accepts a request: it takes its units now, if they are still free."""
    now = _now(now)
    require_manager(actor, booking)
    try:
        with transaction.atomic():
            booking = lock_pool_then_booking(booking)
            if booking.status != BookingStatus.PENDING_APPROVAL:
                raise InvalidInput(messages.transition_message(booking.status, "confirmed"), code="invalid_transition")
            if not state_machine.may_approve(booking, now):
                raise InvalidInput(messages.rule_message("in_past"), code="in_past")
            interval = av.Interval(booking.start, booking.end)
            _expire_stale_holds(booking.resource, interval, now)
            _check_capacity(booking.resource, interval, booking.quantity, now)
            if booking.payment_state == PaymentState.PENDING:
                # Approved, now to be paid online: the units are held while the booker pays.
                _transition(booking, BookingStatus.HELD, actor=actor, reason="approved, awaiting payment", now=now)
                pay_for = timedelta(hours=settings.ESSAIM_APPROVED_PAY_HOURS)
                booking.expires_at = min(booking.start, now + pay_for)
                booking.save(update_fields=["status", "expires_at", "updated_at"])
                notify(booking, "approved_pay")
            else:
                _transition(booking, BookingStatus.CONFIRMED, actor=actor, reason="approved", now=now)
                booking.save(update_fields=["status", "updated_at"])
                notify(booking, "approved")
    except IntegrityError:
        raise Conflict(messages.rule_message("no_room", remaining=0), code="no_room") from None
    return booking


def booking_reject(*, booking: Booking, actor, reason: str = "", now: datetime | None = None) -> Booking:
    now = _now(now)
    require_manager(actor, booking)
    with transaction.atomic():
        booking = _locked(booking)
        _transition(booking, BookingStatus.REJECTED, actor=actor, reason=reason, now=now)
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


#: Payment states of a booking nobody has been charged for: cancelling it costs nothing.
UNCHARGED = (PaymentState.NONE, PaymentState.PENDING, PaymentState.FAILED)


def booking_cancel(*, booking: Booking, actor, reason: str = "", now: datetime | None = None) -> Booking:
    """The booker cancels under the resource's policy, and gets back what it allows; a venue
    manager may cancel any open booking, with a reason the booker is told, and refunds it all.
    A booking still awaiting payment has its Checkout Session closed, so it can no longer be paid."""
    now = _now(now)
    with transaction.atomic():
        booking = _locked(booking)
        by_manager = actor.pk != booking.user_id
        if by_manager:
            require_manager(actor, booking)
            if not reason.strip():
                raise InvalidInput(_("Give the booker a reason for cancelling."), code="reason_required")
            if booking.status not in OPEN:
                raise InvalidInput(messages.rule_message("not_cancellable"), code="not_cancellable")
            refund = ledger.totals(booking).refundable
        else:
            terms = cancellation_terms(booking, now)
            if not terms["allowed"]:
                raise InvalidInput(messages.rule_message(terms["code"]), code=terms["code"])
            refund = terms["refund_minor"]
        _transition(booking, BookingStatus.CANCELLED, actor=actor, reason=reason or "cancelled by the booker", now=now)
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
    now = _now(now)
    with transaction.atomic():
        booking = lock_pool_then_booking(booking)
        if booking.status not in OPEN:
            return booking
        _transition(booking, BookingStatus.CANCELLED, actor=actor, reason=reason or "event cancelled", now=now)
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
    now = _now(now)
    with transaction.atomic():
        booking = lock_pool_then_booking(booking)
        if booking.status not in OPEN or (booking.start, booking.end) == (start, end):
            return booking
        booking.start, booking.end, booking.blocked_until = start, end, end
        booking.save(update_fields=["start", "end", "blocked_until", "updated_at"])
        # A transition to the same status: the audit trail keeps the move, and the invitation's SEQUENCE grows.
        BookingTransition.objects.create(
            booking=booking, from_status=booking.status, to_status=booking.status, at=now, reason="rescheduled"
        )
        notify(booking, "rescheduled")
    return booking


def _close_checkout(booking: Booking, now: datetime) -> None:
    from bookings.tasks import checkout_expire_task  # tasks import services: late import breaks the cycle

    payment = ledger.payment_open(booking, now)
    if payment is not None:
        payment_id = payment.pk
        transaction.on_commit(lambda: checkout_expire_task.delay(payment_id))


def hold_release(*, booking: Booking, to_status: str, reason: str, now: datetime | None = None) -> Booking:
    """End a hold that will not be paid (the payment failed, lapsed, or could not start); no e-mail."""
    now = _now(now)
    with transaction.atomic():
        booking = _locked(booking)
        if booking.status != BookingStatus.HELD:
            return booking
        _transition(booking, to_status, reason=reason, now=now)
        booking.save(update_fields=["status", "updated_at"])
    return booking


def booking_check_in(*, booking: Booking, actor, now: datetime | None = None) -> Booking:
    """The person has arrived: from an hour before the start (configurable) until the end."""
    now = _now(now)
    require_manager(actor, booking)
    with transaction.atomic():
        booking = _locked(booking)
        if not state_machine.may_check_in(booking, now):
            raise InvalidInput(messages.rule_message("check_in_window"), code="check_in_window")
        _transition(booking, BookingStatus.CHECKED_IN, actor=actor, reason="checked in", now=now)
        booking.save(update_fields=["status", "updated_at"])
    return booking


def booking_mark_no_show(*, booking: Booking, actor, now: datetime | None = None) -> Booking:
    now = _now(now)
    require_manager(actor, booking)
    with transaction.atomic():
        booking = _locked(booking)
        if not state_machine.may_mark_no_show(booking, now):
            raise InvalidInput(messages.rule_message("not_started"), code="not_started")
        _transition(booking, BookingStatus.NO_SHOW, actor=actor, reason="no-show", now=now)
        booking.save(update_fields=["status", "updated_at"])
    return booking


def require_manager(actor, booking: Booking) -> None:
    if actor is None or not user_manages_venue(actor, booking.resource.venue_id):
        raise PermissionDenied(_("Only this venue's managers may do that."))


def hold_expire_all(*, now: datetime | None = None) -> int:
    """Mark holds past their time expired, and requests nobody approved before they began."""
    now = _now(now)
    due = Booking.objects.filter(
        Q(status=BookingStatus.HELD, expires_at__lte=now) | Q(status=BookingStatus.PENDING_APPROVAL, start__lte=now)
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due[:1000]):
        with transaction.atomic():
            booking = Booking.objects.select_for_update().filter(pk=pk).first()
            if booking is None:
                continue
            still_due = (booking.status == BookingStatus.HELD and booking.expires_at <= now) or (
                booking.status == BookingStatus.PENDING_APPROVAL and booking.start <= now
            )
            if still_due:
                _transition(booking, BookingStatus.EXPIRED, reason="expired", now=now)
                booking.save(update_fields=["status", "updated_at"])
                count += 1
    return count


def booking_reminders_send(*, now: datetime | None = None) -> int:
    """Remind bookers the day before: bookings starting within the next 24 hours, once each."""
    now = _now(now)
    due = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        start__gt=now + timedelta(hours=2),
        start__lte=now + timedelta(hours=24),
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due[:1000]):
        with transaction.atomic():
            updated = Booking.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
            if updated:
                notify(Booking(pk=pk), "reminder")
                count += 1
    return count


def calendar_feed_ensure(*, user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_regenerate(*, user) -> CalendarFeed:
    """A new secret: the old feed URL stops working at once."""
    feed = calendar_feed_ensure(user=user)
    feed.secret = new_feed_secret()
    feed.save(update_fields=["secret", "created_at"])
    return feed
