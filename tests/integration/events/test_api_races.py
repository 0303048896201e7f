"""Races for the last seats of a date, on PostgreSQL, through the API against the live server.

* 30 people, each with their own token and HTTP connection, released at once by a barrier, for
  the last 3 seats of one occurrence: exactly three 201s, 27 × 409 ``event_full`` (with the
  waitlist's URL), and the occurrence never oversold.
* One person sends the same registration 8 times at once (different ``Idempotency-Key``\\s, as
  a double-clicking client would): exactly one registration, the others 400 ``already_registered``.

Skipped on SQLite: its in-memory test database gives the live server's request threads the
test's one connection, so requests cannot run at the same time there.
"""

import threading
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from rest_framework.authtoken.models import Token

from bookings.models import OCCUPYING, Booking
from events import selectors, services
from events.api import registrations as api
from events.models import Registration, occurrence_key
from tests.support.races import POSTGRES_ONLY, Request, post_at_once

pytestmark = POSTGRES_ONLY

CLIENTS = 30
CAPACITY = 8
TAKEN = 5


@pytest.fixture
def in_flight(monkeypatch):
    """Counts registrations running at the same moment in the live server's threads."""
    original = services.registration_create
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def counting(**kwargs):
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        try:
            return original(**kwargs)
        finally:
            with lock:
                state["now"] -= 1

    monkeypatch.setattr(api.services, "registration_create", counting)
    return state


def _race(live_server, tokens: list[str], path: str, payload: dict) -> list[tuple[int, dict]]:
    """Every token POSTs ``payload`` to ``path`` at once (``tests.support.races.post_at_once``)."""
    answers = post_at_once(live_server, [Request(token, path, payload) for token in tokens])
    return [(answer.status, answer.body) for answer in answers]


def test_thirty_people_for_the_last_three_seats(live_server, make_event, make_user, in_flight):
    page, event = make_event(repeat="WEEKLY", capacity=CAPACITY)
    occurrence = selectors.upcoming(event, now=datetime.now(UTC))[1]
    for _n in range(TAKEN):
        services.registration_create(user=make_user(), event=event, recurrence_id=occurrence.recurrence_id)
    tokens = [Token.objects.create(user=make_user(f"racer{n}")).key for n in range(CLIENTS)]
    path = f"/api/v1/events/{event.pk}/registrations/"

    started = time.perf_counter()
    results = _race(live_server, tokens, path, {"occurrence": occurrence_key(occurrence.recurrence_id)})
    elapsed = time.perf_counter() - started

    left = CAPACITY - TAKEN
    statuses = Counter(status for status, _body in results)
    assert statuses == {201: left, 409: CLIENTS - left}, results
    refusals = [body for status, body in results if status == 409]
    assert {body["code"] for body in refusals} == {"event_full"}
    assert all(
        body["remaining"] == 0 and body["waitlist"].endswith(f"/events/{event.pk}/waitlist/") for body in refusals
    )
    occupying = Booking.objects.filter(resource=event.seats, status__in=OCCUPYING, start=occurrence.start)
    assert sum(occupying.values_list("quantity", flat=True)) == CAPACITY, "never oversold"
    assert occupying.filter(user__username__startswith="racer").count() == left
    assert Registration.objects.filter(event=event).count() == CAPACITY, "losers leave nothing behind"
    assert in_flight["peak"] > 1, in_flight  # the server really ran them side by side
    print(
        f"\n{CLIENTS} people for the last {left} seats: {elapsed:.2f} s, "
        f"{statuses[201]} registered, {statuses[409]} × 409, up to {in_flight['peak']} in flight"
    )


def test_one_person_racing_themselves_registers_once(live_server, make_event, make_user, in_flight):
    page, event = make_event(capacity=20)
    occurrence = selectors.upcoming(event, now=datetime.now(UTC))[0]
    person = make_user("double-clicker")
    token = Token.objects.create(user=person).key
    path = f"/api/v1/events/{event.pk}/registrations/"

    results = _race(live_server, [token] * 8, path, {"occurrence": occurrence_key(occurrence.recurrence_id)})

    statuses = Counter(status for status, _body in results)
    assert statuses == {201: 1, 400: 7}, results
    assert {body["code"] for status, body in results if status == 400} == {"already_registered"}
    assert Registration.objects.filter(event=event, booking__user=person).count() == 1
    assert Booking.objects.filter(user=person, status__in=OCCUPYING).count() == 1
    assert in_flight["peak"] > 1, in_flight
    print(f"\none person × 8 at once: {dict(statuses)}, up to {in_flight['peak']} in flight")
