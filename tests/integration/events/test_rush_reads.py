"""``events.selectors.rush`` (a registration's reads, written as SQL) says what the ORM's
``registered``, ``seats_for``, ``waitlist_entry_open`` and "others waiting" say."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus, fresh_references
from events import selectors
from events.models import Registration, WaitlistEntry, WaitlistStatus
from events.selectors import rush
from events.services.common import registrable

pytestmark = pytest.mark.django_db

#: ``(status, minutes until a hold lapses)``: every way a booking can stand or not.
STATUSES = [
    (BookingStatus.CONFIRMED, None),
    (BookingStatus.CHECKED_IN, None),
    (BookingStatus.HELD, 10),
    (BookingStatus.HELD, -1),
    (BookingStatus.HELD, 0),
    (BookingStatus.PENDING_APPROVAL, None),
    (BookingStatus.CANCELLED, None),
    (BookingStatus.EXPIRED, None),
    (BookingStatus.NO_SHOW, None),
]


def _register(event, occurrence, user, status, lapse, now, *, quantity=1, recurrence_id=None):
    start = occurrence.start.astimezone(UTC)
    booking = Booking.objects.create(
        reference=fresh_references(1)[0],
        resource=event.seats,
        user=user,
        start=start,
        end=occurrence.end.astimezone(UTC),
        blocked_until=occurrence.end.astimezone(UTC),
        quantity=quantity,
        status=status,
        expires_at=now + timedelta(minutes=lapse) if lapse is not None else None,
        currency="EUR",
    )
    Registration.objects.create(booking=booking, event=event, recurrence_id=recurrence_id or start)


@pytest.mark.parametrize(("status", "lapse"), STATUSES)
def test_registered_and_seats_taken_match_the_orm(make_event, make_user, status, lapse):
    _page, event = make_event(capacity=20)
    now = timezone.now().replace(microsecond=0)
    occurrence = registrable(event, event.start, now)
    me, other = make_user("me"), make_user("other")
    _register(event, occurrence, me, status, lapse, now, quantity=2)
    _register(event, occurrence, other, BookingStatus.CONFIRMED, None, now, quantity=3)
    recurrence_id = occurrence.start.astimezone(UTC)
    for person in (me, other, make_user("nobody")):
        read = rush.registration_standing(
            user=person, event=event, recurrence_id=recurrence_id, start=recurrence_id, now=now
        )
        assert read.registered == selectors.registered(user=person, event=event, recurrence_id=recurrence_id, now=now)
        assert read.taken == selectors.seats_for(event, occurrence, now=now).taken


@pytest.mark.parametrize("mine", [None, *WaitlistStatus.values])
@pytest.mark.parametrize("theirs", [None, *WaitlistStatus.values])
def test_the_waitlist_read_matches_the_orm(make_event, make_user, mine, theirs):
    _page, event = make_event(capacity=1)
    me, other = make_user("me"), make_user("other")
    for person, status in ((me, mine), (other, theirs)):
        if status is not None:
            WaitlistEntry.objects.create(event=event, recurrence_id=event.start, user=person, status=status)
    read = rush.waitlist_standing(user=me, event=event, recurrence_id=event.start)
    assert read.others == selectors.waitlist_waiting(event, event.start).exclude(user=me).exists()
    own = selectors.waitlist_entry_open(user=me, event=event, recurrence_id=event.start)
    assert read.own == (own.pk if own else None)
