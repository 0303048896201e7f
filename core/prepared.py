"""A cursor for the hot path's hand-written statements that PostgreSQL parses and plans once.

Django's PostgreSQL backend binds parameters on the client by default (``ClientCursor``): every
statement reaches the server as new text, which it parses and plans again, on every request. For
the few statements written by hand because every booking sends them (the token, the resource,
the occupations, the booking's ``INSERT`` with its riders, the idempotency record), a cursor that
binds on the server lets psycopg prepare each one at its fifth use on a connection
(``prepare_threshold``, set in the settings) and then send only its name and values: PostgreSQL
spent 4 to 5 times less CPU on the token's, the resource's and the occupations' reads once
prepared (about 0.1 ms each instead of 0.4–0.6). psycopg forgets what it prepared at every
rollback (a refused booking): the statements are then bound on the server unprepared, which
costs what client binding does, until they are used often enough again. It is a cursor on the
same connection, so it shares the transaction, Django's error translation and its execute
wrappers (``CaptureQueriesContext``).

Not the global switch (``OPTIONS["server_side_binding"]``): under it Django cannot match a
parametrised ``ORDER BY`` with its ``SELECT DISTINCT`` (the admin's booking list fails), and the
hot path's multi-statement round trips (``core.locking.lock_and_read``) need client binding.
``ESSAIM_PREPARED_STATEMENTS=false`` turns it off, for a pooler in transaction mode that does not
keep prepared statements (PgBouncer before 1.21, or without ``max_prepared_statements``).
"""

import contextlib

from django.conf import settings
from django.db import connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


class _DebugCursor(CursorDebugWrapper):
    """Records the statement as written (``%s`` placeholders): psycopg keeps no text of a prepared
    execution, so Django's ``last_executed_query`` would give the cursor's previous statement."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


@contextlib.contextmanager
def prepared_cursor(using: str = "default"):
    """Django's cursor, binding on the server on PostgreSQL (elsewhere the usual one). Write the
    statement as for ``connection.cursor()`` (``%s`` placeholders); send one statement at a time."""
    connection = connections[using]
    if (
        connection.vendor != "postgresql"
        or connection.features.uses_server_side_binding
        or not settings.ESSAIM_PREPARED_STATEMENTS
    ):
        with connection.cursor() as cursor:
            yield cursor
        return
    from psycopg import Cursor  # noqa: PLC0415 — PostgreSQL only

    # What ``connection.cursor()`` does, with psycopg's server-binding cursor instead of the
    # connection's own: connect (or reconnect) if needed, then Django's wrapper around it.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = Cursor(connection.connection)
    wrapper = _DebugCursor(raw, connection) if connection.queries_logged else connection.make_cursor(raw)
    with wrapper:
        yield wrapper
