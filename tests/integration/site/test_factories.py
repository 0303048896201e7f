"""The shared factories make what the services make: published venues of every kind with their
hours and time zone, checked resources of every kind, closures, bookings, event pages and events."""

from datetime import time

import pytest

from bookings.models import BookingStatus, Closure
from core.errors import InvalidInput
from events.models import Event
from tests.support.factories import (
    VENUE_KINDS,
    BookingFactory,
    ClosureFactory,
    EventFactory,
    EventPageFactory,
    ResourceFactory,
    UserFactory,
    VenueFactory,
)
from venues.models import VenuePage, VenueTeam

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", VENUE_KINDS)
def test_a_venue_of_each_kind_is_published_with_hours_a_zone_and_a_team(kind):
    venue = VenueFactory(kind=kind, timezone="Africa/Dakar")
    page = VenuePage.objects.get(pk=venue.pk).specific
    assert page.live and page.kind == kind and page.timezone == "Africa/Dakar"
    assert [(h.weekday, h.opens, h.closes) for h in page.opening_hours.order_by("weekday")] == [
        (day, time(9), time(18)) for day in range(5)
    ]
    assert VenueTeam.objects.filter(translation_key=venue.translation_key).exists()


def test_resources_of_each_kind_and_their_rules_are_checked():
    room = ResourceFactory()
    desk = ResourceFactory(venue=room.venue, desk=True)
    pool = ResourceFactory(venue=room.venue, desk_pool=True)
    seats = ResourceFactory(venue=room.venue, event_seats=True)
    assert [(r.kind, r.capacity) for r in (room, desk, pool, seats)] == [
        ("room", 1),
        ("desk", 1),
        ("desk_pool", 8),
        ("event_seats", 30),
    ]
    with pytest.raises(InvalidInput):
        ResourceFactory(venue=room.venue, capacity=0)


def test_a_closure_shuts_the_venue_that_day():
    closure = ClosureFactory()
    assert Closure.objects.get(pk=closure.pk).last_day == closure.first_day
    with pytest.raises(InvalidInput):
        ClosureFactory(venue=closure.venue, last_day=closure.first_day.replace(year=closure.first_day.year - 1))


def test_a_booking_goes_through_the_rules():
    booking = BookingFactory()
    assert booking.status == BookingStatus.CONFIRMED and booking.user.email.endswith("@example.org")
    held = BookingFactory(resource=ResourceFactory(price_minor=900), hold=True)
    assert held.status == BookingStatus.HELD and held.expires_at
    with pytest.raises(InvalidInput):
        BookingFactory(resource=booking.resource, start=booking.end, end=booking.end)


def test_an_event_page_publishes_its_event():
    page = EventPageFactory(capacity=5)
    event = Event.objects.get(page_id=page.pk, session_key__isnull=True)
    assert page.live and event.capacity == 5 and event.venue_id == page.get_parent().pk
    other = EventFactory(venue=page.get_parent().specific, title="Atelier")
    assert isinstance(other, Event) and other.seats_id and other.pk != event.pk


def test_users_have_a_usable_password():
    user = UserFactory(password="pass-4242")
    assert user.check_password("pass-4242") and user.username.startswith("person")
