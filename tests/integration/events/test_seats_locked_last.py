"""Registering through the API locks the event's seats last (``core.locking.locks_at_the_end``).

A rush on one date waits on that row's lock only: the seats are locked after every row the
request writes (PostgreSQL, where the lock is a statement to find). The rules read under that lock
still hold: the people waiting come first, and the person's own entry is accepted. A date already
full is refused before anything is written.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking
from events import services
from events.models import Registration, WaitlistEntry, WaitlistStatus
from tests.integration.events.test_api import api_for, assert_error, dates, key, register
from tests.support.races import postgres_only

pytestmark = pytest.mark.django_db


@postgres_only
def test_the_registration_api_locks_the_seats_after_every_row_it_writes(make_event, make_user):
    page, event = make_event(capacity=5)
    api = api_for(make_user("early-bird"))
    register(api, event)  # warmed: content types, locales, the calendar cache
    api = api_for(make_user("rusher"))
    path = f"/api/v1/events/{event.pk}/registrations/"
    with CaptureQueriesContext(connection) as queries:
        response = api.post(path, {"occurrence": key(event)}, format="json", HTTP_IDEMPOTENCY_KEY="rush-1")
    assert response.status_code == 201, response.content
    statements = [query["sql"].strip() for query in queries.captured_queries]
    seats_lock = next(
        index
        for index, sql in enumerate(statements)
        if '"bookings_resource"' in sql and "FOR NO KEY UPDATE" in sql and str(event.seats_id) in sql
    )
    until_commit = statements[seats_lock + 1 : statements.index("COMMIT", seats_lock)]
    # The count and the waitlist's "others first" come with the lock; the answer kept for
    # retries was written before it (``core.idempotency.answer_now``): the commit comes next.
    assert until_commit == [], until_commit
    assert "SUM(" in statements[seats_lock] and '"events_waitlistentry"' in statements[seats_lock]
    answer = next(i for i, sql in enumerate(statements) if sql.startswith('UPDATE "bookings_idempotencyrecord"'))
    assert answer < seats_lock
    assert Registration.objects.filter(event=event).count() == 2
    again = api.post(path, {"occurrence": key(event)}, format="json", HTTP_IDEMPOTENCY_KEY="rush-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == response.json()


def test_a_refusal_under_the_seats_lock_replaces_the_answer_written_before_it(make_event, make_user):
    """The answer recorded before the lock is rolled back with the work when the lock's checks
    refuse; the refusal is what the key replays."""
    page, event = make_event(capacity=2)
    occurrence = dates(event)[0].recurrence_id
    services.registration_create(user=make_user("holder"), event=event, recurrence_id=occurrence)
    WaitlistEntry.objects.create(event=event, recurrence_id=occurrence, user=make_user("waiting"))
    api, path = api_for(make_user("late")), f"/api/v1/events/{event.pk}/registrations/"
    first = api.post(path, {"occurrence": key(event)}, format="json", HTTP_IDEMPOTENCY_KEY="late-1")
    assert_error(first, 409, "event_full")
    again = api.post(path, {"occurrence": key(event)}, format="json", HTTP_IDEMPOTENCY_KEY="late-1")
    assert again.status_code == 409 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Registration.objects.filter(event=event).count() == 1


def test_people_waiting_come_first_and_a_refusal_leaves_nothing(make_event, make_user):
    page, event = make_event(capacity=2)
    occurrence = dates(event)[0].recurrence_id
    services.registration_create(user=make_user("holder"), event=event, recurrence_id=occurrence)
    # A seat is free, but someone queued before it was (their offer not made yet): they come first.
    WaitlistEntry.objects.create(event=event, recurrence_id=occurrence, user=make_user("waiting"))
    late = make_user("late")
    body = assert_error(register(api_for(late), event), 409, "event_full")
    assert body["waitlist"].endswith(f"/events/{event.pk}/waitlist/")
    assert not Booking.objects.filter(user=late).exists()
    assert not Registration.objects.filter(booking__user=late).exists()


def test_the_persons_own_entry_is_accepted_when_they_register(make_event, make_user):
    page, event = make_event(capacity=2)
    occurrence = dates(event)[0].recurrence_id
    person = make_user("was-waiting")
    entry = WaitlistEntry.objects.create(event=event, recurrence_id=occurrence, user=person)
    assert register(api_for(person), event).status_code == 201
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.ACCEPTED


def test_a_date_already_full_is_refused_before_anything_is_written(make_event, make_user):
    page, event = make_event(capacity=1)
    assert register(api_for(make_user("first")), event).status_code == 201
    late = api_for(make_user("late"))
    with CaptureQueriesContext(connection) as queries:
        body = assert_error(register(late, event), 409, "event_full")
    assert body["remaining"] == 0 and body["waitlist"].endswith(f"/events/{event.pk}/waitlist/")
    writes = [query["sql"] for query in queries.captured_queries if query["sql"].lstrip().upper().startswith("INSERT")]
    assert not [sql for sql in writes if "bookings_booking" in sql], writes
