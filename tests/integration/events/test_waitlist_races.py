"""Waitlist races on PostgreSQL, with real threads and connections released by a barrier.

Two registrants cancel at the same moment a newcomer tries to register: the two freed seats go to
the first two people waiting (each offered once), the newcomer is told the date is full, and the
occurrence is never oversold. Skipped on SQLite (threads would share the test's one connection).
"""

from datetime import UTC, datetime

import pytest
from django.db import connection

from bookings.models import Booking, BookingStatus
from bookings.services import booking_cancel
from core.errors import Conflict
from events import selectors, services
from events.models import WaitlistEntry, WaitlistStatus
from tests.integration.payments.test_races import _in_threads

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: threads need their own connections"
    ),
]

ROUNDS = 4


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_freed_seats_go_to_the_first_people_waiting_once_each(make_event, make_user, round_):
    page, event = make_event(capacity=2, slug=f"course-{round_}")
    rid = selectors.upcoming(event, now=datetime.now(UTC))[0].recurrence_id
    alice, bob, newcomer = make_user(), make_user(), make_user()
    waiting = [make_user() for _ in range(3)]
    first = services.registration_create(user=alice, event=event, recurrence_id=rid)
    second = services.registration_create(user=bob, event=event, recurrence_id=rid)
    for person in waiting:
        services.waitlist_join(user=person, event=event, recurrence_id=rid)

    results = _in_threads(
        lambda: booking_cancel(booking=first, actor=alice),
        lambda: booking_cancel(booking=second, actor=bob),
        lambda: services.registration_create(user=newcomer, event=event, recurrence_id=rid),
    )
    assert not isinstance(results[0], Exception) and not isinstance(results[1], Exception), results
    assert isinstance(results[2], Conflict) and results[2].code == "event_full", results[2]

    now = datetime.now(UTC)
    held = Booking.objects.filter(resource=event.seats, status=BookingStatus.HELD, expires_at__gt=now)
    confirmed = Booking.objects.filter(resource=event.seats, status=BookingStatus.CONFIRMED)
    assert held.count() + confirmed.count() == 2
    entries = {e.user_id: e for e in WaitlistEntry.objects.filter(event=event)}
    assert [entries[p.pk].status for p in waiting] == [
        WaitlistStatus.OFFERED,
        WaitlistStatus.OFFERED,
        WaitlistStatus.WAITING,
    ]
    assert sorted(held.values_list("user_id", flat=True)) == sorted(p.pk for p in waiting[:2])
