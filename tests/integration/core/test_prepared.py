"""``core.prepared.prepared_cursor``: PostgreSQL prepares a hot statement after a few uses, in the
caller's transaction, and what Django records of each execution is that statement."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.prepared import prepared_cursor

pytestmark = pytest.mark.django_db

STATEMENT = "SELECT %s::int + 1"
OTHER = "SELECT %s::text || 'x'"


def _prepared_here() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_statement_is_prepared_at_its_fifth_use_and_recorded_as_written():
    with CaptureQueriesContext(connection) as captured:
        for n in range(7):
            with prepared_cursor() as cursor:
                cursor.execute(STATEMENT, [n])
                assert cursor.fetchone() == (n + 1,)
            with prepared_cursor() as cursor:
                cursor.execute(OTHER, [str(n)])
                assert cursor.fetchone() == (f"{n}x",)
    assert any("$1::int + 1" in text for text in _prepared_here())  # psycopg's placeholders
    # Each execution is recorded as itself, prepared or not (psycopg keeps no text of a prepared one).
    assert [query["sql"] for query in captured] == [STATEMENT, OTHER] * 7


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_it_works_in_the_callers_transaction():
    person = get_user_model().objects.create_user("ada", email="ada@example.org")
    table = connection.ops.quote_name(get_user_model()._meta.db_table)
    with pytest.raises(RuntimeError), transaction.atomic():
        for _ in range(6):
            with prepared_cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET first_name = %s WHERE id = %s", ["Ada", person.pk])  # noqa: S608
        raise RuntimeError("rolled back")
    person.refresh_from_db()
    assert person.first_name == ""  # rolled back with the transaction it ran in


def test_elsewhere_it_is_django_s_cursor():
    with prepared_cursor() as cursor:
        cursor.execute("SELECT %s + 1", [1])
        assert cursor.fetchone()[0] == 2
