"""What a registration reads on its way in, written as SQL: every request of a rush makes these reads.

Through the ORM, ``registered``, ``seats_for``, ``waitlist_entry_open`` and the "others waiting"
check cost about a third of a registration's CPU, nearly all of it building the statements
(PostgreSQL answers each in a tenth of a millisecond). Here they are two statements: the
person's registration and the seats taken, under the person's lock; the waitlist (others
waiting, the person's own open entry), under the seats' lock. Each ``…_read`` is sent with its
lock (``core.locking.lock_and_read``). ``test_rush_reads`` holds each to its ORM twin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from bookings.models import OCCUPYING_UNTIL_CANCELLED, Booking, BookingStatus
from core.locking import Read
from events.models import WAITLIST_OPEN, Event, Registration, WaitlistEntry, WaitlistStatus


@dataclass(frozen=True)
class Standing:
    registered: bool
    #: Seats taken at the occurrence's start (``None`` for a peer's event: counted on its node).
    taken: int | None


def registration_standing(*, user, event: Event, recurrence_id: datetime, start: datetime, now: datetime) -> Standing:
    """``registered`` (a standing registration of the person for ``recurrence_id``) and, for our
    own events, ``seats_for``'s seats taken at ``start`` (the occurrence's actual start, UTC)."""
    return standing_from(
        registration_standing_read(user=user, event=event, recurrence_id=recurrence_id, start=start, now=now).run()
    )


def registration_standing_read(*, user, event: Event, recurrence_id: datetime, start: datetime, now: datetime) -> Read:
    """``registration_standing``'s statement, for a caller that sends it with the person's lock."""
    q = connection.ops.quote_name
    at = connection.ops.adapt_datetimefield_value
    booking, registration = q(Booking._meta.db_table), q(Registration._meta.db_table)
    lasting = ", ".join(["%s"] * len(OCCUPYING_UNTIL_CANCELLED))
    occupying = f"(b.{q('status')} IN ({lasting}) OR (b.{q('status')} = %s AND b.{q('expires_at')} > %s))"
    occupying_params = [*OCCUPYING_UNTIL_CANCELLED, BookingStatus.HELD, at(now)]
    # ``standing_at``: occupying, or awaiting a manager's approval.
    registered = (
        f"EXISTS(SELECT 1 FROM {registration} r INNER JOIN {booking} b ON b.{q('id')} = r.{q('booking_id')}"  # noqa: S608 — names from our models, values as parameters
        f" WHERE r.{q('event_id')} = %s AND r.{q('recurrence_id')} = %s AND b.{q('user_id')} = %s"
        f" AND ({occupying} OR b.{q('status')} = %s))"
    )
    params = [event.pk, at(recurrence_id), user.pk, *occupying_params, BookingStatus.PENDING_APPROVAL]
    if event.origin or not event.seats_id:
        taken = "NULL"
    else:
        taken = (
            f"(SELECT COALESCE(SUM(b.{q('quantity')}), 0) FROM {booking} b"  # noqa: S608 — as above
            f" WHERE b.{q('resource_id')} = %s AND b.{q('start')} = %s AND {occupying})"
        )
        params += [event.seats_id, at(start), *occupying_params]
    return Read(f"SELECT {registered}, {taken}", params)


def standing_from(read: Read) -> Standing:
    ((found, seats),) = read.rows
    return Standing(registered=bool(found), taken=None if seats is None else int(seats))


@dataclass(frozen=True)
class Waiting:
    #: Someone else waits for a seat of this occurrence.
    others: bool
    #: The key of the person's own open entry (waiting or offered), if any.
    own: int | None


def waitlist_standing(*, user, event: Event, recurrence_id: datetime) -> Waiting:
    """``waitlist_waiting(…).exclude(user=user).exists()`` and ``waitlist_entry_open``'s key, in
    one statement."""
    return waiting_from(waitlist_standing_read(user=user, event=event, recurrence_id=recurrence_id).run())


def waitlist_standing_read(*, user, event: Event, recurrence_id: datetime) -> Read:
    """``waitlist_standing``'s statement, for a caller that sends it with the seats' lock."""
    q = connection.ops.quote_name
    table = q(WaitlistEntry._meta.db_table)
    of_date = f"{q('event_id')} = %s AND {q('recurrence_id')} = %s"
    is_open = ", ".join(["%s"] * len(WAITLIST_OPEN))
    sql = (
        f"SELECT EXISTS(SELECT 1 FROM {table} WHERE {of_date} AND {q('status')} = %s AND {q('user_id')} <> %s),"  # noqa: S608 — names from our models, values as parameters
        f" (SELECT {q('id')} FROM {table} WHERE {of_date} AND {q('user_id')} = %s AND {q('status')} IN ({is_open})"
        f" ORDER BY {q('id')} LIMIT 1)"
    )
    when = connection.ops.adapt_datetimefield_value(recurrence_id)
    params = [event.pk, when, WaitlistStatus.WAITING, user.pk, event.pk, when, user.pk, *WAITLIST_OPEN]
    return Read(sql, params)


def waiting_from(read: Read) -> Waiting:
    ((others, own),) = read.rows
    return Waiting(others=bool(others), own=own)
