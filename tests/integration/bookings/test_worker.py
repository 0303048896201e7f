"""Booking work through a real Celery worker: the e-mail queued on commit and the periodic expiry
run on a worker thread, over Redis when REDIS_URL is set and Celery's in-memory transport otherwise."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from bookings.tasks import hold_expire_all_task
from tests.support.factories import BookingFactory
from tests.support.worker import wait_for


def next_weekday_at(hour):
    """A UTC instant on the next weekday at least two days ahead, ``hour`` o'clock in Paris (±1 h)."""
    day = timezone.now() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_confirmation_mail_and_hold_expiry_run_on_a_worker(make_resource, make_user, worker):
    room = make_resource(price_minor=1000)
    alice = make_user()
    start = next_weekday_at(10)
    booking = BookingFactory(user=alice, resource=room, start=start, end=start + timedelta(hours=1))
    assert wait_for(lambda: len(mail.outbox) == 1), "the worker did not send the confirmation"
    assert alice.email in mail.outbox[0].to

    hold = BookingFactory(
        user=alice, resource=room, start=start + timedelta(hours=2), end=start + timedelta(hours=3), hold=True
    )
    Booking.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    result = hold_expire_all_task.delay()
    assert wait_for(lambda: Booking.objects.get(pk=hold.pk).status == BookingStatus.EXPIRED)
    assert result.id
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
