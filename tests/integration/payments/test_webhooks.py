"""Stripe's webhook: only signed, fresh deliveries count; each event is applied once; events that
arrive late, twice or out of order leave one consistent booking; a payment that comes after its
hold lapsed and the time was taken is refunded in full, never overbooked."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client

from bookings import services
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
from bookings.payments import ledger, pay_links
from bookings.payments import services as payment_services
from core.errors import InvalidInput
from tests.integration.payments.stripe_fake import FakeStripe, deliver, place_and_checkout, sign
from venues.services import venue_manager_assign

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
    booking.refresh_from_db()
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
    booking.refresh_from_db()  # the hold was stretched to the session's 30-minute minimum
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
    assert ledger.totals(booking).refundable == 2000  # a failed refund no longer counts: it can be made again


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
    assert stored.payload["data"]["object"]["id"] == payment.session_id
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


# What a review found ----------------------------------------------------------------------------


def test_while_a_bank_debit_clears_the_link_is_refused_and_the_hold_kept(
    client, alice, room, fake_stripe, post, django_capture_on_commit_callbacks, time_machine
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    post(fake_stripe.pay(payment.session_id, payment_status="unpaid"))
    booking.refresh_from_db()
    assert booking.expires_at == booking.start and not pay_links.awaits_payment(booking, NOW)
    assert client.get(pay_links.pay_path(booking)).status_code == 409  # no second session, no shorter hold
    assert len(fake_stripe.created_sessions()) == 1
    time_machine.move_to(NOW + timedelta(hours=1), tick=False)  # the session's own end passes
    post(FakeStripe.event("checkout.session.expired", {**fake_stripe.sessions[payment.session_id]}))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD and booking.expires_at == booking.start


def test_following_the_link_again_never_stretches_the_hold(
    client, alice, room, fake_stripe, post, django_capture_on_commit_callbacks, time_machine
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    booking.refresh_from_db()
    hold_end = booking.expires_at
    time_machine.move_to(hold_end - timedelta(seconds=30), tick=False)
    assert client.get(pay_links.pay_path(booking))["Location"] == payment.url  # the open session, to its end
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.EXPIRED)  # say it was closed early
    assert client.get(pay_links.pay_path(booking)).status_code == 409  # too little time left for a new one
    booking.refresh_from_db()
    assert booking.expires_at == hold_end and len(fake_stripe.created_sessions()) == 1


def test_two_clicks_in_the_same_minute_get_one_session(client, alice, room, fake_stripe, time_machine):
    booking = services.booking_create(
        user=alice, request=services.BookingRequest(room, START, START + timedelta(hours=1)), hold=True
    )
    link = pay_links.pay_path(booking)
    time_machine.move_to(NOW + timedelta(seconds=5), tick=False)
    first = client.get(link)
    Payment.objects.all().delete()  # as if the second click ran before the first one's answer was saved
    time_machine.move_to(NOW + timedelta(seconds=40), tick=False)
    second = client.get(link)
    assert first["Location"] == second["Location"]  # Stripe replayed the same request's answer
    assert len(fake_stripe.sessions) == 1


def test_a_pay_link_expires(client, alice, room, fake_stripe, time_machine):
    booking = services.booking_create(
        user=alice, request=services.BookingRequest(room, START, START + timedelta(hours=1)), hold=True
    )
    link = pay_links.pay_path(booking)
    time_machine.move_to(NOW + pay_links.LIFETIME + timedelta(minutes=1), tick=False)
    assert client.get(link).status_code == 404


@pytest.mark.parametrize("obj", [[], "cs_test_1", None, 42])
def test_an_event_whose_object_is_not_an_object_is_recorded_as_malformed(stripe_on, post, obj):
    event = FakeStripe.event("checkout.session.completed", {})
    event["data"]["object"] = obj
    assert post(event).status_code == 200
    assert StripeEvent.objects.get().outcome == "malformed"


def test_one_event_that_fails_does_not_hold_up_the_others(
    alice, room, fake_stripe, django_capture_on_commit_callbacks, time_machine, monkeypatch
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    broken = StripeEvent.objects.create(
        event_id="evt_broken",
        type="charge.refunded",
        payload={"data": {"object": {"payment_intent": 1}}},
        received_at=NOW,
    )
    monkeypatch.setitem(payment_services.HANDLERS, "charge.refunded", lambda obj, ctx: 1 / 0)
    deliver(Client(), fake_stripe.pay(payment.session_id))  # stored; its task lost
    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_services.stripe_events_reapply() == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    broken.refresh_from_db()
    assert broken.processed_at is None  # left for the next run, logged


def test_a_refund_reported_before_the_payment_waits_for_it(
    alice, room, fake_stripe, post, django_capture_on_commit_callbacks, time_machine
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    completed = fake_stripe.pay(payment.session_id)
    charge = {**fake_stripe.refund_in_dashboard(payment.session_id, 500)["data"]["object"]}
    charge["metadata"] = {"booking": str(booking.pk), "reference": booking.reference}
    early = FakeStripe.event("charge.refunded", charge)
    post(early)  # Stripe's retries come in any order after an outage
    assert StripeEvent.objects.get(event_id=early["id"]).processed_at is None
    post(completed)
    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.stripe_events_reapply()
    assert StripeEvent.objects.get(event_id=early["id"]).outcome == "refund_recorded"
    booking.refresh_from_db()
    assert booking.payment_state == PaymentState.PARTIALLY_REFUNDED
    assert Refund.objects.get().amount_minor == 500


def test_a_payment_made_before_the_start_but_applied_after_stands(
    alice, room, fake_stripe, django_capture_on_commit_callbacks, time_machine
):
    booking, payment = place(alice, room, django_capture_on_commit_callbacks)
    completed = fake_stripe.pay(payment.session_id)  # paid now, hours before the start
    deliver(Client(), completed)  # stored; the worker is down until after the start
    time_machine.move_to(START + timedelta(minutes=10), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.stripe_events_reapply()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and not Refund.objects.exists()


def test_three_decimal_refunds_go_by_tens_never_rounded_up(
    make_resource, make_user, fake_stripe, post, django_capture_on_commit_callbacks
):

    room = make_resource(price_minor=12345, pricing_unit="booking", currency="KWD")
    manager = make_user("gerant")
    venue_manager_assign(venue=room.venue, user=manager)
    booking, payment = place(make_user("alice"), room, django_capture_on_commit_callbacks)
    assert fake_stripe.created_sessions()[0][3]["line_items[0][price_data][unit_amount]"] == "12350"
    post(fake_stripe.pay(payment.session_id))
    payment.refresh_from_db()
    assert payment.amount_minor == 12350  # what Stripe charged, recorded as such
    with pytest.raises(InvalidInput) as refused:
        payment_services.payment_refund(booking=booking, amount_minor=1005, actor=manager, reason="geste")
    assert refused.value.code == "refund_amount_step"
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.payment_refund(booking=booking, amount_minor=1010, actor=manager, reason="geste")
    assert [call[3]["amount"] for call in fake_stripe.refund_calls()] == ["1010"]
    assert ledger.totals(booking).refundable == 12350 - 1010
