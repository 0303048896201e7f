"""Payment races on PostgreSQL, with real threads and connections released by a barrier.

* A payment lands (signed webhook) for a hold that just lapsed, while someone else books the same
  hour: whichever wins, the hour is held or booked once, and a payment that lost is refunded.
* Stripe delivers the same event to several workers at once: it is stored and applied once.

Skipped on SQLite (the in-memory test database shares one connection between threads).
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bookings import services
from bookings.models import OCCUPYING, Booking, BookingStatus, BookingTransition, PaymentState, Refund, StripeEvent
from core.errors import Conflict
from tests.integration.payments.stripe_fake import deliver, place_and_checkout
from tests.support.races import POSTGRES_ONLY, at_once

pytestmark = POSTGRES_ONLY

ROUNDS = 12


def _monday_9(weeks_ahead: int):
    today = timezone.localdate()
    monday = today + timedelta(days=(7 - today.weekday()) + 7 * weeks_ahead)
    return timezone.make_aware(timezone.datetime(monday.year, monday.month, monday.day, 9, 0))


@pytest.mark.parametrize("kind", ["room", "desk_pool"])
def test_a_late_payment_and_a_new_booking_never_both_get_the_hour(make_resource, make_user, fake_stripe, kind):
    """For a room the exclusion constraint decides; for a pool of one desk, the resource's row lock,
    taken by both sides in the same order (no deadlock)."""
    room = make_resource(price_minor=1500, pricing_unit="booking", kind=kind)
    alice, bob = make_user("alice"), make_user("bob")
    urls = lambda booking: ("https://essaim.test/ok", "https://essaim.test/ko")  # noqa: E731
    outcomes = []
    for round_ in range(ROUNDS):
        start = _monday_9(round_ // 5) + timedelta(days=round_ % 5)
        request = services.BookingRequest(room, start, start + timedelta(hours=1))
        held, payment = place_and_checkout(user=alice, request=request, return_urls=urls)
        Booking.objects.filter(pk=held.pk).update(expires_at=timezone.now() - timedelta(seconds=1))  # just lapsed
        event = fake_stripe.pay(payment.session_id)
        webhook, rival = at_once(
            lambda event=event: deliver(Client(), event).status_code,
            lambda request=request: place_and_checkout(user=bob, request=request, return_urls=urls)[0],
        )
        assert webhook == 200, webhook
        assert not isinstance(rival, Exception) or isinstance(rival, Conflict), rival  # a 409, never a deadlock
        occupying = Booking.objects.filter(resource=room, start=start, status__in=OCCUPYING)
        assert occupying.count() == 1, f"round {round_}: {list(occupying.values('user__username', 'status'))}"
        held.refresh_from_db()
        if held.status == BookingStatus.CONFIRMED:
            assert isinstance(rival, Conflict) and held.payment_state == PaymentState.PAID
            outcomes.append("payment won")
        else:
            assert isinstance(rival, Booking) and rival.status == BookingStatus.HELD
            assert held.status == BookingStatus.EXPIRED and held.payment_state == PaymentState.REFUNDED
            assert Refund.objects.filter(payment=payment, amount_minor=1500).count() == 1
            outcomes.append("booking won")
        Booking.objects.filter(resource=room, start=start, user=bob).update(status=BookingStatus.CANCELLED)
    print(f"late payment vs new booking ({kind}):", {o: outcomes.count(o) for o in set(outcomes)})


def test_one_event_delivered_to_eight_workers_at_once_is_applied_once(make_resource, make_user, fake_stripe):
    room = make_resource(price_minor=1500, pricing_unit="booking")
    alice = make_user("alice")
    start = _monday_9(1)
    booking, payment = place_and_checkout(
        user=alice,
        request=services.BookingRequest(room, start, start + timedelta(hours=1)),
        return_urls=lambda b: ("https://essaim.test/ok", "https://essaim.test/ko"),
    )
    event = fake_stripe.pay(payment.session_id)
    answers = at_once(*[lambda: deliver(Client(), event).status_code for _ in range(8)])
    assert answers == [200] * 8
    assert StripeEvent.objects.count() == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert BookingTransition.objects.filter(booking=booking, to_status=BookingStatus.CONFIRMED).count() == 1
