"""What every booking state change shares: the state machine, its audit row, the booking's lock,
the e-mail queued after the commit, and the manager check.

``bookings.state_machine`` is the one statement of which status may follow which, and when:
``transition`` refuses any other change, and the admin offers the moves it allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings import availability as av
from bookings import rule_texts, signals, tasks
from bookings.models import (
    EXCLUSIVE_KINDS,
    OCCUPYING,
    Booking,
    BookingTransition,
    Resource,
    ResourceKind,
)
from bookings.state_machine import TRANSITIONS
from core.deferred import after_commit
from core.errors import Conflict, InvalidInput, PermissionDenied
from core.locking import lock_objects
from venues.permissions import user_manages_venue


@dataclass(frozen=True)
class BookingRequest:
    resource: Resource
    start: datetime
    end: datetime
    quantity: int = 1


def now_or(now: datetime | None) -> datetime:
    return now or timezone.now()


def violation(error: av.RuleViolation) -> InvalidInput | Conflict:
    message = rule_texts.rule_message(error.code, **error.params)
    if error.code == "no_room":
        return Conflict(message, code="no_room", extra={"remaining": error.params.get("remaining", 0)})
    return InvalidInput(message, code=error.code)


def no_room() -> Conflict:
    """A lost race the database caught (the exclusion constraint): the units are taken."""
    return Conflict(rule_texts.rule_message("no_room", remaining=0), code="no_room", extra={"remaining": 0})


def booking_lock(booking: Booking, *, pool: bool = False) -> Booking:
    """The booking, locked and read afresh (with its resource, venue and booker).

    ``pool``: lock a pooled resource's row too, before the booking (the global order): a change
    that takes or gives back units of a pool waits for ``booking_create``'s capacity check.
    """
    rows: list = [booking]
    if pool:
        kind = Resource.objects.filter(pk=booking.resource_id).values_list("kind", flat=True).first()
        if kind not in EXCLUSIVE_KINDS:
            rows.append(Resource(pk=booking.resource_id))
    locked = lock_objects(rows, related=("resource__venue", "user")).get((Booking, booking.pk))
    if locked is None:
        raise Booking.DoesNotExist(f"booking {booking.pk} is gone")
    return locked


def transition(booking: Booking, to_status: str, *, actor=None, reason: str = "", now: datetime) -> None:
    """Change the (locked) booking's status if the state machine allows it, with its audit row.

    ``reason`` is an ``AuditReason`` code or the words a person typed."""
    from_status = booking.status
    if from_status and to_status not in TRANSITIONS.get(from_status, set()):
        raise InvalidInput(rule_texts.transition_message(from_status, to_status), code="invalid_transition")
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
    after_commit(
        signals.units_released.send, sender=Booking, booking_id=booking_id, resource_id=resource_id, start=start
    )


def notify(booking: Booking, event: str) -> None:
    """E-mail the booker about ``event`` once the change is committed."""
    booking_id = booking.pk
    after_commit(tasks.booking_notify_task, booking_id, event)


def require_manager(actor, booking: Booking) -> None:
    if actor is None or not user_manages_venue(actor, booking.resource.venue_id):
        raise PermissionDenied(_("Only this venue's managers may do that."))
