"""The booking state machine, written once: which status may follow which, and when.

The services enforce it (``_transition`` refuses a change ``TRANSITIONS`` does not list; approving,
checking in and marking a no-show are refused outside the times below), and the admin offers the
moves ``moves_open`` returns, so the buttons a manager sees are the changes the engine accepts.
The services still have the last word: they check again, on the locked row.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from bookings.models import Booking, BookingStatus

S = BookingStatus

#: Every status change the engine makes, as ``(from, to, move)``: ``move`` names what causes it
#: (the admin's action names for a manager's moves).
EDGES = (
    (S.PENDING_APPROVAL, S.CONFIRMED, "approve"),
    (S.PENDING_APPROVAL, S.HELD, "approve"),  # approved, to be paid online
    (S.PENDING_APPROVAL, S.REJECTED, "reject"),
    (S.PENDING_APPROVAL, S.CANCELLED, "cancel"),
    (S.PENDING_APPROVAL, S.EXPIRED, "expire"),
    (S.HELD, S.CONFIRMED, "pay"),
    (S.HELD, S.CANCELLED, "cancel"),
    (S.HELD, S.EXPIRED, "expire"),
    (S.CONFIRMED, S.CHECKED_IN, "check-in"),
    (S.CONFIRMED, S.NO_SHOW, "no-show"),
    (S.CONFIRMED, S.CANCELLED, "cancel"),
    (S.NO_SHOW, S.CHECKED_IN, "check-in"),  # a late arrival after all
)

#: Allowed status changes; anything else is refused with ``invalid_transition``.
TRANSITIONS: dict[str, set[str]] = {status: {to for fro, to, _move in EDGES if fro == status} for status in S}


def check_in_opens(booking: Booking) -> datetime:
    """Check-in opens a while before the start (``ESSAIM_CHECK_IN_EARLY_MINUTES``)."""
    return booking.start - timedelta(minutes=settings.ESSAIM_CHECK_IN_EARLY_MINUTES)


def may_check_in(booking: Booking, now: datetime) -> bool:
    """From a while before the start until the end."""
    return check_in_opens(booking) <= now < booking.end


def may_mark_no_show(booking: Booking, now: datetime) -> bool:
    """Once the booking has started: before that, the person may still come."""
    return now >= booking.start


def may_approve(booking: Booking, now: datetime) -> bool:
    """Before the start: a request nobody approved in time expires instead."""
    return now < booking.start


#: When a move is open, beyond the status it leaves from; a move missing here is open at any time.
WHEN: dict[str, Callable[[Booking, datetime], bool]] = {
    "approve": may_approve,
    "check-in": may_check_in,
    "no-show": may_mark_no_show,
}

#: The moves a venue manager makes from the admin, in the order the admin shows them.
MANAGER_MOVES = ("approve", "reject", "check-in", "no-show", "cancel")


def moves_open(booking: Booking, now: datetime, *, among: tuple[str, ...] = MANAGER_MOVES) -> list[str]:
    """The moves of ``among`` that leave the booking's status and whose time has come."""
    leaving = {move for source, _target, move in EDGES if source == booking.status}
    return [move for move in among if move in leaving and WHEN.get(move, _always)(booking, now)]


def _always(booking: Booking, now: datetime) -> bool:
    return True


@dataclass(frozen=True)
class Waiting:
    """Why a move the status allows is not open now: ``code`` names the reason, ``at`` when it
    changes (``None``: it will not)."""

    move: str
    code: str
    at: datetime | None = None


def moves_waiting(booking: Booking, now: datetime, *, among: tuple[str, ...] = MANAGER_MOVES) -> list[Waiting]:
    """The moves of ``among`` that leave the booking's status but whose time is not (or no longer)
    open, from the same ``WHEN`` rules ``moves_open`` and the services apply; and, for a booking
    held for its payment, until when the booker may pay (the move is theirs, not a manager's).

    Lets the admin say why a button is missing instead of leaving an empty cell."""
    leaving = {move for source, _target, move in EDGES if source == booking.status}
    waiting = []
    for move in among:
        if move not in leaving or WHEN.get(move, _always)(booking, now):
            continue
        if move == "check-in":
            opens = check_in_opens(booking)
            waiting.append(Waiting(move, "check_in_later", opens) if now < opens else Waiting(move, "check_in_closed"))
        elif move == "approve":
            waiting.append(Waiting(move, "approve_too_late"))
        elif move == "no-show":
            waiting.append(Waiting(move, "no_show_later", booking.start))
    if booking.status == S.HELD and booking.expires_at and now < booking.expires_at:
        waiting.append(Waiting("pay", "awaiting_payment", booking.expires_at))
    return waiting
