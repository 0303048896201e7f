"""Publishing a schedule, registering, the waitlist: the services, on the real booking engine."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from bookings.models import BookingStatus
from bookings.services import booking_cancel
from core.errors import Conflict, InvalidInput
from events import selectors, services
from events.models import EventDateChange, EventStatus, WaitlistStatus

pytestmark = pytest.mark.django_db


def first(event):
    return selectors.upcoming(event, now=datetime.now(UTC))[0]


def test_publishing_a_page_writes_its_schedule_and_seats(make_event):
    page, event = make_event(repeat="WEEKLY", repeat_weekdays="TU")
    assert event.live and event.seats.kind == "event_seats" and event.seats.capacity == 3
    assert event.rule.startswith("FREQ=WEEKLY;BYDAY=TU;UNTIL=")  # open rule bounded at the horizon
    occurrences = selectors.upcoming(event, now=datetime.now(UTC), limit=10)
    assert len(occurrences) == 10
    local = [o.start.astimezone(ZoneInfo(event.timezone)) for o in occurrences]
    assert {(moment.hour, moment.minute) for moment in local} == {(18, 30)}
    assert {moment.weekday() for moment in local} == {1}
    assert event.titles == {"fr": "Apéro des entrepreneurs"}


def test_sequence_grows_on_a_visible_change_only(make_event):
    page, event = make_event()
    page.save_revision().publish()
    event.refresh_from_db()
    assert event.sequence == 0
    page.title = "Apéro (nouveau titre)"
    page.save_revision().publish()
    event.refresh_from_db()
    assert event.sequence == 1


def test_register_twice_full_then_waitlist_and_promotion(make_event, make_user, django_capture_on_commit_callbacks):
    page, event = make_event(capacity=1)
    occurrence = first(event)
    alice, bob = make_user(), make_user()
    booking = services.registration_create(user=alice, event=event, recurrence_id=occurrence.recurrence_id)
    assert booking.status == BookingStatus.CONFIRMED
    with pytest.raises(InvalidInput) as error:
        services.registration_create(user=alice, event=event, recurrence_id=occurrence.recurrence_id)
    assert error.value.code == "already_registered"
    with pytest.raises(Conflict) as error:
        services.registration_create(user=bob, event=event, recurrence_id=occurrence.recurrence_id)
    assert error.value.code == "event_full"
    entry = services.waitlist_join(user=bob, event=event, recurrence_id=occurrence.recurrence_id)
    assert selectors.waitlist_position(entry) == 1
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, actor=alice)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED and entry.offer.status == BookingStatus.HELD
    assert any("seat" in m.subject.lower() or "place" in m.subject.lower() for m in mail.outbox)
    accepted = services.waitlist_accept(entry=entry, user=bob)
    assert accepted.status == BookingStatus.CONFIRMED


def test_cancelling_a_date_cancels_its_registrations(make_event, make_user, django_capture_on_commit_callbacks):
    page, event = make_event(repeat="WEEKLY")
    occurrence = first(event)
    person = make_user()
    booking = services.registration_create(user=person, event=event, recurrence_id=occurrence.recurrence_id)

    page.date_changes = [EventDateChange(original_date=page.start_date, cancelled=True)]
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    booking.refresh_from_db()
    event.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert first(event).cancelled
    with pytest.raises(InvalidInput) as error:
        services.registration_create(user=person, event=event, recurrence_id=occurrence.recurrence_id)
    assert error.value.code == "occurrence_cancelled"


def test_moving_a_date_moves_its_registrations(make_event, make_user):
    page, event = make_event(repeat="WEEKLY")
    occurrence = first(event)
    booking = services.registration_create(user=make_user(), event=event, recurrence_id=occurrence.recurrence_id)

    page.date_changes = [EventDateChange(original_date=page.start_date, new_start_time=time(19, 0))]
    page.save_revision().publish()
    booking.refresh_from_db()
    assert booking.start == occurrence.start.astimezone(UTC) + timedelta(minutes=30)


def test_cancelling_the_event_cancels_everything(make_event, make_user):
    page, event = make_event()
    booking = services.registration_create(user=make_user(), event=event, recurrence_id=first(event).recurrence_id)
    page.cancelled, page.cancel_reason = True, "Intervenant malade"
    page.save_revision().publish()
    event.refresh_from_db()
    booking.refresh_from_db()
    assert event.status == EventStatus.CANCELLED and booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "Intervenant malade"


def test_registration_after_the_deadline_is_refused(make_event, make_user):
    page, event = make_event(registration_closes_hours=24 * 30)
    with pytest.raises(InvalidInput) as error:
        services.registration_create(user=make_user(), event=event, recurrence_id=first(event).recurrence_id)
    assert error.value.code == "registration_closed"
