"""The waitlist: first come, first offered, every change of an entry audited.

When a seat frees, ``waitlist_promote`` holds it for the first person waiting (a held booking
with a time limit) and e-mails them; an offer not taken expires like any hold, which frees the
seat for the next one.

Locks follow ``core.locking``'s global order in two calls: first the person and the event's
seats (the same rows ``registration_create`` takes first, so a promotion and a registration for
the last seat queue on the seats instead of deadlocking), then the offered booking and the entry,
whose status is checked again once locked. Every status change writes a ``WaitlistTransition``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bookings import services as booking_services
from bookings.models import Booking, BookingStatus, PaymentState, Resource
from core import identity
from core import recurrence as rec
from core.audit import AuditReason
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.locking import lock_objects
from events import selectors
from events.models import Event, Registration, WaitlistEntry, WaitlistStatus, WaitlistTransition, occurrence_key
from events.services.common import now_or, registrable

logger = logging.getLogger(__name__)


def waitlist_record(entry: WaitlistEntry, to_status: str, *, reason: str, now: datetime, actor=None) -> None:
    """Set the (locked) entry's status with its audit row; the caller saves the entry."""
    WaitlistTransition.objects.create(
        entry=entry, from_status=entry.status or "", to_status=to_status, actor=actor, at=now, reason=reason[:500]
    )
    entry.status = to_status


def _lock_entry(entry: WaitlistEntry) -> WaitlistEntry | None:
    """Lock the entry's person and the event's seats, then its offer and the entry itself; return
    the entry as it is now (``None`` when it is gone)."""
    seats_id = Event.objects.filter(pk=entry.event_id).values_list("seats_id", flat=True).first()
    lock_objects([get_user_model()(pk=entry.user_id), Resource(pk=seats_id) if seats_id else None])
    fresh = WaitlistEntry.objects.filter(pk=entry.pk).values_list("offer_id", flat=True).first()
    locked = lock_objects([Booking(pk=fresh) if fresh else None, entry])
    return locked.get((WaitlistEntry, entry.pk))


def waitlist_join(*, user, event: Event, recurrence_id: datetime, language: str = "", now: datetime | None = None):
    """Queue for a full date. Refused when a seat is free (register instead) or when already queued or
    registered, and, as any booking, with an unconfirmed address."""
    identity.require_verified_email(user)
    now = now_or(now)
    recurrence_id = recurrence_id.astimezone(UTC)
    occurrence = registrable(event, recurrence_id, now)
    with transaction.atomic():
        lock_objects([user, event.seats])
        if selectors.registered(user=user, event=event, recurrence_id=recurrence_id, now=now):
            raise InvalidInput(_("You are already registered for this date."), code="already_registered")
        if selectors.waitlist_entry_open(user=user, event=event, recurrence_id=recurrence_id):
            raise InvalidInput(_("You are already on the waitlist for this date."), code="already_waiting")
        waiting = selectors.waitlist_waiting(event, recurrence_id).exists()
        if selectors.seats_for(event, occurrence, now=now).remaining > 0 and not waiting:
            raise InvalidInput(_("Seats are still free: register instead."), code="seats_left")
        entry = WaitlistEntry.objects.create(
            event=event, recurrence_id=recurrence_id, user=user, language=language or settings.LANGUAGE_CODE
        )
        WaitlistTransition.objects.create(
            entry=entry, to_status=entry.status, actor=user, at=now, reason=AuditReason.WAITLIST_JOINED
        )
    return entry


def waitlist_leave(*, entry: WaitlistEntry, user, now: datetime | None = None) -> WaitlistEntry:
    """Leave the queue; a seat already offered goes to the next person."""
    now = now_or(now)
    if entry.user_id != user.pk:
        raise PermissionDenied(_("This is not your place on the waitlist."))
    with transaction.atomic():
        entry = _lock_entry(entry)
        if entry is None or entry.status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
            return entry
        reason = AuditReason.WAITLIST_LEFT
        if entry.status == WaitlistStatus.OFFERED and entry.offer_id:
            reason = AuditReason.WAITLIST_OFFER_DECLINED
            booking_services.hold_release(
                booking=entry.offer, to_status=BookingStatus.CANCELLED, reason=reason, now=now
            )
        waitlist_record(entry, WaitlistStatus.LEFT, reason=reason, now=now, actor=user)
        entry.save(update_fields=["status", "updated_at"])
    return entry


def _offer_until(event: Event, occurrence: rec.Occurrence, now: datetime) -> datetime:
    closes = occurrence.start - timedelta(hours=event.registration_closes_hours)
    return max(now + timedelta(minutes=5), min(now + timedelta(hours=settings.ESSAIM_WAITLIST_OFFER_HOURS), closes))


def waitlist_close(*, entries, now: datetime) -> int:
    """Close the entries still waiting for a date that is gone, cancelled or no longer open."""
    closed = 0
    with transaction.atomic():
        for entry in lock_objects(entries).values():
            if entry.status == WaitlistStatus.WAITING:
                waitlist_record(entry, WaitlistStatus.CLOSED, reason=AuditReason.WAITLIST_CLOSED, now=now)
                entry.save(update_fields=["status", "updated_at"])
                closed += 1
    return closed


def waitlist_promote(*, event: Event, recurrence_id: datetime, now: datetime | None = None) -> int:
    """Offer free seats to the people waiting, first come first offered; returns how many were offered.

    Each offer is a held booking that expires at the offer's limit: if it lapses, the release
    calls this again for the next person. Safe to call any number of times.
    """
    now = now_or(now)
    recurrence_id = recurrence_id.astimezone(UTC)
    try:
        occurrence = registrable(event, recurrence_id, now)
    except (InvalidInput, NotFound):
        waitlist_close(entries=list(selectors.waitlist_waiting(event, recurrence_id)), now=now)
        return 0
    offered = 0
    waiting = selectors.waitlist_waiting(event, recurrence_id).select_related("user").order_by("created_at", "id")
    for candidate in list(waiting):
        with transaction.atomic():
            entry = _lock_entry(candidate)
            if entry is None or entry.status != WaitlistStatus.WAITING:
                continue
            if selectors.registered(user=candidate.user, event=event, recurrence_id=recurrence_id, now=now):
                waitlist_record(
                    entry, WaitlistStatus.ACCEPTED, reason=AuditReason.WAITLIST_REGISTERED_DIRECTLY, now=now
                )
                entry.save(update_fields=["status", "updated_at"])
                continue
            until = _offer_until(event, occurrence, now)
            request = booking_services.BookingRequest(
                resource=event.seats,
                start=occurrence.start.astimezone(UTC),
                end=occurrence.end.astimezone(UTC),
                quantity=1,
            )
            try:
                booking = booking_services.booking_place_seats(
                    user=candidate.user,
                    request=request,
                    hold_until=until,
                    announce="waitlist_offer",
                    language=entry.language,
                    now=now,
                )
            except Conflict:
                break  # no seat left: the others keep waiting
            Registration.objects.create(booking=booking, event=event, recurrence_id=recurrence_id)
            waitlist_record(entry, WaitlistStatus.OFFERED, reason=AuditReason.WAITLIST_OFFERED, now=now)
            entry.offer = booking
            entry.offer_expires_at = until
            entry.save(update_fields=["status", "offer", "offer_expires_at", "updated_at"])
            offered += 1
    if offered:
        logger.info("event %s %s: %s waitlist offer(s)", event.pk, occurrence_key(recurrence_id), offered)
    return offered


def waitlist_accept(*, entry: WaitlistEntry, user, now: datetime | None = None):
    """Take the seat offered: a free seat is confirmed at once; a paid one stays held until paid
    (the booking's pay link). Returns the booking."""
    now = now_or(now)
    if entry.user_id != user.pk:
        raise PermissionDenied(_("This is not your place on the waitlist."))
    with transaction.atomic():
        entry = _lock_entry(entry)
        booking = entry.offer if entry is not None else None
        if entry is None or entry.status != WaitlistStatus.OFFERED or booking is None:
            raise InvalidInput(_("No seat is offered to you for this date."), code="no_offer")
        if booking.status != BookingStatus.HELD or (booking.expires_at and booking.expires_at <= now):
            raise InvalidInput(_("The offer has lapsed and the seat went to the next person."), code="offer_lapsed")
        if booking.payment_state == PaymentState.PENDING:
            return booking  # paid when the pay link is followed; the payment confirms it
        booking = booking_services.booking_confirm(
            booking=booking, actor=user, reason=AuditReason.WAITLIST_OFFER_ACCEPTED, now=now
        )
        waitlist_record(entry, WaitlistStatus.ACCEPTED, reason=AuditReason.WAITLIST_OFFER_ACCEPTED, now=now, actor=user)
        entry.save(update_fields=["status", "updated_at"])
    return booking


def seats_released(*, booking_id: int, resource_id: int, now: datetime | None = None) -> int:
    """A booking on an event's seats ended (cancelled, expired, rejected): settle the waitlist
    entry it was offered to (lapsed, or declined when the booker cancelled it), then offer the
    seat to the next person waiting."""
    now = now_or(now)
    event = Event.objects.filter(seats_id=resource_id).first()
    if event is None:
        return 0
    registration = Registration.objects.filter(booking_id=booking_id).first()
    if registration is None:
        return 0
    offered_to = WaitlistEntry.objects.filter(offer_id=booking_id, status=WaitlistStatus.OFFERED).first()
    if offered_to is not None:
        with transaction.atomic():
            entry = _lock_entry(offered_to)
            if entry is not None and entry.status == WaitlistStatus.OFFERED:
                declined = entry.offer is not None and entry.offer.status == BookingStatus.CANCELLED
                reason = AuditReason.WAITLIST_OFFER_DECLINED if declined else AuditReason.WAITLIST_OFFER_LAPSED
                waitlist_record(entry, WaitlistStatus.EXPIRED, reason=reason, now=now)
                entry.save(update_fields=["status", "updated_at"])
    return waitlist_promote(event=event, recurrence_id=registration.recurrence_id, now=now)
