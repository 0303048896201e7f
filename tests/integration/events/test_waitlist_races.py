"""Waitlist races on PostgreSQL, with real threads and connections released by a barrier.

Two registrants cancel at the same moment a newcomer tries to register: the two freed seats go to
the first two people waiting (each offered once), the newcomer is told the date is full, and the
occurrence is never oversold. Skipped on SQLite (threads would share the test's one connection).
"""

from datetime import UTC, datetime

import pytest

from bookings.models import OCCUPYING, Booking, BookingStatus
from bookings.services import booking_cancel
from core.errors import Conflict
from events import selectors, services
from events.models import WaitlistEntry, WaitlistStatus
from tests.support.races import POSTGRES_ONLY, at_once

pytestmark = POSTGRES_ONLY

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

    results = at_once(
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


PROMOTION_ROUNDS = 10


def test_a_promotion_racing_a_registration_for_the_last_seat_never_deadlocks_nor_oversells(make_event, make_user):
    """The person first in the queue registers directly at the moment the freed seat is offered
    to them, and a newcomer tries too. Before the global lock order, the promotion locked the
    waitlist entry then the person while the registration locked the person then the entry: a
    deadlock waiting for load. Now both take the person and the seats first."""
    now = datetime.now(UTC)
    rounds = []
    for round_ in range(PROMOTION_ROUNDS):
        page, event = make_event(capacity=1, slug=f"last-seat-{round_}")
        rid = selectors.upcoming(event, now=now)[0].recurrence_id
        waiting, newcomer = make_user(), make_user()
        # The seat is free and someone waits: the state right after a cancellation, before its promotion.
        WaitlistEntry.objects.create(event=event, recurrence_id=rid, user=waiting)
        rounds.append((event, rid, waiting, newcomer))

    for event, rid, waiting, newcomer in rounds:
        results = at_once(
            lambda event=event, rid=rid: services.waitlist_promote(event=event, recurrence_id=rid),
            lambda event=event, rid=rid, waiting=waiting: services.registration_create(
                user=waiting, event=event, recurrence_id=rid
            ),
            lambda event=event, rid=rid, newcomer=newcomer: services.registration_create(
                user=newcomer, event=event, recurrence_id=rid
            ),
        )
        promoted, direct, other = results
        assert not isinstance(promoted, Exception), promoted  # a deadlock would surface here or below
        assert not isinstance(direct, Exception) or getattr(direct, "code", "") == "already_registered", direct
        assert isinstance(other, Conflict) and other.code == "event_full", other
        taken = Booking.objects.filter(resource=event.seats, status__in=OCCUPYING)
        assert list(taken.values_list("user_id", flat=True)) == [waiting.pk], "one seat, to the person waiting"
        entry = WaitlistEntry.objects.get(event=event, user=waiting)
        assert entry.status in (WaitlistStatus.OFFERED, WaitlistStatus.ACCEPTED)
        assert entry.transitions.last().to_status == entry.status, "the change is audited"
