"""Property test: any sequence of registrations, cancellations, waitlist joins, leaves, acceptances
and lapsed offers keeps the seats and the queue sound.

Invariants checked after every step (hypothesis' stateful testing, on the real booking engine):
* seats held or confirmed never exceed the capacity;
* nobody is both registered and waiting for the same date;
* while somebody waits, no seat stays free (a freed seat is offered at once);
* first come, first offered: nobody still waiting joined before somebody who got an offer.
"""

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from bookings.models import Booking, BookingStatus
from bookings.services import booking_cancel, hold_expire_all
from core.errors import Conflict, InvalidInput
from events import selectors, services
from events.models import WaitlistEntry, WaitlistStatus

pytestmark = pytest.mark.django_db

PEOPLE = 3


def test_seats_and_queue_stay_sound(make_event, make_user, django_capture_on_commit_callbacks):
    users = [make_user() for _ in range(PEOPLE)]
    person = st.integers(min_value=0, max_value=PEOPLE - 1)

    class Registrations(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.page, self.event = make_event(capacity=1)
            self.rid = selectors.upcoming(self.event, now=datetime.now(UTC))[0].recurrence_id

        def _do(self, action):
            # Refusals are part of the game: the invariants judge the state they leave.
            with django_capture_on_commit_callbacks(execute=True), contextlib.suppress(InvalidInput, Conflict):
                action()

        def _booking(self, index):
            registration = selectors.registration_open(
                user=users[index], event=self.event, recurrence_id=self.rid, now=datetime.now(UTC)
            )
            return registration.booking if registration else None

        def _entry(self, index):
            return selectors.waitlist_entry_open(user=users[index], event=self.event, recurrence_id=self.rid)

        @rule(index=person)
        def register(self, index):
            self._do(lambda: services.registration_create(user=users[index], event=self.event, recurrence_id=self.rid))

        @rule(index=person)
        def cancel(self, index):
            booking = self._booking(index)
            if booking is not None and booking.status == BookingStatus.CONFIRMED:
                self._do(lambda: booking_cancel(booking=booking, actor=users[index]))

        @rule(index=person)
        def join(self, index):
            self._do(lambda: services.waitlist_join(user=users[index], event=self.event, recurrence_id=self.rid))

        @rule(index=person)
        def leave(self, index):
            entry = self._entry(index)
            if entry is not None:
                self._do(lambda: services.waitlist_leave(entry=entry, user=users[index]))

        @rule(index=person)
        def accept(self, index):
            entry = self._entry(index)
            if entry is not None:
                self._do(lambda: services.waitlist_accept(entry=entry, user=users[index]))

        @rule()
        def offers_lapse(self):
            self._do(lambda: hold_expire_all(now=datetime.now(UTC) + timedelta(days=2)))

        @invariant()
        def seats_within_capacity(self):
            now = datetime.now(UTC)
            taken = sum(
                b.quantity
                for b in Booking.objects.filter(resource=self.event.seats)
                if b.status in (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)
                or (b.status == BookingStatus.HELD and b.expires_at > now)
            )
            assert taken <= self.event.capacity
            waiting = WaitlistEntry.objects.filter(event=self.event, status=WaitlistStatus.WAITING)
            if waiting.exists():
                assert taken == self.event.capacity, "a seat is free while people wait"

        @invariant()
        def registered_or_waiting_not_both(self):
            for index in range(PEOPLE):
                entry = self._entry(index)
                if entry is not None and entry.status == WaitlistStatus.WAITING:
                    assert self._booking(index) is None

        @invariant()
        def first_come_first_offered(self):
            entries = WaitlistEntry.objects.filter(event=self.event)
            offered = [e.created_at for e in entries if e.offer_id]
            waiting = [e.created_at for e in entries if e.status == WaitlistStatus.WAITING]
            assert not any(w < o for w in waiting for o in offered), "someone who joined later was offered first"

    run_state_machine_as_test(
        Registrations,
        settings=settings(
            max_examples=20,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
