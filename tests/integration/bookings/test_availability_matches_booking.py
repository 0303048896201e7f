"""What availability shows, booking accepts: random slots taken from the availability selector
are booked through the service, which must accept each one (nothing else happened in between)
and never let the resource be overbooked."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import availability as av
from bookings import selectors, services
from bookings.models import Booking

NOW = datetime(2026, 3, 23, 6, 0, tzinfo=UTC)  # Monday; the week crosses the 29 March DST change
WINDOW = av.Interval(NOW, NOW + timedelta(days=7))


@pytest.fixture
def resources(make_resource, make_user):
    every_day = [(day, "08:00", "20:00") for day in range(7)]
    room = make_resource(name="Room", kind="room", buffer_minutes=15, max_minutes=240, opening_hours=every_day)
    pool = make_resource(room.venue, name="Open space", kind="desk_pool", capacity=4, max_minutes=600)
    return {"room": room, "pool": pool, "users": [make_user() for _ in range(3)]}


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["room", "pool"]),
    picks=st.lists(
        st.tuples(st.integers(0, 999), st.integers(0, 999), st.integers(1, 8), st.integers(0, 2)), max_size=6
    ),
)
def test_every_shown_slot_can_be_booked(resources, kind, picks):
    resource = resources[kind]
    rules = selectors.resource_rules(resource)
    with transaction.atomic():
        for pick, offset, length, who in picks:
            free = selectors.resource_availability(resource=resource, window=WINDOW, now=NOW)
            slots = av.slot_starts(free, rules, selectors.resource_timezone(resource))
            if not slots:
                break  # fully booked: nothing shown, nothing to try
            first = slots[pick % len(slots)]
            run = [first]
            for slot in slots[slots.index(first) + 1 :]:
                if slot.start != run[-1].end or len(run) >= length:
                    break
                run.append(slot)
            quantity = 1 + offset % min(slot.remaining for slot in run)
            services.booking_create(
                user=resources["users"][who],
                request=services.BookingRequest(resource, run[0].start, run[-1].end, quantity),
                now=NOW,
            )
        bookings = list(Booking.objects.filter(resource=resource).values_list("start", "blocked_until", "quantity"))
        occupations = [av.booking_occupation(s, u, q, rules) for s, u, q in bookings]
        for start, _until, _quantity in bookings:
            assert (
                av.remaining_over(av.Interval(start, start + timedelta(minutes=30)), occupations, rules.capacity) >= 0
            )
        transaction.set_rollback(True)
