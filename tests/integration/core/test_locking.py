"""``core.locking`` at its edges: refused outside a transaction; keys locked in one round trip on
PostgreSQL; a lock held too long by another connection is a 503 ``busy`` with ``Retry-After``,
never a 500 (PostgreSQL, with a short limit)."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.models import Booking, Resource
from core.locking import Read, lock_and_read, lock_objects, lock_one
from tests.support.races import at_once, postgres_only

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lock_objects_refuses_to_run_outside_a_transaction(make_user):
    person = make_user()
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        lock_objects([person])
    with transaction.atomic():
        assert lock_one(person).pk == person.pk


@pytest.mark.django_db
def test_keys_of_several_models_are_locked_in_one_round_trip_on_postgresql(make_resource, make_user):
    room, person, gone = make_resource(), make_user(), make_user()
    gone_pk = gone.pk
    gone.delete()
    gone.pk = gone_pk
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        locked = lock_objects([room, person, gone, None], fetch=False)
    assert locked == {(get_user_model(), person.pk): person.pk, (Resource, room.pk): room.pk}  # the deleted one missing
    if connection.vendor == "postgresql":
        (query,) = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
        assert "lock_timeout" in query
        assert query.index('"auth_user"') < query.index('"bookings_resource"')  # the person first: lock order
        assert query.count("FOR NO KEY UPDATE") == 2


@pytest.mark.django_db
def test_what_is_read_under_a_lock_comes_with_it(make_resource, make_user):
    """``lock_and_read``: the locks, then each read, its rows filled (one round trip on PostgreSQL)."""
    room, person = make_resource(kind="desk_pool", capacity=7), make_user()
    table = connection.ops.quote_name(Resource._meta.db_table)
    capacity = Read(f"SELECT capacity FROM {table} WHERE id = %s", [room.pk])  # noqa: S608
    nothing = Read(f"SELECT id FROM {table} WHERE id = %s", [-1])  # noqa: S608
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        lock_and_read([person, room], [capacity, nothing])
    assert capacity.rows == [(7,)] and nothing.rows == []
    if connection.vendor == "postgresql":
        sent = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
        assert len(sent) == 1 and sent[0].count("FOR NO KEY UPDATE") == 2 and "capacity" in sent[0]


@postgres_only
def test_a_lock_held_beyond_the_limit_is_a_503_busy_with_retry_after(make_resource, make_user, settings):
    settings.ESSAIM_LOCK_TIMEOUT_MS = 200
    room = make_resource(max_per_day=3)  # a per-person limit: the booking locks the person to count it
    person = make_user()
    day = timezone.now().astimezone(PARIS).date() + timedelta(days=2)
    while day.weekday() != 1:
        day += timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 10, tzinfo=PARIS)
    held, done = threading.Event(), threading.Event()

    def hold_the_person() -> None:
        with transaction.atomic():
            lock_one(person)
            held.set()
            done.wait(10)

    def book():
        held.wait(10)
        try:
            client = APIClient()
            client.force_authenticate(person)
            payload = {"resource": room.pk, "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()}
            return client.post("/api/v1/bookings/", payload, format="json", HTTP_IDEMPOTENCY_KEY="busy-1")
        finally:
            done.set()

    holder, response = at_once(hold_the_person, book)
    assert holder is None, holder

    assert response.status_code == 503, response.content
    assert response.json()["code"] == "busy"
    assert int(response["Retry-After"]) > 0
    assert not Booking.objects.filter(resource=room).exists(), "nothing was written"
