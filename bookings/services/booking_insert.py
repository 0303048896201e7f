"""A new booking, its first transition and the rows that ride along, written in one statement on
PostgreSQL.

Every booking, registration and peer's hold ends here, in the transaction that holds its locks.
Through the ORM this was a round trip per row (a ``SELECT`` for a free reference, the booking's
``INSERT``, the transition's, the registration's, the outbox entry's) and about a millisecond of
CPU building them. Here one ``INSERT`` of the booking feeds the others in a data-modifying
``WITH`` (SQLite, which has none, takes a statement each), and a reference someone holds already
makes the booking's ``INSERT`` do nothing (``ON CONFLICT (reference) DO NOTHING``), and so every
other part of the statement: a new one is drawn and the statement sent again. Any other
constraint (the exclusion constraint of an exclusive resource, a peer's ``uid`` sent twice)
still raises ``IntegrityError`` as before. Django's ``pre_save`` and ``post_save`` are sent as
``Model.save`` sends them: the page cache's invalidation listens to them.

Riders are rows that refer to the new booking: the caller's (``row_rider``: a registration) and
the companions apps above this one register (``register_companion``: the federation's outbox
entry, written with the booking rather than by its ``post_save`` receiver).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, connections, models
from django.db.models.signals import post_save, pre_save

from bookings import models as booking_models
from bookings.models import Booking, BookingTransition
from core.prepared import prepared_cursor
from core.raw_models import insert_columns, insert_sql

#: Eight hexadecimal digits: a drawn reference is taken with odds of bookings ÷ 2**32.
DRAWS = 5


@dataclass
class Rider:
    """A statement written with the booking: ``sql`` is an ``INSERT … SELECT … FROM b … RETURNING …``
    where ``b`` is the new booking (one column, ``id``), so it writes nothing when the booking's
    ``INSERT`` did not. ``written(booking, rows)`` runs once the booking is saved, with what the
    statement returned (a dict per row, by column name)."""

    sql: str
    params: list
    written: Callable[[Booking, list[dict]], None]


#: Apps above this one that write with every new booking: ``(booking) -> Rider | None``, called
#: with the booking (its reference drawn) for each statement sent.
_companions: list[Callable[[Booking], Rider | None]] = []


def register_companion(make: Callable[[Booking], Rider | None]) -> None:
    if make not in _companions:
        _companions.append(make)


def row_rider(instance: models.Model, link: str = "booking", using: str = "default") -> Rider:
    """``instance`` inserted with the booking, its ``link`` field set to it; its ``pre_save`` is sent
    now and its ``post_save`` once written, as ``save()`` sends them."""
    model = type(instance)
    pre_save.send(sender=model, instance=instance, raw=False, using=using, update_fields=None)
    connection = connections[using]
    quote = connection.ops.quote_name
    column = quote(model._meta.get_field(link).column)
    columns = [(name, value) for name, value in insert_columns(instance, using) if name != column]
    names = ", ".join([column, *(name for name, _value in columns)])
    values = ", ".join(["b.id", *(["%s"] * len(columns))])
    key = quote(model._meta.pk.column)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) SELECT {values} FROM b RETURNING {key} AS id"  # noqa: S608 — our model's table and columns; every value a parameter

    def written(booking: Booking, rows: list[dict]) -> None:
        setattr(instance, link, booking)
        instance.pk = rows[0]["id"]
        instance._state.adding = False
        instance._state.db = using
        post_save.send(sender=model, instance=instance, created=True, update_fields=None, raw=False, using=using)

    return Rider(sql=sql, params=[value for _name, value in columns], written=written)


def booking_insert(
    booking: Booking, transition: BookingTransition, riders: list[Rider] = (), using: str = "default"
) -> Booking:
    """Insert ``booking`` under a reference drawn here (again while taken), ``transition`` of it and
    ``riders``; returns the booking, saved. Raises ``IntegrityError`` when another constraint
    refuses it."""
    pre_save.send(sender=Booking, instance=booking, raw=False, using=using, update_fields=None)
    transition.booking_id = None  # the booking's key, taken from the INSERT that makes it
    link = connections[using].ops.quote_name("booking_id")
    moved = [(column, value) for column, value in insert_columns(transition, using) if column != link]
    for _draw in range(DRAWS):
        booking.reference = booking_models.new_reference()
        every = [*riders, *(rider for make in _companions if (rider := make(booking)) is not None)]
        written = _insert(booking, moved, every, using)
        if written is not None:
            break
    else:
        raise IntegrityError(f"no free booking reference in {DRAWS} draws")
    pk, returned = written
    booking.pk = pk
    booking._state.adding = False
    booking._state.db = using
    transition.booking = booking
    for rider, rows in zip(every, returned, strict=True):
        rider.written(booking, rows)
    post_save.send(sender=Booking, instance=booking, created=True, update_fields=None, raw=False, using=using)
    return booking


def _insert(
    booking: Booking, moved: list[tuple[str, object]], riders: list[Rider], using: str
) -> tuple[int, list[list[dict]]] | None:
    """The booking's key and each rider's rows, or ``None`` when its reference was taken (nothing
    written); ``moved``: the transition's other columns and values."""
    connection = connections[using]
    quote = connection.ops.quote_name
    insert, params = insert_sql(booking, using, on_conflict=f"ON CONFLICT ({quote('reference')}) DO NOTHING")
    # Our tables and columns; every value is a parameter.
    moves = quote(BookingTransition._meta.db_table)
    move_into = ", ".join([quote("booking_id"), *(column for column, _value in moved)])
    move_values = ", ".join(["%s"] * len(moved))
    move_params = [value for _column, value in moved]
    with prepared_cursor(using) as cursor:
        if connection.vendor == "postgresql":
            parts = [f"b AS ({insert})"]  # RETURNING "id": the column riders read as ``b.id``
            parts.append(f"t AS (INSERT INTO {moves} ({move_into}) SELECT b.id, {move_values} FROM b)")  # noqa: S608
            parts += [f"r{index} AS ({rider.sql})" for index, rider in enumerate(riders)]
            returned = "".join(
                f", (SELECT COALESCE(json_agg(r{index}), '[]') FROM r{index})"  # noqa: S608 — our own names
                for index in range(len(riders))
            )
            cursor.execute(
                f"WITH {', '.join(parts)} SELECT b.id{returned} FROM b",  # noqa: S608
                params + move_params + [value for rider in riders for value in rider.params],
            )
            row = cursor.fetchone()
            return (row[0], list(row[1:])) if row else None
        cursor.execute(insert, params)
        row = cursor.fetchone()
        if row is None:
            return None
        pk = row[0]
        cursor.execute(f"INSERT INTO {moves} ({move_into}) VALUES (%s, {move_values})", [pk, *move_params])  # noqa: S608
        returned = []
        for rider in riders:
            cursor.execute(f"WITH b(id) AS (SELECT %s) {rider.sql}", [pk, *rider.params])
            names = [column[0] for column in cursor.description]
            returned.append([dict(zip(names, values, strict=True)) for values in cursor.fetchall()])
        return pk, returned
