"""Paying for a booking through Stripe Checkout, end to end over HTTP: the API opens a session,
Stripe's signed webhook confirms the booking, cancelling refunds it under the policy."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from bookings import payment_services, services
from bookings.api import parse_instant
from bookings.models import (
    OCCUPYING,
    Booking,
    BookingStatus,
    Payment,
    PaymentState,
    PaymentStatus,
    Refund,
    RefundKind,
    RefundStatus,
    StripeEvent,
)
from sites.services import auth_token_issue
from tests.integration.payments.stripe_fake import deliver

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris
TUESDAY_9 = "2026-03-03T09:00:00+01:00"
TUESDAY_10 = "2026-03-03T10:00:00+01:00"


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def room(make_resource):
    return make_resource(price_minor=1250, pricing_unit="booking", free_cancel_hours=24, late_refund_percent=50)


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {auth_token_issue(user=user).key}")
    return client


def book(client, room, start=TUESDAY_9, end=TUESDAY_10, key="k1"):
    return client.post(
        "/api/v1/bookings/",
        {"resource": room.pk, "start": start, "end": end},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_checkout_webhook_confirm_cancel_refund(client, alice, room, fake_stripe, django_capture_on_commit_callbacks):
    api = api_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = book(api, room)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "held" and body["payment_state"] == "pending"
    assert body["payment_url"].startswith("https://checkout.stripe.com/c/pay/cs_test_")

    # The session Stripe was asked for: one line at the booking's price, the booking in metadata.
    [(_method, _url, key, form)] = fake_stripe.created_sessions()
    booking = Booking.objects.get()
    assert key == f"essaim-checkout-{booking.reference}-1-202603020700"
    assert form["mode"] == "payment" and form["line_items[0][price_data][unit_amount]"] == "1250"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["metadata[booking]"] == str(booking.pk) and form["metadata[reference]"] == booking.reference
    back = reverse("bookings:payment-return", kwargs={"reference": booking.reference})
    assert form["success_url"] == f"http://testserver{back}?session_id={{CHECKOUT_SESSION_ID}}"
    assert int(form["expires_at"]) - int(NOW.timestamp()) >= 30 * 60  # Stripe's minimum
    # The hold lasts as long as the session.
    assert int(booking.expires_at.timestamp()) == int(form["expires_at"])

    payment = Payment.objects.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = deliver(client, fake_stripe.pay(payment.session_id))
    assert answer.status_code == 200
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.payment_state == PaymentState.PAID
    assert payment.status == PaymentStatus.PAID and payment.payment_intent_id.startswith("pi_test_")
    assert payment.receipt_url.startswith("https://pay.stripe.com/receipts/")
    assert [m.subject for m in mail.outbox] and "confirmée" in mail.outbox[0].subject.lower()

    detail = api.get(f"/api/v1/bookings/{booking.pk}/").json()
    assert detail["amount_paid"] == "12.50" and detail["receipt_url"] == payment.receipt_url
    assert detail["cancellation"]["free"] is True and detail["cancellation"]["refund"] == "12.50"

    # Cancelling within the free window refunds it all, through the Refund API, once.
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = api.post(f"/api/v1/bookings/{booking.pk}/cancel/", {}, format="json", HTTP_IDEMPOTENCY_KEY="c1")
    assert cancelled.status_code == 200, cancelled.content
    [refund] = Refund.objects.all()
    [(_m, _u, refund_key, refund_form)] = fake_stripe.refund_calls()
    assert refund_key == f"essaim-refund-{refund.pk}"
    assert refund_form["amount"] == "1250" and refund_form["payment_intent"] == payment.payment_intent_id
    assert refund.status == RefundStatus.SUCCEEDED and refund.kind == RefundKind.POLICY
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.payment_state == PaymentState.REFUNDED

    # Stripe then reports the refund on the charge: nothing new to record.
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, fake_stripe.event("charge.refunded", fake_stripe.charge_of(payment.session_id)))
    assert Refund.objects.count() == 1


def test_a_late_cancellation_refunds_the_policy_share(alice, room, fake_stripe, django_capture_on_commit_callbacks):
    booking, payment = _paid_booking(alice, room, fake_stripe, django_capture_on_commit_callbacks)
    late = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # 13 hours before: the 24-hour window is over
    terms = services.cancellation_terms(booking, late)
    assert terms["code"] == "late" and terms["refund_minor"] == 625
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=alice, now=late)
    [refund] = Refund.objects.all()
    assert refund.amount_minor == 625 and refund.status == RefundStatus.SUCCEEDED
    booking.refresh_from_db()
    assert booking.payment_state == PaymentState.PARTIALLY_REFUNDED


def test_late_cancellation_without_share_refunds_nothing(alice, room, fake_stripe, django_capture_on_commit_callbacks):
    room.late_refund_percent = 0
    room.save()
    booking, _payment = _paid_booking(alice, room, fake_stripe, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=alice, now=datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
    assert not Refund.objects.exists() and not fake_stripe.refund_calls()


def _paid_booking(user, room, fake_stripe, capture, start=TUESDAY_9, end=TUESDAY_10):
    with capture(execute=True):
        booking, payment = payment_services.booking_place(
            user=user,
            request=services.BookingRequest(room, parse_instant(start), parse_instant(end)),
            return_urls=lambda b: ("https://essaim.test/ok", "https://essaim.test/ko"),
        )
    with capture(execute=True):
        assert deliver(Client(), fake_stripe.pay(payment.session_id)).status_code == 200
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    return booking, payment


def test_priced_booking_without_keys_is_to_pay_at_the_venue(alice, room, settings):
    settings.STRIPE_SECRET_KEY = ""
    response = book(api_for(alice), room)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "confirmed" and body["payment_state"] == "due_at_venue" and body["payment_url"] is None
    assert not Payment.objects.exists()


def test_a_venue_that_takes_payment_at_the_door_skips_stripe(alice, room, fake_stripe):
    room.pay_at_venue = True
    room.save()
    body = book(api_for(alice), room).json()
    assert body["status"] == "confirmed" and body["payment_state"] == "due_at_venue"
    assert not fake_stripe.calls


def test_free_resources_skip_payment(alice, make_resource, fake_stripe):
    free = make_resource(name="Salle libre")
    body = book(api_for(alice), free).json()
    assert body["status"] == "confirmed" and body["payment_state"] == "none"
    assert not fake_stripe.calls


@pytest.mark.parametrize("outage", [503, "connection"])
@pytest.mark.parametrize("key", ["down", None])
def test_stripe_down_at_checkout_answers_503_and_leaves_nothing_held(alice, room, fake_stripe, outage, key):
    fake_stripe.down = outage
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    payload = {"resource": room.pk, "start": TUESDAY_9, "end": TUESDAY_10}
    response = api_for(alice).post("/api/v1/bookings/", payload, format="json", **headers)
    assert response.status_code == 503
    assert response.json()["code"] == "payment_unavailable"
    # With a key the whole request rolled back; without one the hold was released: either way the slot is free.
    assert not Booking.objects.filter(status__in=OCCUPYING).exists()
    assert not Payment.objects.exists()
    fake_stripe.down = None
    retry = api_for(alice).post("/api/v1/bookings/", payload, format="json", **headers)  # a key runs afresh
    assert retry.status_code == 201 and retry.json()["status"] == "held"


def test_returning_before_the_webhook_confirms_from_stripe(client, alice, room, fake_stripe):
    client.force_login(alice)
    response = client.post(
        reverse("bookings:resource", kwargs={"pk": room.pk}),
        {"day": "2026-03-03", "start": TUESDAY_9, "end": TUESDAY_10, "quantity": 1},
    )
    assert response.status_code == 302 and response["Location"].startswith("https://checkout.stripe.com/")
    payment = Payment.objects.get()
    fake_stripe.pay(payment.session_id)  # paid, but the webhook has not arrived yet
    url = reverse("bookings:payment-return", kwargs={"reference": payment.booking.reference})
    back = client.get(f"{url}?session_id={payment.session_id}", follow=True)
    assert back.status_code == 200
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CONFIRMED and booking.payment_state == PaymentState.PAID
    with translation.override("fr"):
        assert translation.gettext("Payment received: your booking is confirmed.") in back.content.decode()


def test_leaving_checkout_keeps_the_hold_and_offers_to_pay(client, alice, room, fake_stripe):
    client.force_login(alice)
    client.post(
        reverse("bookings:resource", kwargs={"pk": room.pk}),
        {"day": "2026-03-03", "start": TUESDAY_9, "end": TUESDAY_10, "quantity": 1},
    )
    booking = Booking.objects.get()
    page = client.get(reverse("bookings:payment-cancelled", kwargs={"reference": booking.reference}), follow=True)
    pay = reverse("bookings:pay", kwargs={"reference": booking.reference})
    assert booking.status == BookingStatus.HELD and pay in page.content.decode()
    again = client.post(pay)
    assert again.status_code == 302 and again["Location"] == Payment.objects.get().url  # the same open session
    assert len(fake_stripe.created_sessions()) == 1


def test_cancelling_a_held_booking_closes_its_checkout(alice, room, fake_stripe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking, payment = payment_services.booking_place(
            user=alice,
            request=services.BookingRequest(room, NOW + timedelta(days=1, hours=2), NOW + timedelta(days=1, hours=3)),
            return_urls=lambda b: ("https://essaim.test/ok", "https://essaim.test/ko"),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=alice)
    assert fake_stripe.sessions[payment.session_id]["status"] == "expired"
    assert StripeEvent.objects.count() == 0


def test_an_approved_paid_request_is_held_until_paid(
    client, alice, make_resource, make_user, fake_stripe, django_capture_on_commit_callbacks
):
    from venues.services import venue_manager_assign

    room = make_resource(price_minor=4000, pricing_unit="booking", approval_required=True)
    manager = make_user("gerante")
    venue_manager_assign(venue=room.venue, user=manager)
    with django_capture_on_commit_callbacks(execute=True):
        booking, payment = payment_services.booking_place(
            user=alice,
            request=services.BookingRequest(room, parse_instant(TUESDAY_9), parse_instant(TUESDAY_10)),
            return_urls=lambda b: ("https://essaim.test/ok", "https://essaim.test/ko"),
        )
    assert booking.status == BookingStatus.PENDING_APPROVAL and booking.payment_state == PaymentState.PENDING
    assert payment is None and not fake_stripe.calls  # nothing to pay before the venue says yes

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_approve(booking=booking, actor=manager)
    assert booking.status == BookingStatus.HELD
    assert booking.expires_at == NOW + timedelta(hours=24)  # ESSAIM_APPROVED_PAY_HOURS, before the start
    [message] = mail.outbox
    assert reverse("bookings:detail", kwargs={"reference": booking.reference}) in message.body

    client.force_login(alice)
    page = client.get(reverse("bookings:detail", kwargs={"reference": booking.reference}))
    assert reverse("bookings:pay", kwargs={"reference": booking.reference}) in page.content.decode()
    to_stripe = client.post(reverse("bookings:pay", kwargs={"reference": booking.reference}))
    payment = Payment.objects.get()
    assert to_stripe.status_code == 302 and to_stripe["Location"] == payment.url
    # The session lives at most Stripe's 24 hours, and the hold ends with it.
    booking.refresh_from_db()
    assert payment.expires_at == booking.expires_at == NOW + timedelta(hours=24, minutes=-1)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, fake_stripe.pay(payment.session_id))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.payment_state == PaymentState.PAID


def test_paying_a_booking_that_is_not_held_is_refused(client, alice, room, fake_stripe, settings):
    settings.STRIPE_SECRET_KEY = ""
    booking = book(api_for(alice), room)
    reference = Booking.objects.get().reference
    client.force_login(alice)
    response = client.post(reverse("bookings:pay", kwargs={"reference": reference}), follow=True)
    assert response.status_code == 200 and not Payment.objects.exists()
    assert booking.status_code == 201


def test_someone_elses_booking_cannot_be_paid_or_viewed(client, alice, make_user, room, fake_stripe):
    book(api_for(alice), room)
    reference = Booking.objects.get().reference
    client.force_login(make_user("mallory"))
    for name in ("bookings:pay", "bookings:payment-return", "bookings:payment-cancelled"):
        method = client.post if name == "bookings:pay" else client.get
        assert method(reverse(name, kwargs={"reference": reference})).status_code == 404
    assert len(fake_stripe.created_sessions()) == 1  # only Alice's own


def test_pay_requires_a_login_and_csrf(alice, room, fake_stripe):
    book(api_for(alice), room)
    reference = Booking.objects.get().reference
    anonymous = Client().post(reverse("bookings:pay", kwargs={"reference": reference}))
    assert anonymous.status_code == 302 and "session_id" not in anonymous["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post(reverse("bookings:pay", kwargs={"reference": reference})).status_code == 403
