"""Races for the last place, on PostgreSQL: the database, not only the Python check, decides.

* 50 clients, each its own person, token and HTTP connection, released at once by a barrier
  against the live server (pytest-django's ``live_server``: a threaded WSGI server, one thread
  per connection, each with its own database connection), for the last free hour of a room:
  exactly one 201, 49 × 409 ``no_room``, one occupying booking in the database. The same for a
  desk pool of 5: exactly five win.
* Service level: with the Python capacity check switched off, the exclusion constraint alone
  refuses the overlap — sequentially, and between two connections that cannot see each other's
  uncommitted row.

Skipped on SQLite: its test database lives in memory and the live server hands every request
thread the test's one connection, so requests cannot run at the same time there; SQLite's
answers under ``IMMEDIATE`` writers are covered by the single-connection tests elsewhere.
"""

import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bookings import services
from bookings.api import bookings as api
from bookings.models import OCCUPYING, Booking, BookingStatus, ResourceKind
from bookings.services import placing
from core.errors import Conflict
from tests.support.races import POSTGRES_ONLY, Request, post_at_once

pytestmark = POSTGRES_ONLY

CLIENTS = 50
PARIS = ZoneInfo("Europe/Paris")


def _next_tuesday() -> datetime:
    """A Tuesday at least two days ahead, local midnight in Paris (the venue's zone)."""
    day = timezone.now().astimezone(PARIS).date() + timedelta(days=2)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=PARIS)


def _at(day: datetime, hour: int) -> datetime:
    return day.replace(hour=hour)


@pytest.fixture
def people(make_user):
    """50 people, each with an API token."""
    users = [make_user(f"racer{n}") for n in range(CLIENTS)]
    return [(user, Token.objects.create(user=user).key) for user in users]


@pytest.fixture
def in_flight(monkeypatch):
    """Counts ``booking_create`` calls running at the same moment in the live server's threads."""
    original = services.booking_create
    lock = threading.Lock()
    state = {"now": 0, "peak": 0, "threads": set()}

    def counting(**kwargs):
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
            state["threads"].add(threading.get_ident())
        try:
            return original(**kwargs)
        finally:
            with lock:
                state["now"] -= 1

    monkeypatch.setattr(api.services, "booking_create", counting)
    return state


def _race(live_server, people, payload: dict) -> list[tuple[int, dict]]:
    """Every person POSTs ``payload`` at once (``tests.support.races.post_at_once``)."""
    answers = post_at_once(live_server, [Request(token, "/api/v1/bookings/", payload) for _user, token in people])
    return [(answer.status, answer.body) for answer in answers]


def _fill_day_but(room, day, free_hour: int, booker) -> None:
    """Book the room's whole day (9:00–18:00) except ``free_hour``."""
    for start, end in ((9, free_hour), (free_hour + 1, 18)):
        services.booking_create(user=booker, request=services.BookingRequest(room, _at(day, start), _at(day, end)))


def test_fifty_clients_one_last_room_slot(live_server, people, make_resource, make_user, in_flight):
    room = make_resource()
    day = _next_tuesday()
    _fill_day_but(room, day, 10, make_user("regular"))
    payload = {"resource": room.pk, "start": _at(day, 10).isoformat(), "end": _at(day, 11).isoformat()}

    started = time.perf_counter()
    results = _race(live_server, people, payload)
    elapsed = time.perf_counter() - started

    statuses = Counter(status for status, _body in results)
    assert statuses == {201: 1, 409: CLIENTS - 1}, results
    assert {body["code"] for status, body in results if status == 409} == {"no_room"}
    winner = next(body for status, body in results if status == 201)
    assert winner["status"] == BookingStatus.CONFIRMED
    taken = Booking.objects.filter(resource=room, status__in=OCCUPYING, start__lt=_at(day, 11), end__gt=_at(day, 10))
    assert taken.count() == 1
    assert taken.get().user.username.startswith("racer")
    assert Booking.objects.filter(resource=room).count() == 3, "losers leave nothing behind"
    # The server really ran the requests side by side.
    assert in_flight["peak"] > 1 and len(in_flight["threads"]) > 1, in_flight
    print(f"\n50 clients for one room slot: {elapsed:.2f} s, up to {in_flight['peak']} bookings in flight")


def test_fifty_clients_desk_pool_of_five(live_server, people, make_resource, in_flight):
    pool = make_resource(name="Plateau", kind=ResourceKind.DESK_POOL, capacity=5)
    day = _next_tuesday()
    payload = {
        "resource": pool.pk,
        "start": _at(day, 10).isoformat(),
        "end": _at(day, 12).isoformat(),
        "quantity": 1,
    }
    results = _race(live_server, people, payload)

    statuses = Counter(status for status, _body in results)
    assert statuses == {201: 5, 409: CLIENTS - 5}, results
    assert {body["code"] for status, body in results if status == 409} == {"no_room"}
    occupying = Booking.objects.filter(resource=pool, status__in=OCCUPYING)
    assert occupying.count() == 5
    assert len(set(occupying.values_list("user_id", flat=True))) == 5
    assert in_flight["peak"] > 1, in_flight


def _insert(room, user, start, end) -> Booking:
    """A confirmed booking written straight to the table: no Python check at all."""
    return Booking.objects.create(
        resource=room,
        user=user,
        start=start,
        end=end,
        blocked_until=end + timedelta(minutes=room.buffer_minutes),
        exclusive=True,
        status=BookingStatus.CONFIRMED,
    )


def test_exclusion_constraint_refuses_an_overlap_the_python_check_let_through(make_resource, make_user, monkeypatch):
    room = make_resource(buffer_minutes=15)
    day = _next_tuesday()
    alice, bob = make_user(), make_user()
    services.booking_create(user=alice, request=services.BookingRequest(room, _at(day, 10), _at(day, 11)))

    monkeypatch.setattr(placing, "check_capacity", lambda *args, **kwargs: None)
    with pytest.raises(Conflict) as error:  # the IntegrityError, turned into a 409 by the service
        services.booking_create(user=bob, request=services.BookingRequest(room, _at(day, 10), _at(day, 11)))
    assert error.value.code == "no_room"
    # The buffer is guarded too: 11:00–11:15 belongs to the first booking.
    with pytest.raises(Conflict):
        services.booking_create(user=bob, request=services.BookingRequest(room, _at(day, 11), _at(day, 12)))
    # Right after the buffer is fine, and so is a booking that no longer occupies.
    services.booking_create(
        user=bob, request=services.BookingRequest(room, _at(day, 11) + timedelta(minutes=30), _at(day, 12))
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        _insert(room, bob, _at(day, 10) + timedelta(minutes=30), _at(day, 11))
    cancelled = _insert(room, bob, _at(day, 14), _at(day, 15))
    cancelled.status = BookingStatus.CANCELLED
    cancelled.save()
    _insert(room, bob, _at(day, 14), _at(day, 15))
    assert Booking.objects.filter(resource=room, status__in=OCCUPYING).count() == 3


def test_exclusion_constraint_between_two_open_transactions(make_resource, make_user):
    """Two connections insert overlapping bookings; the second inserts while the first has not
    committed, so it cannot see that row and no Python check could: the constraint makes it wait
    for the first transaction, then refuses it."""
    room = make_resource()
    day = _next_tuesday()
    first_user, second_user = make_user(), make_user()
    first_inserted, second_inserting = threading.Event(), threading.Event()
    outcome: dict = {}

    def first() -> None:
        try:
            with transaction.atomic():
                _insert(room, first_user, _at(day, 10), _at(day, 11))
                first_inserted.set()
                second_inserting.wait(10)
                time.sleep(0.5)  # the second INSERT is now waiting on this row
            outcome["first"] = "committed"
        finally:
            connections.close_all()

    def second() -> None:
        try:
            first_inserted.wait(10)
            with transaction.atomic():
                outcome["seen"] = Booking.objects.filter(resource=room).count()
                second_inserting.set()
                started = time.perf_counter()
                try:
                    _insert(room, second_user, _at(day, 10) + timedelta(minutes=30), _at(day, 12))
                    outcome["second"] = "inserted"
                except IntegrityError:
                    outcome["second"] = "refused"
                outcome["waited"] = time.perf_counter() - started
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome["seen"] == 0, "the second transaction cannot see the first one's row"
    assert outcome["first"] == "committed" and outcome["second"] == "refused", outcome
    assert outcome["waited"] >= 0.3, "the constraint made the second INSERT wait for the first transaction"
    assert list(Booking.objects.filter(resource=room).values_list("user_id", flat=True)) == [first_user.pk]
