"""Paying for a booking through Stripe Checkout, end to end over HTTP: the API opens a session,
Stripe's signed webhook confirms the booking, cancelling refunds it under the policy."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from rest_framework.test import APIClient

from bookings import services
from bookings.models import (
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
from bookings.payments import pay_links
from bookings.throttles import BookingRate
from core.api import parse_instant
from core.services import auth_token_issue
from tests.integration.payments.stripe_fake import deliver, place_and_checkout
from venues.services import venue_manager_assign

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


def test_checkout_webhook_confirm_cancel_refund(
    client, alice, room, fake_stripe, django_capture_on_commit_callbacks, settings
):
    api = api_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = book(api, room)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "held" and body["payment_state"] == "pending"
    booking = Booking.objects.get()
    # Booking never waits on Stripe: the payment URL is ours, and opens Checkout when followed.
    assert body["payment_url"] == settings.ESSAIM_NODE_URL + pay_links.pay_path(booking)
    assert not fake_stripe.calls
    assert book(api, room).json()["payment_url"] == body["payment_url"]  # a retry: the same link
    to_stripe = client.get(urlsplit(body["payment_url"]).path)
    assert to_stripe.status_code == 302 and to_stripe["Location"].startswith("https://checkout.stripe.com/c/pay/cs_")
    assert client.get(urlsplit(body["payment_url"]).path)["Location"] == to_stripe["Location"]  # the open one again

    # The session Stripe was asked for: one line at the booking's price, the booking in metadata.
    [(_method, _url, key, form)] = fake_stripe.created_sessions()
    assert key == f"essaim-checkout-{booking.reference}-1-202603020700"
    assert form["mode"] == "payment" and form["line_items[0][price_data][unit_amount]"] == "1250"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["metadata[booking]"] == str(booking.pk) and form["metadata[reference]"] == booking.reference
    back = reverse("bookings:payment-return", kwargs={"reference": booking.reference})
    assert form["success_url"] == f"http://testserver{back}?session_id={{CHECKOUT_SESSION_ID}}"
    assert int(form["expires_at"]) - int(NOW.timestamp()) >= 30 * 60  # Stripe's minimum
    # The hold lasts as long as the session.
    booking.refresh_from_db()
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
        booking, payment = place_and_checkout(
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
def test_stripe_down_keeps_the_hold_and_the_link_works_once_it_is_back(client, alice, room, fake_stripe, outage):
    fake_stripe.down = outage
    body = book(api_for(alice), room).json()
    assert body["status"] == "held"  # booking does not need Stripe
    link = urlsplit(body["payment_url"]).path
    page = client.get(link)
    assert page.status_code == 503
    with translation.override("fr"):
        expected = translation.gettext(
            "Online payment is unavailable right now. Nothing was charged; please try again in a moment."
        )
    assert escape(expected) in page.content.decode() and link in page.content.decode()  # says so, offers to try again
    assert not Payment.objects.exists() and Booking.objects.get().status == BookingStatus.HELD
    fake_stripe.down = None
    assert client.get(link)["Location"].startswith("https://checkout.stripe.com/")


def test_returning_before_the_webhook_confirms_from_stripe(client, alice, room, fake_stripe):
    client.force_login(alice)
    response = client.post(
        reverse("bookings:resource", kwargs={"pk": room.pk}),
        {"day": "2026-03-03", "start": TUESDAY_9, "end": TUESDAY_10, "quantity": 1},
    )
    assert response.status_code == 302 and response["Location"] == pay_links.pay_path(Booking.objects.get())
    assert client.get(response["Location"])["Location"].startswith("https://checkout.stripe.com/")
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
    form = {"day": "2026-03-03", "start": TUESDAY_9, "end": TUESDAY_10, "quantity": 1}
    client.get(client.post(reverse("bookings:resource", kwargs={"pk": room.pk}), form)["Location"])
    booking = Booking.objects.get()
    page = client.get(reverse("bookings:payment-cancelled", kwargs={"reference": booking.reference}), follow=True)
    pay = pay_links.pay_path(booking)
    assert booking.status == BookingStatus.HELD and pay in page.content.decode()
    again = client.get(pay)
    assert again.status_code == 302 and again["Location"] == Payment.objects.get().url  # the same open session
    assert len(fake_stripe.created_sessions()) == 1


def test_cancelling_a_held_booking_closes_its_checkout(alice, room, fake_stripe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking, payment = place_and_checkout(
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

    room = make_resource(price_minor=4000, pricing_unit="booking", approval_required=True)
    manager = make_user("gerante")
    venue_manager_assign(venue=room.venue, user=manager)
    with django_capture_on_commit_callbacks(execute=True):
        booking, payment = place_and_checkout(
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
    assert pay_links.pay_path(booking) in page.content.decode()
    assert pay_links.pay_url(booking) in message.body  # the e-mail carries the pay link
    to_stripe = client.get(pay_links.pay_path(booking))
    payment = Payment.objects.get()
    assert to_stripe.status_code == 302 and to_stripe["Location"] == payment.url
    # The session lives at most Stripe's 24 hours, and the hold ends with it.
    booking.refresh_from_db()
    assert payment.expires_at == booking.expires_at == NOW + timedelta(hours=24, minutes=-1)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, fake_stripe.pay(payment.session_id))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.payment_state == PaymentState.PAID


def test_the_pay_link_of_a_booking_not_awaiting_payment_says_why(client, alice, room, fake_stripe, settings):
    settings.STRIPE_SECRET_KEY = ""
    book(api_for(alice), room)  # confirmed, to pay at the venue
    booking = Booking.objects.get()
    settings.STRIPE_SECRET_KEY = "sk_test_essaim"
    page = client.get(pay_links.pay_path(booking))
    assert page.status_code == 409 and not Payment.objects.exists() and not fake_stripe.calls


def test_a_forged_or_altered_pay_link_is_a_404(client, alice, room, fake_stripe):
    book(api_for(alice), room)
    booking = Booking.objects.get()
    good = pay_links.pay_token(booking.reference)
    for token in (booking.reference, good[:-1] + ("A" if good[-1] != "A" else "B"), "0123ABCD:forged"):
        assert client.get(reverse("payment-checkout", kwargs={"token": token})).status_code == 404
    assert not fake_stripe.calls


def test_someone_elses_return_pages_are_404(client, alice, make_user, room, fake_stripe):
    book(api_for(alice), room)
    reference = Booking.objects.get().reference
    client.force_login(make_user("mallory"))
    for name in ("bookings:payment-return", "bookings:payment-cancelled"):
        assert client.get(reverse(name, kwargs={"reference": reference})).status_code == 404
    assert not fake_stripe.calls


def test_the_pay_link_is_rate_limited_like_booking(client, alice, room, fake_stripe, monkeypatch):
    monkeypatch.setattr(BookingRate, "THROTTLE_RATES", {"booking": "3/min"})
    book(api_for(alice), room)
    link = pay_links.pay_path(Booking.objects.get())
    answers = [client.get(link).status_code for _ in range(5)]
    assert answers[:3] == [302, 302, 302] and answers[3:] == [429, 429]
    assert len(fake_stripe.created_sessions()) == 1  # and the allowed ones reused the open session


def test_stripe_sends_the_booker_back_in_the_language_they_booked_in(client, alice, room, fake_stripe):
    booking = services.booking_create(
        user=alice,
        request=services.BookingRequest(room, parse_instant(TUESDAY_9), parse_instant(TUESDAY_10)),
        language="en",  # booked on the English pages
    )
    client.get(pay_links.pay_path(booking))  # the link carries no language of its own
    [(_m, _u, _key, form)] = fake_stripe.created_sessions()
    assert "/en/bookings/" in form["success_url"] and "/en/bookings/" in form["cancel_url"]
    assert form["locale"] == "en"
