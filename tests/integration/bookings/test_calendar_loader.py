"""``resource_occupations`` is written as one SQL statement (it runs in every booking's transaction);
it must read exactly what the ORM's ``occupying_bookings`` and the busy blocks say, on SQLite and on
PostgreSQL: statuses, holds expiring at ``now``, the buffer's reach, the booking left out. So must
``stale_hold_ids`` (read before every booking of a desk or a room) what its ORM filter says."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import availability as av
from bookings import selectors
from bookings.models import Booking, BookingStatus, BusyBlock, fresh_references

NOW = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)
WINDOW = av.Interval(NOW + timedelta(hours=2), NOW + timedelta(hours=6))

rows = st.lists(
    st.tuples(
        st.integers(0, 40),  # start, in quarter hours from NOW
        st.integers(1, 12),  # length, in quarter hours
        st.integers(1, 3),  # quantity
        st.sampled_from(list(BookingStatus.values)),
        st.integers(-4, 4),  # a hold's expiry, in quarter hours from NOW
    ),
    max_size=12,
)
blocks = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12), st.integers(1, 9)), max_size=4)


def _expected(resource, window, rules, *, excluding=None) -> list[av.Occupation]:
    """The ORM's reading: ``occupying_bookings`` and the busy blocks, one occupation per row."""
    reach = timedelta(minutes=resource.buffer_minutes)
    bookings = selectors.occupying_bookings(resource, window, NOW).exclude(pk=excluding)
    found = [
        av.booking_occupation(start, until, quantity, rules)
        for start, until, quantity in bookings.values_list("start", "blocked_until", "quantity")
    ]
    in_reach = BusyBlock.objects.filter(resource=resource, start__lt=window.end + reach, end__gt=window.start - reach)
    found += [
        av.Occupation(start, end, min(quantity, resource.capacity))
        for start, end, quantity in in_reach.values_list("start", "end", "quantity")
    ]
    return found


def _expected_stale(resource, window) -> set[int]:
    """The ORM's filter for holds run out but not marked, within the buffer's reach."""
    reach = timedelta(minutes=resource.buffer_minutes)
    return set(
        Booking.objects.filter(
            resource=resource,
            status=BookingStatus.HELD,
            expires_at__lte=NOW,
            start__lt=window.end + reach,
            blocked_until__gt=window.start - reach,
        ).values_list("pk", flat=True)
    )


def _spread(occupations) -> Counter:
    """Per span, the units: the statement sums bookings of one span into one occupation."""
    units = Counter()
    for occupation in occupations:
        units[(occupation.start, occupation.end)] += occupation.quantity
    return units


@pytest.fixture
def pool(make_resource, make_user):
    every_day = [(day, "00:00", "23:59") for day in range(7)]
    resource = make_resource(
        name="Open space", kind="desk_pool", capacity=5, buffer_minutes=15, opening_hours=every_day
    )
    return {"resource": resource, "user": make_user()}


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bookings=rows, busy=blocks, leave_out=st.integers(0, 12))
def test_the_statement_reads_what_the_orm_reads(pool, bookings, busy, leave_out):
    resource, user = pool["resource"], pool["user"]
    quarter = timedelta(minutes=15)
    rules = selectors.resource_rules(resource)
    with transaction.atomic():
        made = Booking.objects.bulk_create(
            Booking(
                reference=reference,
                resource=resource,
                user=user,
                start=NOW + start * quarter,
                end=NOW + (start + length) * quarter,
                blocked_until=NOW + (start + length) * quarter,
                quantity=quantity,
                exclusive=False,
                status=status,
                expires_at=NOW + expiry * quarter if status == BookingStatus.HELD else None,
                currency="EUR",
            )
            for reference, (start, length, quantity, status, expiry) in zip(
                fresh_references(len(bookings)), bookings, strict=True
            )
        )
        BusyBlock.objects.bulk_create(
            BusyBlock(resource=resource, start=NOW + start * quarter, end=NOW + (start + length) * quarter, quantity=q)
            for start, length, q in busy
        )
        excluding = made[leave_out].pk if leave_out < len(made) else None
        read = selectors.resource_occupations(resource, WINDOW, NOW, rules, excluding=excluding)
        assert _spread(read) == _spread(_expected(resource, WINDOW, rules, excluding=excluding))
        assert set(selectors.stale_hold_ids(resource, WINDOW, NOW)) == _expected_stale(resource, WINDOW)
        both, stale = selectors.occupations_and_stale_holds(resource, WINDOW, NOW, rules)
        assert _spread(both) == _spread(_expected(resource, WINDOW, rules, excluding=None))
        assert set(stale) == _expected_stale(resource, WINDOW)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_rooms_buffer_shields_both_sides(make_resource, make_user):
    room = make_resource(name="Room", kind="room", buffer_minutes=30)
    rules = selectors.resource_rules(room)
    start = NOW + timedelta(hours=7)  # past the window's end, within the buffer's reach of it
    Booking.objects.create(
        reference=fresh_references(1)[0],
        resource=room,
        user=make_user(),
        start=start,
        end=start + timedelta(hours=1),
        blocked_until=start + timedelta(hours=1, minutes=30),
        exclusive=True,
        status=BookingStatus.CONFIRMED,
        currency="EUR",
    )
    window = av.Interval(NOW + timedelta(hours=6), NOW + timedelta(hours=6, minutes=45))
    assert selectors.resource_occupations(room, window, NOW, rules) == [
        av.Occupation(start - timedelta(minutes=30), start + timedelta(hours=1, minutes=30), 1)
    ]


@pytest.mark.django_db
def test_stale_holds_at_their_edges(make_resource, make_user):
    """A hold that ran out exactly now is stale; one running out a second later is not; a stale
    hold is in the way within the buffer's reach of the window, not at its edge."""
    room = make_resource(name="Room", kind="room", buffer_minutes=30)
    person, second, hour = make_user(), timedelta(seconds=1), timedelta(hours=1)
    window = av.Interval(NOW + 2 * hour, NOW + 4 * hour)

    def hold(start, end, expires_at):
        return Booking.objects.create(
            reference=fresh_references(1)[0],
            resource=room,
            user=person,
            start=NOW + start,
            end=NOW + end,
            blocked_until=NOW + end + hour / 2,
            exclusive=True,
            status=BookingStatus.HELD,
            expires_at=expires_at,
            currency="EUR",
        ).pk

    hold(0 * hour, 1 * hour, NOW - second)  # its buffer ends where the window's reach begins
    ran_out_now = hold(2 * hour, 2.5 * hour, NOW)
    hold(3 * hour, 3.5 * hour, NOW + second)  # not yet
    within_reach = hold(4.5 * hour - second, 5 * hour, NOW - second)
    assert set(selectors.stale_hold_ids(room, window, NOW)) == {ran_out_now, within_reach}
    assert _expected_stale(room, window) == {ran_out_now, within_reach}
    assert set(selectors.occupations_and_stale_holds(room, window, NOW, selectors.resource_rules(room))[1]) == {
        ran_out_now,
        within_reach,
    }
