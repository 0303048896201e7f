"""The payment path on a real Celery worker (Redis when REDIS_URL is set, else Celery's in-memory
transport): the webhook only stores the event; the worker applies it, fetches the receipt, and
sends the refund a cancellation decided."""

from datetime import timedelta

import pytest
from django.test import Client

from bookings import services
from bookings.models import Booking, BookingStatus, Payment, PaymentState, Refund, RefundStatus, StripeEvent
from tests.integration.bookings.test_worker import next_weekday_at
from tests.integration.payments.stripe_fake import deliver, place_and_checkout
from tests.support.worker import wait_for


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_webhook_receipt_and_refund_run_on_a_worker(make_resource, make_user, fake_stripe, worker):  # noqa: F811
    room = make_resource(price_minor=1800, pricing_unit="booking")
    alice = make_user()
    start = next_weekday_at(10)
    booking, payment = place_and_checkout(
        user=alice,
        request=services.BookingRequest(room, start, start + timedelta(hours=1)),
        return_urls=lambda b: ("https://essaim.test/ok", "https://essaim.test/ko"),
    )
    assert deliver(Client(), fake_stripe.pay(payment.session_id)).status_code == 200
    assert wait_for(lambda: Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED)
    assert wait_for(lambda: Payment.objects.get(pk=payment.pk).receipt_url), "no receipt fetched"
    assert StripeEvent.objects.get().outcome == "confirmed"

    services.booking_cancel(booking=booking, actor=alice)
    assert wait_for(lambda: Refund.objects.filter(status=RefundStatus.SUCCEEDED).exists()), "refund not sent"
    assert wait_for(lambda: Booking.objects.get(pk=booking.pk).payment_state == PaymentState.REFUNDED)
