"""A busy time imported over a booking never cancels it: the conflict is recorded once per
(calendar, booking, outside event) and the venue's managers get one e-mail about it, each in
their own language; later imports that see it again write nothing more and send nothing."""

from datetime import timedelta

import pytest
from django.core import mail

from accounts.services.profiles import profile_update
from bookings.models import Booking, BookingStatus
from bookings.services import booking_cancel
from calendars import services
from calendars.models import CalendarConflict
from tests.support.calendar_server import ics, vevent
from tests.support.factories import BookingFactory
from venues.services import venue_manager_assign

pytestmark = pytest.mark.django_db

PATH = "/calendar/ical/salle/private-c0nfl1ct/basic.ics"


@pytest.fixture
def room(make_resource):
    return make_resource(name="Salle Garonne")


@pytest.fixture
def managers(room, make_user):
    alice = make_user(email="alice@example.org")
    bob = make_user(email="bob@example.org")
    profile_update(alice, language="en")
    for user in (alice, bob):
        venue_manager_assign(venue=room.venue, user=user)
    return alice, bob


def fetch(calendar, capture):
    with capture(execute=True):
        return services.calendar_fetch(calendar)


def test_an_overlapping_busy_time_is_flagged_once_to_each_manager_in_their_language(
    calendar_server, attach, room, managers, django_capture_on_commit_callbacks
):
    booking = BookingFactory(resource=room)
    mail.outbox.clear()
    first = booking.start + timedelta(minutes=30)
    series = vevent("meeting@example.org", first, extra="RRULE:FREQ=WEEKLY;COUNT=2\r\n")
    calendar_server.publish(PATH, ics(series))
    calendar = attach(PATH, resource=room, name="Planning Garonne")

    assert fetch(calendar, django_capture_on_commit_callbacks).created == 2
    conflict = CalendarConflict.objects.get()
    assert conflict.booking_id == booking.pk and conflict.block_uid.startswith("meeting@example.org/")
    assert conflict.notified_at is not None
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED  # never cancelled
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == ["alice@example.org", "bob@example.org"]
    english, french = by_address["alice@example.org"], by_address["bob@example.org"]
    assert "Outside calendar overlaps 1 booking at" in english.subject
    assert "Calendrier extérieur" in french.subject
    for message in (english, french):
        assert booking.reference in message.body and "Planning Garonne" in message.body
        assert "c0nfl1ct" not in message.body + message.subject

    # The same busy time, then moved but still over the booking: nothing new, no new e-mail.
    mail.outbox.clear()
    calendar_server.publish(PATH, ics(series, vevent("other@x", booking.end + timedelta(days=2))))
    fetch(calendar, django_capture_on_commit_callbacks)
    moved = vevent(
        "meeting@example.org",
        booking.start + timedelta(minutes=15),
        extra=f"RECURRENCE-ID:{first:%Y%m%dT%H%M%SZ}\r\n",
    )
    calendar_server.publish(PATH, ics(series, moved))
    assert fetch(calendar, django_capture_on_commit_callbacks).updated == 1
    assert CalendarConflict.objects.count() == 1
    assert mail.outbox == []


def test_a_hold_is_flagged_and_a_cancelled_booking_is_not(
    calendar_server, attach, room, make_resource, managers, django_capture_on_commit_callbacks
):
    priced = make_resource(venue=room.venue, name="Salle payante", price_minor=1000)
    held = BookingFactory(resource=priced, hold=True)
    gone = BookingFactory(resource=room, start=held.start, end=held.end)
    booking_cancel(booking=gone, actor=gone.user)
    mail.outbox.clear()
    calendar_server.publish(PATH, ics(vevent("day@example.org", held.start - timedelta(hours=1), hours=8)))
    calendar = attach(PATH, venue=room.venue)
    fetch(calendar, django_capture_on_commit_callbacks)
    assert list(CalendarConflict.objects.values_list("booking_id", flat=True)) == [held.pk]
    assert len(mail.outbox) == 2


def test_a_venue_wide_calendar_flags_the_booking_of_any_of_its_resources(
    calendar_server, attach, room, make_resource, managers, django_capture_on_commit_callbacks
):
    other = make_resource(venue=room.venue, name="Bureau 2")
    booking = BookingFactory(resource=other)
    mail.outbox.clear()
    calendar_server.publish(PATH, ics(vevent("all@example.org", booking.start)))
    calendar = attach(PATH, venue=room.venue)
    fetch(calendar, django_capture_on_commit_callbacks)
    assert CalendarConflict.objects.get().booking_id == booking.pk
    assert "Bureau 2" in mail.outbox[0].body


def test_a_busy_time_elsewhere_flags_nothing(
    calendar_server, attach, room, managers, django_capture_on_commit_callbacks
):
    booking = BookingFactory(resource=room)
    mail.outbox.clear()
    calendar_server.publish(PATH, ics(vevent("later@example.org", booking.end)))  # starts as it ends
    fetch(attach(PATH, resource=room), django_capture_on_commit_callbacks)
    assert not CalendarConflict.objects.exists()
    assert mail.outbox == []
