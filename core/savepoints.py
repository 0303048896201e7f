"""Nested transactions without a savepoint, where a refusal ends the whole transaction anyway.

A nested ``transaction.atomic()`` is a savepoint: two more round trips (``SAVEPOINT``, ``RELEASE``)
that let a caller catch the inner block's failure and go on. An API request under an
``Idempotency-Key`` never goes on: whatever its service raises rolls its whole transaction back,
and the refusal is recorded afterwards, on its own (``core.idempotency``). Inside
``refusals_end_the_transaction()``, the hot services' blocks (``atomic()``) therefore open none;
everywhere else, and for whoever catches a refusal inside its transaction (a waitlist offer that
stops at the first full date), they are savepoints as before.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from django.db import transaction

_refusal_ends_it: ContextVar[bool] = ContextVar("essaim_refusal_ends_transaction", default=False)


@contextlib.contextmanager
def refusals_end_the_transaction():
    """Around the body of a transaction that is rolled back whole on any exception from inside."""
    token = _refusal_ends_it.set(True)
    try:
        yield
    finally:
        _refusal_ends_it.reset(token)


def atomic():
    """``transaction.atomic()``, without a savepoint when nested inside
    ``refusals_end_the_transaction()`` (an exception then marks the enclosing transaction for
    rollback, which the block around it does anyway)."""
    return transaction.atomic(savepoint=not _refusal_ends_it.get())
