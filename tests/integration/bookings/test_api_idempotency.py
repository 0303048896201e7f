"""``Idempotency-Key`` on ``POST /api/v1/bookings/`` and cancel: a retry replays the first answer
and writes nothing; a reused key, a running duplicate and a crashed first attempt each behave as
Stripe's do; and on PostgreSQL, simultaneous duplicates still make one booking."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from bookings import inventory, services
from bookings.models import Booking, BookingTransition
from core import idempotency
from core.models import IdempotencyRecord
from core.services import auth_token_issue
from tests.integration.support import build_site_tree, create_venue, rolled_back

BOOKINGS = "/api/v1/bookings/"
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris
SLOT = {"start": "2026-03-03T09:00:00+01:00", "end": "2026-03-03T10:00:00+01:00"}


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {auth_token_issue(user=user).key}")
    return client


def counts():
    return Booking.objects.count(), BookingTransition.objects.count()


@pytest.fixture(scope="module")
def venue(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        tree = build_site_tree()
        yield create_venue(
            tree, title="La Ruche", slug="la-ruche", opening_hours=[(day, "09:00", "18:00") for day in range(5)]
        )


@pytest.fixture
def room(venue, db, time_machine):
    time_machine.move_to(NOW, tick=False)
    return inventory.resource_create(venue=venue, name="Salle", kind="room", capacity=1, price_minor=900)


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def api(alice):
    return api_for(alice)


def post(api, room, key, **fields):
    return api.post(BOOKINGS, {"resource": room.pk, **SLOT, **fields}, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_a_retry_replays_the_first_answer_and_books_once(api, room):
    first = post(api, room, "4c1e1f4e-booking-1")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    again = post(api, room, "4c1e1f4e-booking-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert counts() == (1, 1)
    assert IdempotencyRecord.objects.get().status_code == 201


@pytest.mark.django_db
def test_the_same_key_for_another_request_is_refused(api, room):
    assert post(api, room, "key-1").status_code == 201
    other = post(api, room, "key-1", end="2026-03-03T11:00:00+01:00")
    assert other.status_code == 400
    assert other.json()["code"] == "idempotency_key_reused"
    assert "Idempotent-Replayed" not in other
    assert counts() == (1, 1)


@pytest.mark.django_db
def test_keys_belong_to_one_person(api, room, make_user):
    assert post(api, room, "shared-key").status_code == 201
    bob = post(api_for(make_user("bob")), room, "shared-key")
    assert bob.status_code == 409 and bob.json()["code"] == "no_room"  # his own request, not alice's answer
    assert "Idempotent-Replayed" not in bob


@pytest.mark.django_db
def test_refusals_are_replayed_too(api, room, make_user, alice):
    bob = make_user("bob")
    bobs = post(api_for(bob), room, "bob-1")
    assert bobs.status_code == 201
    refused = post(api, room, "alice-1")
    assert refused.status_code == 409 and refused.json()["code"] == "no_room"
    services.booking_cancel(booking=Booking.objects.get(pk=bobs.json()["id"]), actor=bob)
    replayed = post(api, room, "alice-1")
    assert replayed.status_code == 409 and replayed["Idempotent-Replayed"] == "true"
    assert replayed.json() == refused.json()
    assert not Booking.objects.filter(user=alice).exists()
    assert post(api, room, "alice-2").status_code == 201  # a new key is a new attempt
    bad = post(api, room, "alice-3", start="whenever")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_datetime"
    assert post(api, room, "alice-3", start="whenever").json() == bad.json()


@pytest.mark.django_db
def test_a_duplicate_while_the_first_still_runs_is_a_409(api, room, monkeypatch):
    """The first request, while booking, sees its own duplicate arrive."""
    real_create = services.booking_create
    seen = {}

    def create_during_duplicate(**kwargs):
        seen["duplicate"] = post(api, room, "slow-key")
        return real_create(**kwargs)

    monkeypatch.setattr(services, "booking_create", create_during_duplicate)
    first = post(api, room, "slow-key")
    assert first.status_code == 201
    assert seen["duplicate"].status_code == 409
    assert seen["duplicate"].json()["code"] == "idempotency_in_progress"
    assert counts() == (1, 1)
    monkeypatch.setattr(services, "booking_create", real_create)
    assert post(api, room, "slow-key").json() == first.json()


@pytest.mark.django_db
def test_an_unexpected_failure_releases_the_key(api, room, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "booking_create", broken)
    api.raise_request_exception = False
    failed = post(api, room, "retry-me")
    assert failed.status_code == 500
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.undo()
    retried = post(api, room, "retry-me")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    assert counts() == (1, 1)


@pytest.mark.django_db
def test_keys_expire_after_a_day_and_can_be_purged(api, room, time_machine):
    assert post(api, room, "old-key").status_code == 201
    time_machine.move_to(NOW + timedelta(hours=25), tick=False)
    fresh = post(api, room, "fresh-key", start="2026-03-04T09:00:00+01:00", end="2026-03-04T10:00:00+01:00")
    assert fresh.status_code == 201
    later = post(api, room, "old-key", start="2026-03-05T09:00:00+01:00", end="2026-03-05T10:00:00+01:00")
    assert later.status_code == 201, "a key older than a day is a new key"
    IdempotencyRecord.objects.filter(key="fresh-key").update(created_at=NOW)
    assert idempotency.idempotency_purge(older_than=NOW + timedelta(hours=1)) == 1
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {"old-key"}


@pytest.mark.django_db
def test_an_abandoned_reservation_is_taken_over(api, room, alice, time_machine):
    """A worker killed mid-request leaves a reservation without an answer; after a while the key works."""
    first = post(api, room, "orphan")
    IdempotencyRecord.objects.filter(key="orphan").update(status_code=None, body=None)
    Booking.objects.all().delete()  # what a rolled-back request leaves behind: nothing
    assert post(api, room, "orphan").json()["code"] == "idempotency_in_progress"
    time_machine.move_to(NOW + timedelta(minutes=10), tick=False)
    retried = post(api, room, "orphan")
    assert retried.status_code == 201, retried.content
    assert first.status_code == 201 and Booking.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "clé-accentuée"])
def test_malformed_keys_are_400s(api, room, key):
    response = post(api, room, key)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert counts() == (0, 0) and not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_without_a_key_nothing_is_recorded(api, room):
    assert post_without_key(api, room).status_code == 201
    assert post_without_key(api, room).status_code == 409
    assert not IdempotencyRecord.objects.exists()


def post_without_key(api, room):
    return api.post(BOOKINGS, {"resource": room.pk, **SLOT}, format="json")


@pytest.mark.django_db
def test_cancel_twice_with_one_key(api, room):
    booking_id = post(api, room, "book").json()["id"]
    url = f"{BOOKINGS}{booking_id}/cancel/"
    first = api.post(url, {"reason": "ill"}, format="json", HTTP_IDEMPOTENCY_KEY="cancel-1")
    assert first.status_code == 200 and first.json()["status"] == "cancelled"
    again = api.post(url, {"reason": "ill"}, format="json", HTTP_IDEMPOTENCY_KEY="cancel-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert list(BookingTransition.objects.values_list("to_status", flat=True)) == ["confirmed", "cancelled"]
    assert api.post(url, {"reason": "ill"}, format="json").json()["code"] == "not_cancellable"


@pytest.mark.django_db
def test_the_same_key_on_another_path_is_another_request(api, room):
    booking_id = post(api, room, "one-key").json()["id"]
    response = api.post(f"{BOOKINGS}{booking_id}/cancel/", {}, format="json", HTTP_IDEMPOTENCY_KEY="one-key")
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_reused"


def test_fingerprints_tell_requests_apart():
    a = idempotency.request_fingerprint(method="POST", path="/x/", body=b'{"a":1}')
    assert a == idempotency.request_fingerprint(method="post", path="/x/", body=b'{"a":1}')
    assert a != idempotency.request_fingerprint(method="POST", path="/x/", body=b'{"a":2}')
    assert idempotency.request_fingerprint(method="POST", path="/x/a", body=b"b") != idempotency.request_fingerprint(
        method="POST", path="/x/", body=b"ab"
    )


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason="needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_duplicates_make_one_booking(make_resource, make_user):
    """Eight clients send the same keyed request at once: one booking; the others get its answer
    replayed or are told it is still running."""
    room = make_resource(name="Salle", kind="room", capacity=1, horizon_days=365)
    token = auth_token_issue(user=make_user("alice")).key
    start = (datetime.now(UTC) + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    while start.weekday() > 4:
        start += timedelta(days=1)
    payload = {"resource": room.pk, "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()}
    barrier = threading.Barrier(8)
    answers = []

    def client():
        try:
            api = APIClient()
            api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            barrier.wait()
            response = api.post(BOOKINGS, payload, format="json", HTTP_IDEMPOTENCY_KEY="same-for-all")
            answers.append((response.status_code, response.json().get("code"), response.get("Idempotent-Replayed")))
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Booking.objects.count() == 1
    assert len(answers) == 8
    assert answers.count((201, None, None)) == 1, answers  # the one that ran
    replayed, running = (201, None, "true"), (409, "idempotency_in_progress", None)
    assert all(answer in (replayed, running) for answer in answers if answer != (201, None, None)), answers
