"""A new booking and its first transition, written in one statement on PostgreSQL.

Every booking, registration and peer's hold ends here, in the transaction that holds its locks.
Through the ORM this was three round trips (a ``SELECT`` for a free reference, the booking's
``INSERT``, the transition's) and about a millisecond of CPU building them. Here one ``INSERT``
of the booking feeds the transition's in a data-modifying ``WITH`` (SQLite, which has none, takes
two statements), and a reference someone holds already makes the booking's ``INSERT`` do nothing
(``ON CONFLICT (reference) DO NOTHING``) rather than fail: a new one is drawn and the statement
sent again. Any other constraint (the exclusion constraint of an exclusive resource, a peer's
``uid`` sent twice) still raises ``IntegrityError`` as before. Django's ``pre_save`` and
``post_save`` are sent as ``Model.save`` sends them: the outbox entry and the page cache's
invalidation listen to them.
"""

from __future__ import annotations

from django.db import IntegrityError, connections
from django.db.models.signals import post_save, pre_save

from bookings import models
from bookings.models import Booking, BookingTransition
from core.raw_models import insert_columns, insert_sql

#: Eight hexadecimal digits: a drawn reference is taken with odds of bookings ÷ 2**32.
DRAWS = 5


def booking_insert(booking: Booking, transition: BookingTransition, using: str = "default") -> Booking:
    """Insert ``booking`` under a reference drawn here (again while taken) and ``transition`` of it;
    returns the booking, saved. Raises ``IntegrityError`` when another constraint refuses it."""
    pre_save.send(sender=Booking, instance=booking, raw=False, using=using, update_fields=None)
    transition.booking_id = None  # the booking's key, taken from the INSERT that makes it
    link = connections[using].ops.quote_name("booking_id")
    moved = [(column, value) for column, value in insert_columns(transition, using) if column != link]
    for _draw in range(DRAWS):
        booking.reference = models.new_reference()
        pk = _insert(booking, moved, using)
        if pk is not None:
            break
    else:
        raise IntegrityError(f"no free booking reference in {DRAWS} draws")
    booking.pk = pk
    booking._state.adding = False
    booking._state.db = using
    transition.booking = booking
    post_save.send(sender=Booking, instance=booking, created=True, update_fields=None, raw=False, using=using)
    return booking


def _insert(booking: Booking, moved: list[tuple[str, object]], using: str) -> int | None:
    """The booking's key, or ``None`` when its reference was taken (nothing written); ``moved``:
    the transition's other columns and values."""
    connection = connections[using]
    quote = connection.ops.quote_name
    insert, params = insert_sql(booking, using, on_conflict=f"ON CONFLICT ({quote('reference')}) DO NOTHING")
    # Our tables and columns; every value is a parameter.
    moves, key = quote(BookingTransition._meta.db_table), quote(Booking._meta.pk.column)
    move_into = ", ".join([quote("booking_id"), *(column for column, _value in moved)])
    move_values = ", ".join(["%s"] * len(moved))
    move_params = [value for _column, value in moved]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH b AS ({insert}) INSERT INTO {moves} ({move_into})"  # noqa: S608
                f" SELECT b.{key}, {move_values} FROM b RETURNING {quote('booking_id')}",
                params + move_params,
            )
            row = cursor.fetchone()
            return row[0] if row else None
        cursor.execute(insert, params)
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(
            f"INSERT INTO {moves} ({move_into}) VALUES (%s, {move_values})",  # noqa: S608
            [row[0], *move_params],
        )
        return row[0]
