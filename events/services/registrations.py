"""Registering for an event's date, or for a whole programme.

``registration_create`` checks the event's own rules (the date exists and is not cancelled,
registration is open, once per person) and books seats through
``bookings.services.booking_place_seats``. It locks the person and the event's seats first, in
``core.locking``'s global order, and checks "once per person" and "the people waiting come first"
after the lock; a full date is a ``Conflict`` that offers the waitlist. The person's own entry
on the waitlist, if any, is locked after (a higher rank) and marked accepted.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bookings import services as booking_services
from core import savepoints
from core.audit import AuditReason
from core.errors import Conflict, InvalidInput
from core.locking import Read, lock_and_read, lock_at_the_end, lock_objects, lock_one
from events import selectors
from events.models import (
    Event,
    EventStatus,
    ProgrammePage,
    Registration,
    RegistrationMode,
    WaitlistEntry,
    WaitlistStatus,
)
from events.selectors import rush
from events.services.common import canonical, now_or, registrable
from events.services.waitlist import waitlist_record


def _full() -> Conflict:
    return Conflict(
        _("This date is full. Join the waitlist: the next seat that frees is offered to the first person waiting."),
        code="event_full",
        extra={"remaining": 0, "waitlist": True},
    )


def registration_create(
    *,
    user,
    event: Event,
    recurrence_id: datetime,
    quantity: int = 1,
    whole_programme: bool = False,
    language: str = "",
    hold: bool = False,
    uid=None,
    now: datetime | None = None,
):
    """Register ``user`` for one occurrence: a booking on the event's seats (confirmed, or held
    until paid; ``hold``: held even when free, for a peer's two-phase registration named ``uid``).
    ``InvalidInput`` when the date cannot be registered for or the person already
    is; ``Conflict`` (``event_full``, with the waitlist offered) when no seat is left."""
    now = now_or(now)
    recurrence_id = recurrence_id.astimezone(UTC)
    if event.programme_id and not whole_programme:
        mode = ProgrammePage.objects.filter(pk=event.programme_id).values_list("registration_mode", flat=True).first()
        if mode == RegistrationMode.WHOLE:
            raise InvalidInput(_("Registration is for the whole programme only."), code="whole_programme_only")
    if not 1 <= quantity <= 10:
        raise InvalidInput(_("Choose between 1 and 10 seats."), code="bad_quantity")
    occurrence = registrable(event, recurrence_id, now)
    with savepoints.atomic():
        # The person now; the seats' row last, by ``booking_place_seats`` once the seat is written
        # (every registration for the date waits for that lock: it covers only the count and what
        # follows, and inside ``core.locking.locks_at_the_end`` it waits for the caller's own
        # writes too). A full date's waitlist is read under it, and refuses as "full" when others wait.
        standing = rush.registration_standing_read(
            user=user, event=event, recurrence_id=recurrence_id, start=occurrence.start.astimezone(UTC), now=now
        )
        lock_and_read([user], [standing])
        standing = rush.standing_from(standing)
        if standing.registered:
            raise InvalidInput(_("You are already registered for this date."), code="already_registered")
        if not event.origin and max(0, event.capacity - (standing.taken or 0)) < quantity:
            # Full as committed now: refused before anything is written or the seats' lock waited
            # for. In a rush most requests come after the last seat, and this is the answer the
            # lock would have given them a moment later.
            raise _full()
        request = booking_services.BookingRequest(
            resource=event.seats,
            start=occurrence.start.astimezone(UTC),
            end=occurrence.end.astimezone(UTC),
            quantity=quantity,
        )
        registration = Registration(event=event, recurrence_id=recurrence_id, whole_programme=whole_programme)
        waiting = rush.waitlist_standing_read(user=user, event=event, recurrence_id=recurrence_id)
        booking = booking_services.booking_place_seats(
            user=user,
            request=request,
            language=language,
            hold=hold,
            uid=uid,
            person_locked=True,
            full=_full,
            riders=[booking_services.row_rider(registration)],  # written with the booking
            under_the_seats=[waiting],
            now=now,
        )
        if registration.pk is None:  # the person's open hold for these seats came back instead
            registration.booking = booking
            registration.save(force_insert=True)
        lock_at_the_end(functools.partial(_after_the_seats, user, event, recurrence_id, now, waiting))
    return booking


def _after_the_seats(user, event: Event, recurrence_id: datetime, now: datetime, read: Read) -> None:
    """Under the seats' lock: the people already waiting come first, and the person's own entry
    (a higher lock rank than the seats; it cannot appear meanwhile: joining the waitlist locks
    the person too) is accepted. ``read``: the waitlist, read with the seats' lock (unread when
    the person's open hold came back: read now)."""
    if read.rows is None:
        waiting = rush.waitlist_standing(user=user, event=event, recurrence_id=recurrence_id)
    else:
        waiting = rush.waiting_from(read)
    if waiting.others:
        raise _full()  # a seat that frees goes to the people already waiting, in their order
    entry = lock_one(WaitlistEntry(pk=waiting.own)) if waiting.own is not None else None
    if entry is not None and entry.status == WaitlistStatus.WAITING:
        waitlist_record(
            entry, WaitlistStatus.ACCEPTED, reason=AuditReason.WAITLIST_REGISTERED_DIRECTLY, now=now, actor=user
        )
        entry.save(update_fields=["status", "updated_at"])


def programme_register(*, user, programme: ProgrammePage, language: str = "", now: datetime | None = None) -> list:
    """Register for every upcoming session of a programme at once: all or nothing."""
    now = now_or(now)
    programme = canonical(programme).specific
    if programme.registration_mode == RegistrationMode.SESSIONS:
        raise InvalidInput(_("This programme is registered for session by session."), code="sessions_only")
    sessions = [
        event
        for event in selectors.programme_sessions(programme)
        if event.start > now and event.status == EventStatus.SCHEDULED
    ]
    if not sessions:
        raise InvalidInput(_("This programme has no session left to register for."), code="nothing_to_register")
    bookings = []
    with transaction.atomic():
        # Every session's seats at once, in the global order, before the first registration.
        lock_objects([user, *(event.seats for event in sessions)], fetch=False)
        for event in sessions:
            if selectors.registered(user=user, event=event, recurrence_id=event.start, now=now):
                continue  # already in this session: the rest still counts
            try:
                bookings.append(
                    registration_create(
                        user=user,
                        event=event,
                        recurrence_id=event.start,
                        whole_programme=True,
                        language=language,
                        now=now,
                    )
                )
            except (InvalidInput, Conflict) as error:
                error.message = _("%(session)s: %(reason)s") % {"session": event.title(), "reason": error.message}
                error.extra = {**error.extra, "session": event.pk}
                raise
    if not bookings:
        raise InvalidInput(_("You are already registered for every session."), code="already_registered")
    return bookings
