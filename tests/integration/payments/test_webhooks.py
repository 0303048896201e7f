"""Stripe's webhook: only signed, fresh deliveries count; each event is applied once; events that
arrive late, twice or out of order leave one consistent booking; a payment that comes after its
hold lapsed and the time was taken is refunded in full, never overbooked."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client

from bookings import ledger, pay_links, payment_services, services
from bookings.models import (
    Booking,
    BookingStatus,
    BookingTransition,
    Payment,
    PaymentState,
    PaymentStatus,
    Refund,
    RefundKind,
    RefundStatus,
    StripeEvent,
)
from tests.integration.payments.stripe_fake import FakeStripe, deliver, place_and_checkout, sign

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris
START = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # Tuesday 9:00 in Paris


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def room(make_resource):
    return make_resource(price_minor=2000, pricing_unit="booking")


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """Deliver a webhook and run what it queues (the event is applied by a task after the commit)."""
    client = Client()

    def send(event, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return deliver(client, event, **kwargs)

    return send


def place(user, room, django_capture_on_commit_callbacks, start=START, hours=1):
    with django_capture_on_commit_callbacks(execute=True):
        return place_and_checkout(
            user=user,
            request=services.BookingRequest(room, start, start + timedelta(hours=hours)),
            return_urls=lambda b: ("https://essaim.test/ok", "https://essaim.test/ko"),
        )


def snapshot():
    return (
        list(Booking.objects.values_list("pk", "status", "payment_state")),
        list(Payment.objects.values_list("pk", "status")),
        Refund.objects.count(),
        BookingTransition.objects.count(),
    )


# Deliveries that do not count ------------------------------------------------------------------


def test_a_bad_signature_is_a_400_and_changes_nothing(
    alice, room, fake_stripe, post, django_capture_on_commit_callbacks
):
    _booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    event = fake_stripe.pay(payment.session_id)
    before = snapshot()
    forged = post(event, secret="whsec_someone_else")
    assert forged.status_code == 400 and forged.json()["code"] == "bad_signature"
    assert post(event, signature="").status_code == 400
    assert post(event, signature="t=1,v1=deadbeef").status_code == 400
    assert snapshot() == before and not StripeEvent.objects.exists()


def test_a_stale_timestamp_is_refused_even_correctly_signed(
    alice, room, fake_stripe, post, django_capture_on_commit_callbacks
):
    _booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    event = fake_stripe.pay(payment.session_id)
    before = snapshot()
    replayed = post(event, timestamp=int(time.time()) - 301)  # outside the 300-second tolerance
    assert replayed.status_code == 400 and replayed.json()["code"] == "bad_signature"
    assert snapshot() == before
    assert post(event, timestamp=int(time.time()) - 120).status_code == 200  # inside it


def test_a_body_that_is_not_an_event_is_a_400(stripe_on, post):
    client = Client()
    payload = b"not json at all"
    response = client.post(
        "/payments/stripe/webhook/", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(payload)
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_payload"
    assert not StripeEvent.objects.exists()


def test_without_a_configured_secret_every_delivery_is_refused(settings, post):
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert post(FakeStripe.event("checkout.session.completed", {"id": "cs_x"})).status_code == 400


def test_only_post_reaches_the_webhook():
    assert Client().get("/payments/stripe/webhook/").status_code == 405


def test_unknown_event_types_are_acknowledged_and_ignored(stripe_on, post):
    before = snapshot()
    response = post(FakeStripe.event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert response.status_code == 200
    assert StripeEvent.objects.get().outcome == "ignored"
    assert snapshot() == before


def test_an_unknown_booking_is_acknowledged_and_changes_nothing(
    alice, room, fake_stripe, post, django_capture_on_commit_callbacks
):
    place(alice, room, django_capture_on_commit_callbacks)
    before = snapshot()
    stranger = {
        "id": "cs_test_not_ours",
        "object": "checkout.session",
        "metadata": {"booking": "999999"},
        "payment_status": "paid",
        "payment_intent": "pi_test_not_ours",
        "status": "complete",
        "amount_total": 2000,
        "currency": "eur",
    }
    for kind in ("checkout.session.completed", "checkout.session.expired", "checkout.session.async_payment_failed"):
        assert post(FakeStripe.event(kind, stranger)).status_code == 200
    assert post(FakeStripe.event("charge.refunded", {"id": "ch_x", "payment_intent": "pi_x"})).status_code == 200
    assert post(FakeStripe.event("refund.updated", {"id": "re_x", "status": "failed"})).status_code == 200
    assert snapshot() == before
    assert set(StripeEvent.objects.values_list("outcome", flat=True)) == {
        "unknown_session",
        "unknown_payment",
        "unknown_refund",
    }


# Twice, late, out of order ----------------------------------------------------------------------


def test_a_redelivered_event_is_applied_once(alice, room, fake_stripe, post, django_capture_on_commit_callbacks):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    event = fake_stripe.pay(payment.session_id)
    mail.outbox.clear()
    assert post(event).status_code == 200
    after_first = snapshot()
    assert post(event).status_code == 200
    assert post(event).status_code == 200
    assert snapshot() == after_first
    assert StripeEvent.objects.count() == 1
    assert len(mail.outbox) == 1  # one confirmation
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_an_expiry_after_the_payment_changes_nothing(
    alice, room, fake_stripe, post, django_capture_on_commit_callbacks
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    completed = fake_stripe.pay(payment.session_id)
    late_expiry = FakeStripe.event(
        "checkout.session.expired", {**fake_stripe.sessions[payment.session_id], "status": "expired"}
    )
    post(completed)
    post(late_expiry)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.payment_state == PaymentState.PAID
    assert StripeEvent.objects.get(event_id=late_expiry["id"]).outcome == "already_paid"


def test_an_expired_session_releases_the_hold(alice, bob, room, fake_stripe, post, django_capture_on_commit_callbacks):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    assert post(fake_stripe.expire(payment.session_id)).status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    bobs, _payment = place(bob, room, django_capture_on_commit_callbacks)  # the time is free again
    assert bobs.status == BookingStatus.HELD


def test_payment_after_the_hold_lapsed_confirms_when_the_time_is_still_free(
    alice, room, fake_stripe, post, django_capture_on_commit_callbacks, time_machine
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    time_machine.move_to(booking.expires_at + timedelta(minutes=5), tick=False)
    services.hold_expire_all()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    post(fake_stripe.pay(payment.session_id))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.payment_state == PaymentState.PAID
    assert not Refund.objects.exists()


@pytest.mark.parametrize("marked_expired", [True, False])
def test_payment_after_the_time_was_taken_is_refunded_never_overbooked(
    alice, bob, room, fake_stripe, post, django_capture_on_commit_callbacks, time_machine, marked_expired
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    time_machine.move_to(booking.expires_at + timedelta(minutes=1), tick=False)
    if marked_expired:
        services.hold_expire_all()
    with django_capture_on_commit_callbacks(execute=True):
        bobs = services.booking_create(
            user=bob, request=services.BookingRequest(room, START, START + timedelta(hours=1)), hold=True
        )
    mail.outbox.clear()
    assert post(fake_stripe.pay(payment.session_id)).status_code == 200

    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    [refund] = Refund.objects.all()
    assert refund.kind == RefundKind.LATE_PAYMENT and refund.amount_minor == 2000
    assert refund.status == RefundStatus.SUCCEEDED and booking.payment_state == PaymentState.REFUNDED
    [(_m, _u, key, form)] = fake_stripe.refund_calls()
    assert key == f"essaim-refund-{refund.pk}" and form["amount"] == "2000"
    bobs.refresh_from_db()
    assert bobs.status == BookingStatus.HELD  # Bob keeps the time
    occupying = Booking.objects.filter(status__in=(BookingStatus.HELD, BookingStatus.CONFIRMED))
    assert occupying.count() == 1
    [message] = [m for m in mail.outbox if "alice" in m.to[0]]
    assert "20,00" in message.body  # told how much comes back, and why


def test_payment_for_a_booking_cancelled_meanwhile_is_refunded(
    alice, room, fake_stripe, post, django_capture_on_commit_callbacks
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    event = fake_stripe.pay(payment.session_id)  # paid on Stripe's page while…
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=alice)  # …the booker cancels in another tab
    post(event)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.payment_state == PaymentState.REFUNDED
    assert Refund.objects.get().kind == RefundKind.LATE_PAYMENT


def test_paying_twice_refunds_the_second_payment(
    alice, room, fake_stripe, post, django_capture_on_commit_callbacks, settings
):
    booking, first = place(alice, room, django_capture_on_commit_callbacks)
    # A second session for the same booking (say, opened from another device before the first one's expiry).
    fake_session = fake_stripe.sessions[first.session_id]
    second = Payment.objects.create(
        booking=booking, amount_minor=2000, currency="EUR", session_id="cs_test_second", expires_at=first.expires_at
    )
    fake_stripe.sessions["cs_test_second"] = {**fake_session, "id": "cs_test_second"}
    post(fake_stripe.pay(first.session_id))
    post(fake_stripe.pay(second.session_id))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    [refund] = Refund.objects.all()
    assert refund.payment_id == second.pk and refund.kind == RefundKind.DUPLICATE and refund.amount_minor == 2000
    assert booking.payment_state == PaymentState.PARTIALLY_REFUNDED


# Delayed payment methods ------------------------------------------------------------------------


def test_a_delayed_payment_keeps_the_time_until_it_clears(
    alice, room, fake_stripe, post, django_capture_on_commit_callbacks
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    post(fake_stripe.pay(payment.session_id, payment_status="unpaid"))  # a SEPA debit, say
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.status == BookingStatus.HELD and payment.status == PaymentStatus.PROCESSING
    assert booking.expires_at == booking.start  # the hold waits for the bank, until the booking begins
    session = {**fake_stripe.sessions[payment.session_id], "payment_status": "paid"}
    post(FakeStripe.event("checkout.session.async_payment_succeeded", session))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.payment_state == PaymentState.PAID


def test_a_failed_delayed_payment_releases_the_hold_and_tells_the_booker(
    alice, room, fake_stripe, post, django_capture_on_commit_callbacks
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    post(fake_stripe.pay(payment.session_id, payment_status="unpaid"))
    mail.outbox.clear()
    post(FakeStripe.event("checkout.session.async_payment_failed", fake_stripe.sessions[payment.session_id]))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED and booking.payment_state == PaymentState.FAILED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [alice.email]


# Refunds seen from Stripe -----------------------------------------------------------------------


def test_a_refund_made_in_stripes_dashboard_is_recorded(
    alice, room, fake_stripe, post, django_capture_on_commit_callbacks
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    post(fake_stripe.pay(payment.session_id))
    post(fake_stripe.refund_in_dashboard(payment.session_id, 500))
    refund = Refund.objects.get()
    assert refund.kind == RefundKind.EXTERNAL and refund.amount_minor == 500 and refund.status == RefundStatus.SUCCEEDED
    booking.refresh_from_db()
    assert booking.payment_state == PaymentState.PARTIALLY_REFUNDED
    post(FakeStripe.event("charge.refunded", fake_stripe.charge_of(payment.session_id)))  # the same total again
    assert Refund.objects.count() == 1


def test_a_refund_that_fails_later_is_marked_failed(
    alice, make_user, room, fake_stripe, post, django_capture_on_commit_callbacks
):
    from venues.services import venue_manager_assign

    venue_manager_assign(venue=room.venue, user=make_user("gerante"))
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    post(fake_stripe.pay(payment.session_id))
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=alice)
    refund = Refund.objects.get()
    stripe_refund = fake_stripe.refunds[refund.provider_id]
    post(
        FakeStripe.event(
            "refund.failed", {**stripe_refund, "status": "failed", "failure_reason": "expired_or_canceled_card"}
        )
    )
    refund.refresh_from_db()
    assert refund.status == RefundStatus.FAILED and refund.failure == "expired_or_canceled_card"
    booking.refresh_from_db()
    assert booking.payment_state == PaymentState.PAID  # nothing came back after all
    # The venue's team is told, with what failed and where to refund again.
    [alert] = [m for m in mail.outbox if "gerante@example.org" in m.to]
    assert booking.reference in alert.subject and "20,00" in alert.body and "expired_or_canceled_card" in alert.body
    assert f"/admin/bookings/{booking.pk}/" in alert.body
    assert ledger.refundable_minor(booking) == 2000  # a failed refund no longer counts: it can be made again


def test_refunds_decided_during_an_outage_are_sent_later_once(
    alice, room, fake_stripe, post, django_capture_on_commit_callbacks, time_machine
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    post(fake_stripe.pay(payment.session_id))
    fake_stripe.down = 503
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=alice)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED  # the cancellation stands whatever Stripe does
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.PENDING and refund.provider_id is None
    fake_stripe.down = None
    time_machine.move_to(NOW + timedelta(minutes=10), tick=False)
    assert payment_services.refunds_resend() == 1
    assert payment_services.refunds_resend() == 0
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    keys = {call[2] for call in fake_stripe.refund_calls()}
    assert keys == {f"essaim-refund-{refund.pk}"}  # every attempt carried the same key
    assert sum(r["amount"] for r in fake_stripe.refunds.values()) == 2000


def test_the_event_body_is_kept_for_the_record(alice, room, fake_stripe, post, django_capture_on_commit_callbacks):
    _booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    event = fake_stripe.pay(payment.session_id)
    post(event)
    stored = StripeEvent.objects.get()
    assert stored.event_id == event["id"] and stored.type == "checkout.session.completed"
    assert json.loads(json.dumps(stored.payload))["data"]["object"]["id"] == payment.session_id
    assert stored.processed_at is not None and stored.outcome == "confirmed"


def test_an_event_whose_task_was_lost_is_applied_by_the_periodic_run(
    alice, room, fake_stripe, django_capture_on_commit_callbacks, time_machine
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    deliver(Client(), fake_stripe.pay(payment.session_id))  # stored, but its task never ran (no commit hook here)
    assert StripeEvent.objects.get().processed_at is None
    assert payment_services.stripe_events_reapply() == 0  # too fresh: its task may still be on its way
    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_services.stripe_events_reapply() == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert payment_services.stripe_events_reapply() == 0


def test_a_retry_after_a_stripe_error_is_a_new_request(client, alice, room, fake_stripe, time_machine, settings):
    client.force_login(alice)
    booking = services.booking_create(
        user=alice, request=services.BookingRequest(room, START, START + timedelta(hours=1)), hold=True
    )
    pay = pay_links.pay_path(booking)
    fake_stripe.down = 500
    assert client.get(pay).status_code == 503
    assert not Payment.objects.exists()
    fake_stripe.down = None
    time_machine.move_to(NOW + timedelta(minutes=1), tick=False)
    again = client.get(pay)
    assert again.status_code == 302 and again["Location"].startswith("https://checkout.stripe.com/")
    first_key, second_key = (call[2] for call in fake_stripe.created_sessions())
    assert first_key != second_key


def test_a_delayed_payment_that_clears_after_the_start_is_refunded(
    alice, room, fake_stripe, post, django_capture_on_commit_callbacks, time_machine
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    post(fake_stripe.pay(payment.session_id, payment_status="unpaid"))
    time_machine.move_to(START + timedelta(hours=2), tick=False)  # the bank took its time
    session = {**fake_stripe.sessions[payment.session_id], "payment_status": "paid"}
    post(FakeStripe.event("checkout.session.async_payment_succeeded", session))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED and booking.payment_state == PaymentState.REFUNDED
    assert Refund.objects.get().kind == RefundKind.LATE_PAYMENT
