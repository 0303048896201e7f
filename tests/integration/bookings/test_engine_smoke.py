"""The engine end to end through its services: book, conflict, hold, cancel, audit trail."""

from datetime import UTC, datetime

import pytest

from bookings import services
from bookings.models import BookingStatus
from core.errors import Conflict, InvalidInput

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris
PARIS_9 = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # Tuesday 9:00 Paris
PARIS_10 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_book_then_second_gets_conflict(make_resource, make_user):
    room = make_resource()
    alice, bob = make_user(), make_user()
    booking = services.booking_create(user=alice, request=services.BookingRequest(room, PARIS_9, PARIS_10), now=NOW)
    assert booking.status == BookingStatus.CONFIRMED
    assert list(booking.transitions.values_list("to_status", flat=True)) == ["confirmed"]
    with pytest.raises(Conflict) as error:
        services.booking_create(user=bob, request=services.BookingRequest(room, PARIS_9, PARIS_10), now=NOW)
    assert error.value.code == "no_room"


@pytest.mark.django_db
def test_rule_violations_name_the_rule(make_resource, make_user):
    room = make_resource(max_minutes=120)
    alice = make_user()
    early = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 7:00 Paris
    with pytest.raises(InvalidInput) as error:
        services.booking_create(user=alice, request=services.BookingRequest(room, early, PARIS_9), now=NOW)
    assert error.value.code == "outside_opening_hours"
    with pytest.raises(InvalidInput) as error:
        services.booking_create(
            user=alice, request=services.BookingRequest(room, PARIS_9, datetime(2026, 3, 3, 12, tzinfo=UTC)), now=NOW
        )
    assert error.value.code == "too_long"


@pytest.mark.django_db
def test_expired_hold_frees_the_slot_without_a_worker(make_resource, make_user, settings):
    room = make_resource(price_minor=1500)
    alice, bob = make_user(), make_user()
    hold = services.booking_create(
        user=alice, request=services.BookingRequest(room, PARIS_9, PARIS_10), hold=True, now=NOW
    )
    assert hold.status == BookingStatus.HELD
    again = services.booking_create(
        user=alice, request=services.BookingRequest(room, PARIS_9, PARIS_10), hold=True, now=NOW.replace(minute=10)
    )
    assert again.pk == hold.pk and again.expires_at == hold.expires_at
    later = NOW.replace(hour=8)
    booking = services.booking_create(user=bob, request=services.BookingRequest(room, PARIS_9, PARIS_10), now=later)
    assert booking.status == BookingStatus.CONFIRMED
    hold.refresh_from_db()
    assert hold.status == BookingStatus.EXPIRED
