"""``core.locking`` at its edges: refused outside a transaction; a lock held too long by another
connection is a 503 ``busy`` with ``Retry-After``, never a 500 (PostgreSQL, with a short limit)."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.models import Booking
from core.locking import lock_objects, lock_one
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
