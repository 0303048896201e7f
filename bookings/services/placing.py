"""Placing a booking: check the rules, lock, count what only a lock can answer, write.

Rules that read nothing another request could change at the same moment (opening hours, timing,
notice) are checked before the transaction. Inside it, ``core.locking`` locks the person (their
per-day and per-week limits and their open holds) and a pooled resource (its capacity), and
*then* those rules are counted, on what is committed now: two requests by one person, or for the
last seat of a pool, cannot both pass. An exclusive resource is guarded by PostgreSQL's exclusion
constraint, so a lost race surfaces as an ``IntegrityError`` that becomes a ``Conflict`` (409). On
SQLite the ``IMMEDIATE`` transaction serialises writers.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError

from bookings import availability as av
from bookings import pricing, rule_texts, selectors
from bookings.models import Booking, BookingStatus, BookingTransition, PaymentState, Resource
from bookings.payments import stripe_gateway
from bookings.services.booking_insert import Rider, booking_insert
from bookings.services.transitions import BookingRequest, no_room, notify, now_or, transition, violation
from core import identity, savepoints
from core.audit import AuditReason
from core.errors import Conflict, InvalidInput
from core.locking import Read, lock_and_read, lock_at_the_end, lock_objects


def booking_validate(*, user, request: BookingRequest, now: datetime | None = None) -> selectors.Calendar:
    """Every rule but those only a locked transaction can answer (capacity, the person's limits and
    holds, counted by ``_place``): raise ``InvalidInput``."""
    now = now_or(now)
    resource = request.resource
    if resource.is_remote:
        raise InvalidInput(rule_texts.rule_message("remote_resource", origin=resource.origin), code="remote_resource")
    if not resource.is_active or not resource.venue.live:
        raise InvalidInput(rule_texts.rule_message("not_bookable"), code="not_bookable")
    for value in (request.start, request.end):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInput(rule_texts.rule_message("naive_datetime"), code="naive_datetime")
    try:
        interval = av.Interval(request.start, request.end)
        calendar = selectors.resource_calendar(resource, interval, now, with_occupations=False)
        av.check_timing(interval, request.quantity, calendar.rules, now, calendar.tz)
        av.check_opening(interval, calendar.rules, calendar.hours, calendar.closures, calendar.tz)
    except av.RuleViolation as error:
        raise violation(error) from None
    return calendar


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


def _check_limits(user, request: BookingRequest, tz, now: datetime) -> None:
    """The person's per-day and per-week limits on the resource, counted under their lock."""
    resource = request.resource
    if not (resource.max_per_day or resource.max_per_week):
        return
    day_window, week_window = _local_windows(request.start, tz)
    per_day, per_week = selectors.user_booking_counts(
        user=user, resource=resource, day_window=day_window, week_window=week_window, now=now
    )
    if resource.max_per_day and per_day >= resource.max_per_day:
        raise InvalidInput(rule_texts.rule_message("per_day_limit", limit=resource.max_per_day), code="per_day_limit")
    if resource.max_per_week and per_week >= resource.max_per_week:
        raise InvalidInput(
            rule_texts.rule_message("per_week_limit", limit=resource.max_per_week), code="per_week_limit"
        )


def _preset_name(request: av.Interval, calendar: selectors.Calendar) -> str:
    presets = av.day_presets(request.start.astimezone(calendar.tz).date(), calendar.hours, calendar.tz)
    return next((name for name, span in presets.items() if span == request), "")


def expire_stale_holds(resource: Resource, interval: av.Interval, now: datetime) -> None:
    """Holds past their time still count for the exclusion constraint until marked: mark those in
    the way (locked, and checked again once locked: one may have been paid meanwhile)."""
    _expire(selectors.stale_hold_ids(resource, interval, now), now)


def _expire(stale: list[int], now: datetime) -> None:
    if not stale:
        return
    for booking in lock_objects(Booking.objects.filter(pk__in=stale)).values():
        if booking.status == BookingStatus.HELD and booking.expires_at <= now:
            transition(booking, BookingStatus.EXPIRED, reason=AuditReason.HOLD_EXPIRED, now=now)
            booking.save(update_fields=["status", "updated_at"])


def check_capacity(
    resource: Resource, interval: av.Interval, quantity: int, now: datetime, *, excluding: int | None = None
) -> None:
    """``quantity`` more units fit in ``interval``; ``excluding``: a booking written already, not counted."""
    rules = selectors.resource_rules(resource)
    occupations = selectors.resource_occupations(resource, interval, now, rules, excluding=excluding)
    _fits(interval, quantity, occupations, rules)


def _fits(interval: av.Interval, quantity: int, occupations: list[av.Occupation], rules: av.Rules) -> None:
    try:
        av.check_capacity(interval, quantity, occupations, rules)
    except av.RuleViolation as error:
        raise violation(error) from None


def _clear_exclusive(resource: Resource, interval: av.Interval, quantity: int, now: datetime, *, counts: bool) -> None:
    """An exclusive resource before its booking is written: its stale holds marked expired and
    (``counts``) its units counted, both from one read (the exclusion constraint has the last word)."""
    rules = selectors.resource_rules(resource)
    occupations, stale = selectors.occupations_and_stale_holds(resource, interval, now, rules)
    _expire(stale, now)
    if counts:
        _fits(interval, quantity, occupations, rules)


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
    uid: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Booking:
    """Book ``request`` for ``user``: confirmed, awaiting approval, or (``hold``) held until paid
    or confirmed (a peer's two-phase booking holds even a free resource). ``uid`` names the booking
    (a peer's key: the same request twice cannot make two bookings).

    Raises ``InvalidInput`` naming the broken rule, ``Conflict`` when the units are taken,
    ``PermissionDenied`` (``email_unverified``) before anything when the person's address is unconfirmed.
    """
    identity.require_verified_email(user)
    now = now_or(now)
    calendar = booking_validate(user=user, request=request, now=now)
    resource = request.resource
    interval = av.Interval(request.start, request.end)
    amount = pricing.booking_amount(
        price_minor=resource.price_minor,
        pricing_unit=resource.pricing_unit,
        minutes=interval.minutes,
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
        limits_tz=calendar.tz,
        uid=uid,
    )


def booking_place_seats(
    *,
    user,
    request: BookingRequest,
    hold_until: datetime | None = None,
    announce: str = "",
    language: str = "",
    note: str = "",
    hold: bool = False,
    uid: uuid.UUID | None = None,
    person_locked: bool = False,
    full=None,
    riders: list[Rider] = (),
    under_the_seats: list[Read] = (),
    now: datetime | None = None,
) -> Booking:
    """Seats at an event: the events app has checked its own rules (the occurrence, its deadline,
    one registration per person); this takes the seats under the same locks and capacity check as
    any pooled booking (``person_locked``: the caller already holds the person's row, in this
    transaction; it is not locked a second time). ``hold_until`` holds them (a waitlist
    offer to confirm) instead of booking, and ``announce`` names the e-mail sent instead of the
    status's own. ``hold`` and ``uid``: as for ``booking_create`` (a peer's two-phase registration).

    ``riders``: rows written with the booking, in its statement (the registration; see
    ``booking_insert``), unless the person's open hold for the same seats is returned instead;
    ``under_the_seats``: what the caller reads under the seats' lock, sent with it (their ``rows``
    stay ``None`` when that hold is returned).

    Raises ``Conflict`` (``no_room``, or ``full()`` when given) when the occurrence is full,
    ``PermissionDenied`` (``email_unverified``) when the person asks with an unconfirmed address
    (a seat offered from the waitlist was asked for when they joined it).
    """
    if hold_until is None:
        identity.require_verified_email(user)
    now = now_or(now)
    resource = request.resource
    if resource.is_remote:  # a peer's event: its seats are taken on its own node
        raise InvalidInput(rule_texts.rule_message("remote_resource", origin=resource.origin), code="remote_resource")
    if not resource.is_active:
        raise InvalidInput(rule_texts.rule_message("not_bookable"), code="not_bookable")
    amount = resource.price_minor * request.quantity
    status, payment = _initial_status(resource)
    if not amount:
        status, payment = BookingStatus.CONFIRMED, PaymentState.NONE
    if hold and status == BookingStatus.CONFIRMED:
        status = BookingStatus.HELD
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
        uid=uid,
        person_locked=person_locked,
        full=full,
        riders=riders,
        under_the_seats=under_the_seats,
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
    limits_tz=None,
    limit_holds: bool = True,
    announce: str = "",
    uid: uuid.UUID | None = None,
    person_locked: bool = False,
    full=None,
    riders: list[Rider] = (),
    under_the_seats: list[Read] = (),
) -> Booking:
    """Lock, count the person's limits and holds and the capacity, then write the booking with its
    first transition, or raise. ``limits_tz``: the venue's zone, when the resource's per-person
    limits apply (a booking, not event seats). ``person_locked``: the caller (a registration)
    holds the person's row already, in this transaction.

    A pooled resource's row is locked *last*, after the booking is written, and its units are
    counted then: every booking of the pool waits for that lock, which is held until commit, so
    it must cover as little as possible (a rush for one event's seats is as fast as that lock is
    short). Inside a ``core.locking.locks_at_the_end`` block, that step waits for the block's end,
    after the caller's own writes (``full()``: the caller's refusal when no unit is left).
    Counting after the write is right under READ COMMITTED: the count runs once the lock is
    granted, so it sees every booking committed before, and this one (left out of the count).
    An exclusive resource needs no lock: the exclusion constraint is the last word, and the
    stale holds that it would still see are marked first."""
    resource = request.resource
    interval = av.Interval(request.start, request.end)
    try:
        with savepoints.atomic():
            # The person's row guards what is counted per person: their limits on the resource and
            # their open holds. A booking that counts neither (the common case) takes no lock on it.
            counts_per_person = (limits_tz is not None and bool(resource.max_per_day or resource.max_per_week)) or (
                status == BookingStatus.HELD and limit_holds
            )
            if counts_per_person and not person_locked:
                lock_objects([user], fetch=False)
            if limits_tz is not None:
                _check_limits(user, request, limits_tz, now)
            if status == BookingStatus.HELD and limit_holds:
                existing = _same_open_hold(user, request, now)
                if existing is not None:
                    return existing  # the timer does not restart for the same request
                if selectors.open_holds_count(user=user, now=now) >= settings.ESSAIM_MAX_OPEN_HOLDS:
                    raise InvalidInput(
                        rule_texts.rule_message("too_many_holds", limit=settings.ESSAIM_MAX_OPEN_HOLDS),
                        code="too_many_holds",
                    )
            if resource.is_exclusive:
                _clear_exclusive(
                    resource, interval, request.quantity, now, counts=status != BookingStatus.PENDING_APPROVAL
                )
            booking = _write(
                user=user,
                request=request,
                status=status,
                payment=payment,
                amount=amount,
                note=note,
                language=language,
                expires_at=expires_at,
                uid=uid,
                now=now,
                riders=riders,
            )
            if not resource.is_exclusive:
                lock_at_the_end(
                    functools.partial(
                        _claim_pool,
                        booking,
                        interval,
                        now,
                        counts=status != BookingStatus.PENDING_APPROVAL,
                        full=full,
                        also=under_the_seats,
                    )
                )
            notify(booking, announce or ("requested" if status == BookingStatus.PENDING_APPROVAL else status))
    except IntegrityError:
        raise no_room() from None
    return booking


def _claim_pool(
    booking: Booking, interval: av.Interval, now: datetime, *, counts: bool, full=None, also: list[Read] = ()
) -> None:
    """Lock the pool and count its units with ``booking`` written (and left out of the count), the
    lock and the count in one round trip; ``full()`` is the refusal when none is left, if the
    caller has its own, and ``also`` what it reads under the same lock. Expired holds need no
    marking here: they no longer count (``occupying_at``)."""
    resource = booking.resource
    occupying = selectors.occupations_read(resource, interval, now, excluding=booking.pk) if counts else None
    lock_and_read([resource], [read for read in (occupying, *also) if read is not None])
    if counts:
        rules = selectors.resource_rules(resource)
        try:
            _fits(interval, booking.quantity, selectors.occupations_from(occupying, resource, rules)[0], rules)
        except Conflict as error:
            if full is None or error.code != "no_room":
                raise
            raise full() from None


def _write(
    *, user, request: BookingRequest, status, payment, amount, note, language, expires_at, uid, now, riders=()
) -> Booking:
    """The booking row, its first transition and ``riders`` (``booking_insert``: one statement)."""
    resource = request.resource
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
    if uid is not None:
        booking.uid = uid
    first = BookingTransition(from_status="", to_status=status, actor=user, at=now)
    return booking_insert(booking, first, riders)


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
