"""Paid events through the payment path: a registration is held until Stripe says it is paid, and
cancelling the event (or the date) refunds every registrant in full and tells them."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core import mail

from bookings.models import BookingStatus, PaymentState, Refund
from bookings.payments import services as payment_services
from events import selectors, services
from events.models import EventDateChange
from tests.integration.payments.stripe_fake import deliver

pytestmark = pytest.mark.django_db

URLS = lambda booking: ("https://essaim.test/ok", "https://essaim.test/ko")  # noqa: E731


def pay(client, fake_stripe, booking, django_capture_on_commit_callbacks):
    payment = payment_services.checkout_start(booking=booking, return_urls=URLS)
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, fake_stripe.pay(payment.session_id))
    assert response.status_code == 200
    booking.refresh_from_db()
    return booking


def test_paid_registration_is_held_then_confirmed_by_the_webhook(
    client, fake_stripe, make_event, make_user, django_capture_on_commit_callbacks
):
    page, event = make_event(price=Decimal("15.00"))
    occurrence = selectors.upcoming(event, now=datetime.now(UTC))[0]
    booking = services.registration_create(user=make_user(), event=event, recurrence_id=occurrence.recurrence_id)
    assert (booking.status, booking.payment_state, booking.amount_minor) == ("held", "pending", 1500)
    assert fake_stripe.sessions == {}  # registering never calls Stripe: following the pay link does
    booking = pay(client, fake_stripe, booking, django_capture_on_commit_callbacks)
    assert booking.status == BookingStatus.CONFIRMED and booking.payment_state == PaymentState.PAID
    assert selectors.seats_for(event, occurrence, now=datetime.now(UTC)).taken == 1


def test_cancelling_a_paid_date_refunds_in_full_and_tells_why(
    client, fake_stripe, make_event, make_user, django_capture_on_commit_callbacks
):
    page, event = make_event(price=Decimal("15.00"), repeat="WEEKLY")
    occurrence = selectors.upcoming(event, now=datetime.now(UTC))[0]
    person = make_user()
    booking = services.registration_create(user=person, event=event, recurrence_id=occurrence.recurrence_id)
    booking = pay(client, fake_stripe, booking, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    page.date_changes = [EventDateChange(original_date=page.start_date, cancelled=True)]
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    refund = Refund.objects.get(payment__booking=booking)
    assert refund.amount_minor == 1500 and refund.kind == "venue"
    assert len(fake_stripe.refund_calls()) == 1
    assert [m.to for m in mail.outbox if booking.reference in m.body] == [[person.email]]


def test_cancelling_the_event_refunds_everyone(
    client, fake_stripe, make_event, make_user, django_capture_on_commit_callbacks
):
    page, event = make_event(price=Decimal("15.00"), capacity=5)
    occurrence = selectors.upcoming(event, now=datetime.now(UTC))[0]
    bookings = []
    for _ in range(3):
        booking = services.registration_create(user=make_user(), event=event, recurrence_id=occurrence.recurrence_id)
        bookings.append(pay(client, fake_stripe, booking, django_capture_on_commit_callbacks))
    page.cancelled, page.cancel_reason = True, "Salle inondée"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    for booking in bookings:
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CANCELLED and booking.cancel_reason == "Salle inondée"
    assert sum(r.amount_minor for r in Refund.objects.filter(payment__booking__in=bookings)) == 4500
    assert len(fake_stripe.refund_calls()) == 3
