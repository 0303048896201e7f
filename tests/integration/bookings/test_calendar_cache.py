"""A resource's hours and closures come from the cache (``calendar_loader._hours_and_closures``);
every way a manager changes them is seen by the very next booking, on SQLite with the local
cache and on PostgreSQL with Redis."""

from datetime import UTC, date, datetime, time

import pytest

from bookings import availability as av
from bookings import inventory, selectors, services
from bookings.models import ResourceHours
from core.errors import InvalidInput
from venues.models import OpeningHours

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris

pytestmark = pytest.mark.django_db

#: Invalidations happen when a change commits (``core.page_cache.bump``): these tests let it commit.
COMMITS = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def paris(day: int, hour: int) -> datetime:
    """A time in Paris in March 2026 (UTC+1 before the 29th)."""
    return datetime(2026, 3, day, hour - 1, tzinfo=UTC)


def book(user, resource, start, end):
    return services.booking_create(user=user, request=services.BookingRequest(resource, start, end, 1), now=NOW)


def refused(user, resource, start, end) -> str:
    with pytest.raises(InvalidInput) as error:
        book(user, resource, start, end)
    return error.value.code


def test_a_second_read_runs_no_hours_or_closures_query(make_resource, django_assert_max_num_queries):
    room = make_resource()
    selectors.resource_calendar(room, av.Interval(paris(3, 9), paris(3, 10)), NOW, with_occupations=False)
    with django_assert_max_num_queries(0):
        selectors.resource_calendar(room, av.Interval(paris(4, 9), paris(4, 10)), NOW, with_occupations=False)


@COMMITS
def test_a_new_closure_is_seen_at_once(make_resource, make_user):
    room, alice = make_resource(), make_user()
    book(alice, room, paris(3, 9), paris(3, 10))  # the calendar is cached now
    inventory.closure_create(venue=room.venue, first_day=date(2026, 3, 4), reason="Inventaire")
    assert refused(alice, room, paris(4, 9), paris(4, 10)) == "closed"
    inventory.closure_create(venue=room.venue, resource=room, first_day=date(2026, 3, 5), reason="Peinture")
    assert refused(alice, room, paris(5, 9), paris(5, 10)) == "closed"


@COMMITS
def test_a_closure_removed_is_seen_at_once(make_resource, make_user):
    room, alice = make_resource(), make_user()
    closure = inventory.closure_create(venue=room.venue, first_day=date(2026, 3, 4), reason="Inventaire")
    assert refused(alice, room, paris(4, 9), paris(4, 10)) == "closed"
    closure.delete()
    assert book(alice, room, paris(4, 9), paris(4, 10))


@COMMITS
def test_the_resources_own_hours_are_seen_at_once(make_resource, make_user):
    room, alice = make_resource(), make_user()  # the venue opens 9:00–18:00 on weekdays
    book(alice, room, paris(3, 9), paris(3, 10))
    ResourceHours.objects.create(resource=room, weekday=2, opens=time(14), closes=time(18))  # Wednesdays
    assert refused(alice, room, paris(4, 9), paris(4, 10)) == "outside_opening_hours"
    assert book(alice, room, paris(4, 14), paris(4, 15))


@COMMITS
def test_the_venues_published_hours_are_seen_at_once(make_resource, make_user):
    room, alice = make_resource(), make_user()
    book(alice, room, paris(3, 9), paris(3, 10))
    venue = room.venue.specific
    venue.opening_hours = [OpeningHours(weekday=day, opens=time(13), closes=time(18)) for day in range(5)]
    venue.save_revision().publish()
    assert refused(alice, room, paris(4, 9), paris(4, 10)) == "outside_opening_hours"
    assert book(alice, room, paris(4, 13), paris(4, 14))
