"""The one way to lock rows: inside a transaction, in one global order, with a time limit.

In the spirit of pretix's ``lock_objects``. Every write path that protects a rule with a lock
(capacity, no double booking, per-person limits, waitlist order, payment state) calls
``lock_objects`` and checks the rule *after* it returns, on the rows it returns.

- **Only inside a transaction**: a row lock outside one is released at once and protects nothing,
  so calling it outside ``transaction.atomic`` is a programming error.
- **One global order**: rows are locked by the rank of their model in ``LOCK_ORDER`` (a person
  before a resource before a booking before a waitlist entry …), then by primary key. Two
  transactions that both lock a person and a resource therefore take them in the same order and
  cannot deadlock. A service that must find more rows after a first lock (the entries waiting
  for a seat) locks them in a second call, with models of a higher rank only.
- **Rows, not their keys**: ``FOR NO KEY UPDATE``, which excludes every other lock taken here but
  not the key-share lock a foreign key takes, so a locked person can still be referenced by an
  insert elsewhere (their idempotency key, an audit row) without that insert waiting, unbounded,
  for the lock.
- **A time limit** on PostgreSQL (``ESSAIM_LOCK_TIMEOUT_MS``, ``lock_timeout`` for the rest of the
  transaction): a request that waits longer gives up with ``Busy``, a 503 with ``Retry-After``,
  never a 500. SQLite serialises writers by itself (``transaction_mode: IMMEDIATE``), so the
  ``FOR UPDATE`` is a no-op there and the answers are the same.
"""

import contextlib
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import OperationalError, connection, models
from django.utils.translation import gettext_lazy as _

from core import savepoints
from core.errors import Busy
from core.prepared import prepared_cursor

#: Models by lock rank, lowest first. A model missing here cannot be locked: add it where it
#: belongs in the order rather than locking it by hand.
LOCK_ORDER = (
    # A Stripe event is applied in a transaction of its own, which locks it before the booking
    # and the payment it is about; nothing locks an event while holding another row.
    "bookings.StripeEvent",
    "venues.VenuePage",
    # An outside calendar: one import at a time writes its busy blocks (then reads bookings only).
    "calendars.ExternalCalendar",
    # A peer node: its open holds here are capped (``federation.services.holds``), counted under
    # its lock before its person's own limits.
    "federation.Peer",
    settings.AUTH_USER_MODEL,  # the person: their limits and their holds
    "bookings.Resource",
    "events.Event",
    "bookings.Booking",
    "events.WaitlistEntry",
    "bookings.Payment",
    "bookings.Refund",
)
_RANK = {label: rank for rank, label in enumerate(LOCK_ORDER)}


def lock_rank(model: type[models.Model]) -> int:
    try:
        return _RANK[model._meta.label]
    except KeyError:
        raise RuntimeError(f"{model._meta.label} has no place in core.locking.LOCK_ORDER") from None


def _lock_timeout_value() -> str:
    return f"{int(getattr(settings, 'ESSAIM_LOCK_TIMEOUT_MS', 5000))}ms"


def _lock_timeout() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [_lock_timeout_value()])


def _is_lock_timeout(error: OperationalError) -> bool:
    # psycopg raises LockNotAvailable (SQLSTATE 55P03) when lock_timeout runs out.
    return getattr(error.__cause__, "sqlstate", None) == "55P03"


@contextlib.contextmanager
def _busy_when_timed_out():
    """A lock wait past the time limit becomes ``Busy`` (a 503 with ``Retry-After``)."""
    try:
        yield
    except OperationalError as error:
        if _is_lock_timeout(error):
            raise Busy(_("Too many people are doing the same thing right now: try again in a moment.")) from error
        raise


def lock_objects(objects: Iterable[models.Model | None], *, related: Iterable[str] = (), fetch: bool = True) -> dict:
    """Lock the rows of ``objects`` (``None`` entries are skipped) and return them fresh from the
    database, as ``{(model, pk): instance}``; a row deleted meanwhile is missing from the answer.

    ``related`` names ``select_related`` paths, applied to every model that has them (a booking's
    ``resource__venue``), so the caller reads what it needs with the lock, in the same query.
    ``fetch=False`` locks without reading the rows back (``{(model, pk): pk}``): the hot paths that
    lock only to count under the lock need no fresh instance, and a bare key costs far less to build.
    """
    by_model = _by_model(objects)
    if not by_model:
        return {}
    models_in_order = sorted(by_model, key=lock_rank)
    if not fetch and _at_once():
        return _lock_keys_at_once(models_in_order, by_model)
    _lock_timeout()
    locked: dict = {}
    with _busy_when_timed_out():
        for model in models_in_order:
            query = model._default_manager.filter(pk__in=by_model[model]).order_by("pk")
            paths = [path for path in related if _has_path(model, path)]
            if paths:
                query = query.select_related(*paths).select_for_update(of=("self",), no_key=True)
            else:
                query = query.select_for_update(no_key=True)
            if not fetch:
                for pk in query.values_list("pk", flat=True):
                    locked[(model, pk)] = pk
                continue
            for row in query:
                locked[(model, row.pk)] = row
    return locked


@dataclass
class Read:
    """A statement read under locks (``lock_and_read``); ``rows``: its answer, once read."""

    sql: str
    params: list
    rows: list | None = None

    def run(self) -> "Read":
        """Send it on its own (no lock with it); returns it, ``rows`` filled."""
        with prepared_cursor() as cursor:
            cursor.execute(self.sql, self.params)
            self.rows = cursor.fetchall()
        return self


def lock_and_read(objects: Iterable[models.Model | None], reads: list[Read]) -> None:
    """``lock_objects(objects, fetch=False)``, then each of ``reads`` (its ``rows`` filled): on
    PostgreSQL in the same round trip as the locks. For what the hot paths check under a lock
    (the seats taken, the person's standing), where the lock and the read were two round trips."""
    if not _at_once():
        lock_objects(objects, fetch=False)
        for read in reads:
            read.run()
        return
    by_model = _by_model(objects)
    _lock_keys_at_once(sorted(by_model, key=lock_rank), by_model, reads)


def _by_model(objects: Iterable[models.Model | None]) -> dict[type[models.Model], set]:
    if not connection.in_atomic_block:
        raise RuntimeError("lock_objects must run inside transaction.atomic()")
    by_model: dict[type[models.Model], set] = {}
    for obj in objects:
        if obj is not None:
            # ``obj._meta``, not ``type(obj)._meta``: ``request.user`` is a lazy proxy.
            by_model.setdefault(obj._meta.concrete_model, set()).add(obj.pk)
    return by_model


def _at_once() -> bool:
    """Several statements in one ``execute``: PostgreSQL with client-side binding (the default)."""
    return connection.vendor == "postgresql" and not connection.features.uses_server_side_binding


def _lock_keys_at_once(models_in_order: list[type[models.Model]], by_model: dict, reads: list[Read] = ()) -> dict:
    """``lock_objects(fetch=False)`` on PostgreSQL in one round trip: the time limit and every
    model's ``SELECT … FOR NO KEY UPDATE``, in lock order, then ``reads``, sent as one query
    (client-side binding allows several statements in one ``execute``); the hot paths lock this
    way on every request."""
    quote = connection.ops.quote_name
    statements, params = ["SELECT set_config('lock_timeout', %s, true)"], [_lock_timeout_value()]
    for model in models_in_order:
        keys = sorted(by_model[model])
        table, column = quote(model._meta.db_table), quote(model._meta.pk.column)
        placeholders = ", ".join(["%s"] * len(keys))
        # Names are our models' own; the keys are parameters.
        statements.append(
            f"SELECT {column} FROM {table} WHERE {column} IN ({placeholders}) ORDER BY {column} FOR NO KEY UPDATE"  # noqa: S608
        )
        params.extend(keys)
    for read in reads:
        statements.append(read.sql)
        params.extend(read.params)
    locked: dict = {}
    with _busy_when_timed_out(), connection.cursor() as cursor:
        cursor.execute("; ".join(statements), params)
        for model in models_in_order:
            cursor.nextset()
            for (pk,) in cursor.fetchall():
                locked[(model, pk)] = pk
        for read in reads:
            cursor.nextset()
            read.rows = cursor.fetchall()
    return locked


def lock_one(obj: models.Model, *, related: Iterable[str] = ()) -> models.Model | None:
    """``lock_objects`` for one row: the row as it is now, or ``None`` when it was deleted."""
    model = obj._meta.concrete_model
    return lock_objects([obj], related=related).get((model, obj.pk))


#: The steps ``lock_at_the_end`` put off, while a ``locks_at_the_end`` block runs.
_put_off: ContextVar[list[Callable[[], None]] | None] = ContextVar("essaim_locks_put_off", default=None)


@contextlib.contextmanager
def locks_at_the_end():
    """Run the block in a transaction and, at its end, the lock-and-count steps it put off.

    A hot row (a rush on one event date's seats) is held from its lock to the commit, and every
    request for it waits that long; taken at the end, its lock covers only its own count and the
    commit, not the rows, audit entries and answer written before it. Counting after the write is
    right under READ COMMITTED: the lock is granted once the last holder committed, so the count
    sees it. A step that refuses rolls the whole block back. Without this block around it, a step
    runs at once: the callers' answers are the same either way. A refusal is not to be caught
    inside the block and gone on from: the steps its work put off would still run."""
    steps: list[Callable[[], None]] = []
    token = _put_off.set(steps)
    try:
        with savepoints.atomic():
            yield
            _put_off.reset(token)
            token = None
            for step in steps:
                step()
    finally:
        if token is not None:
            _put_off.reset(token)


def lock_at_the_end(step: Callable[[], None]) -> None:
    """``step`` (a lock and what it guards) at the end of the enclosing ``locks_at_the_end``
    block, after the steps put off before it; at once when there is none."""
    steps = _put_off.get()
    if steps is None:
        step()
    else:
        steps.append(step)


def _has_path(model: type[models.Model], path: str) -> bool:
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # this path belongs to another model of the call
            return False
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return True
