"""The detail page's payment panel for venue managers: what was paid and refunded, a refund typed
in the currency's units (checked before anything is written), money taken at the venue, and the
same per-venue scoping as the rest of the bookings admin."""

from datetime import UTC, datetime

import pytest
import responses
import time_machine
from bs4 import BeautifulSoup
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from bookings.models import (
    BookingStatus,
    Payment,
    PaymentProvider,
    PaymentState,
    PaymentStatus,
    Refund,
    RefundKind,
    RefundStatus,
)

pytestmark = pytest.mark.django_db

PAID_AT = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # 8:30 in Paris
STRIPE_REFUNDS = "https://api.stripe.com/v1/refunds"


def detail(booking):
    return reverse("booking_list:detail", args=[booking.pk])


def refund_url(booking):
    return reverse("booking_list:refund", args=[booking.pk])


def flashes(response):
    return [str(message).strip() for message in response.context["messages"]]


def panel(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").select_one("[data-booking-payment]")


def pay(booking, *, provider=PaymentProvider.VENUE, amount_minor=1500, **fields):
    """``booking`` paid in full (as the webhook or the door would leave it)."""
    payment = Payment.objects.create(
        booking=booking,
        provider=provider,
        status=PaymentStatus.PAID,
        amount_minor=amount_minor,
        currency=booking.currency,
        paid_at=PAID_AT,
        **fields,
    )
    booking.payment_state = PaymentState.PAID
    booking.save(update_fields=["payment_state"])
    return payment


def refund_post(client, booking, amount, reason="Projecteur en panne"):
    return client.post(refund_url(booking), {"refund-amount": amount, "refund-reason": reason})


def test_panel_shows_amounts_payments_refunds_and_totals(as_manager_a, world):
    booking = world.confirmed_a
    payment = pay(
        booking,
        provider=PaymentProvider.STRIPE,
        session_id="cs_test_1",
        payment_intent_id="pi_test_1",
        receipt_url="https://pay.stripe.com/receipts/r_1",
    )
    Refund.objects.create(
        payment=payment,
        amount_minor=300,
        currency="EUR",
        status=RefundStatus.SUCCEEDED,
        kind=RefundKind.DUPLICATE,
        reason="paid twice",
    )
    Refund.objects.create(
        payment=payment,
        amount_minor=200,
        currency="EUR",
        status=RefundStatus.FAILED,
        kind=RefundKind.VENUE,
        reason="Geste commercial",
        failure="charge_for_pending_refund_disputed",
        actor=world.manager_a,
    )

    Refund.objects.create(
        payment=payment, amount_minor=100, currency="EUR", status=RefundStatus.PENDING, kind=RefundKind.POLICY
    )

    section = panel(as_manager_a.get(detail(booking)))
    facts = section.get_text(" ", strip=True)
    assert "€15.00 (EUR)" in facts
    assert "Online (Stripe)" in facts
    totals = {dd["data-payment-total"]: dd.get_text(" ", strip=True) for dd in section.select("[data-payment-total]")}
    assert totals == {
        "paid": "€15.00",
        "refunded": "€4.00 (including refunds on their way)",  # a pending refund counts: it may still succeed
        "refundable": "€11.00",
    }

    payments = section.select_one("[data-booking-payments]").get_text(" ", strip=True)
    assert "Stripe Paid €15.00 Mon, Mar 2, 2026, 08:30:00" in payments
    assert "cs_test_1" in payments and "pi_test_1" in payments
    assert section.select_one("a[href='https://pay.stripe.com/receipts/r_1']") is not None

    rows = [row.get_text(" ", strip=True) for row in section.select("[data-booking-refunds] tbody tr")]
    assert rows[0].startswith("€3.00 Refunded Paid twice paid twice the system")
    assert "€2.00 Failed charge_for_pending_refund_disputed By the venue Geste commercial Ada Lovelace" in rows[1]
    assert rows[2].startswith("€1.00 Pending Cancellation under the policy — the system")
    # Every column and row header says what it heads, for screen readers.
    assert all(th.has_attr("scope") for th in section.select("th"))

    amount = section.select_one("form[data-booking-refund] input[name='refund-amount']")
    assert amount["value"] == "11.00"  # the whole refundable amount, in the currency's units
    assert section.select_one(f"label[for='{amount['id']}']") is not None


def test_panel_of_a_booking_to_pay_at_the_venue(as_manager_a, world):
    section = panel(as_manager_a.get(detail(world.confirmed_a)))
    text = section.get_text(" ", strip=True)
    assert "To pay at the venue" in text and "At the venue" in text
    assert section.select_one("[data-booking-action='record-payment']") is not None
    assert section.select_one("[data-booking-refund]") is None  # nothing paid, nothing to refund

    free = panel(as_manager_a.get(detail(world.pooled_a)))
    assert "Free" in free.get_text(" ", strip=True)
    assert free.select_one("[data-booking-action], [data-booking-refund], [data-payment-total]") is None


def test_amounts_follow_the_managers_language(as_manager_a, world):
    profile = UserProfile.get_for_user(world.manager_a)
    profile.preferred_language = "fr"
    profile.save(update_fields=["preferred_language"])
    pay(world.confirmed_a)
    section = panel(as_manager_a.get(detail(world.confirmed_a)))
    assert section.select_one("[data-payment-total='paid']").get_text(strip=True) == "15,00\u00a0€"


def test_partial_refund_at_the_venue_tells_the_booker(as_manager_a, world, django_capture_on_commit_callbacks):
    booking = world.confirmed_a
    pay(booking)
    with django_capture_on_commit_callbacks(execute=True):
        response = refund_post(as_manager_a, booking, "5,50")  # the decimal comma is understood
    assert response.status_code == 302 and response["Location"] == detail(booking)

    refund = Refund.objects.get(payment__booking=booking)
    assert (refund.amount_minor, refund.status, refund.kind) == (550, RefundStatus.SUCCEEDED, RefundKind.VENUE)
    assert (refund.reason, refund.actor) == ("Projecteur en panne", world.manager_a)
    booking.refresh_from_db()
    assert booking.payment_state == PaymentState.PARTIALLY_REFUNDED
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]
    assert "Projecteur en panne" in mail.outbox[0].body and "5,50" in mail.outbox[0].body  # why, and how much

    page = as_manager_a.get(detail(booking))
    assert flashes(page) == [f"€5.50 refunded on {booking.reference}: the booker is told."]
    section = panel(page)
    assert section.select_one("[data-payment-total='refundable']").get_text(strip=True) == "€9.50"
    assert section.select_one("input[name='refund-amount']")["value"] == "9.50"


@responses.activate
def test_refund_of_a_stripe_payment_is_sent_to_stripe(
    as_manager_a, world, settings, django_capture_on_commit_callbacks
):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    refunded = {"id": "re_test_1", "object": "refund", "status": "succeeded", "payment_intent": "pi_test_1"}
    responses.add(responses.POST, STRIPE_REFUNDS, json={**refunded, "amount": 500, "currency": "eur"})
    booking = world.confirmed_a
    pay(booking, provider=PaymentProvider.STRIPE, session_id="cs_test_1", payment_intent_id="pi_test_1")

    with django_capture_on_commit_callbacks(execute=True):
        response = refund_post(as_manager_a, booking, "5.00")
    assert response.status_code == 302

    sent = [call.request for call in responses.calls if call.request.url == STRIPE_REFUNDS]
    assert len(sent) == 1
    assert "payment_intent=pi_test_1" in sent[0].body and "amount=500" in sent[0].body
    refund = Refund.objects.get(payment__booking=booking)
    assert (refund.status, refund.provider_id) == (RefundStatus.SUCCEEDED, "re_test_1")
    booking.refresh_from_db()
    assert booking.payment_state == PaymentState.PARTIALLY_REFUNDED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.org"]


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("15.01", "You can refund at most €15.00."),
        ("12.505", "EUR has 2 decimals."),
        ("0", "Enter an amount above zero."),
        ("-3", "Enter an amount above zero."),
        ("douze", "Enter an amount such as 12.50."),
        ("NaN", "Enter an amount such as 12.50."),
    ],
)
def test_a_wrong_amount_is_a_form_error_and_writes_nothing(as_manager_a, world, amount, error):
    booking = world.confirmed_a
    pay(booking)
    response = refund_post(as_manager_a, booking, amount)
    assert response.status_code == 200
    assert flashes(response) == ["The refund was not made: see the form below."]
    form = response.context["refund_form"]
    with translation.override("en"):  # the manager reads the admin in English; lazy messages follow the language
        assert form.errors == {"amount": [error]}
    section = panel(response)
    assert error in section.select_one("[data-booking-refund]").get_text(" ", strip=True)
    field = section.select_one("input[name='refund-amount']")
    assert field["value"] == amount  # what was typed, to correct it
    assert field["aria-invalid"] == "true"
    assert not Refund.objects.exists()
    assert mail.outbox == []


def test_actions_on_a_page_shown_by_a_refused_refund_come_back_to_the_detail_page(as_manager_a, world):
    booking = world.confirmed_a
    pay(booking)
    with time_machine.travel(datetime(2026, 3, 3, 8, 15, tzinfo=UTC), tick=False):
        response = refund_post(as_manager_a, booking, "99")
    page = BeautifulSoup(response.content, "html.parser")
    next_urls = {field["value"] for field in page.select("form[data-booking-action] input[name='next']")}
    assert next_urls == {detail(booking)}  # not the refund URL, which only takes POSTs


def test_a_refund_needs_a_reason(as_manager_a, world):
    booking = world.confirmed_a
    pay(booking)
    response = refund_post(as_manager_a, booking, "5.00", reason="   ")
    assert response.status_code == 200
    assert list(response.context["refund_form"].errors) == ["reason"]
    assert not Refund.objects.exists()


def test_nothing_left_to_refund(as_manager_a, world):
    response = refund_post(as_manager_a, world.confirmed_a, "5.00")
    assert response.status_code == 302
    assert flashes(as_manager_a.get(response["Location"])) == ["Nothing is left to refund on this booking."]
    assert not Refund.objects.exists()


def test_another_venues_manager_gets_404(client, world):
    booking = world.confirmed_a
    pay(booking)
    client.force_login(world.manager_b)
    assert client.get(detail(booking)).status_code == 404
    assert refund_post(client, booking, "5.00").status_code == 404
    record = reverse("booking_list:action", args=[booking.pk, "record-payment"])
    assert client.post(record).status_code == 404
    assert not Refund.objects.exists()
    assert Payment.objects.filter(booking=booking).count() == 1


def test_refund_is_a_post_with_csrf(world):
    booking = world.confirmed_a
    pay(booking)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.manager_a)
    assert client.get(refund_url(booking)).status_code == 405
    assert refund_post(client, booking, "5.00").status_code == 403  # no CSRF token
    assert not Refund.objects.exists()


def test_record_payment_at_the_venue(as_manager_a, world):
    booking = world.confirmed_a
    assert booking.payment_state == PaymentState.DUE_AT_VENUE
    response = as_manager_a.post(reverse("booking_list:action", args=[booking.pk, "record-payment"]), follow=True)
    assert response.redirect_chain[-1][0] == detail(booking)
    assert flashes(response) == [f"{booking.reference}: payment at the venue recorded."]
    booking.refresh_from_db()
    assert booking.payment_state == PaymentState.PAID
    payment = booking.payments.get()
    assert (payment.provider, payment.amount_minor, payment.recorded_by) == ("venue", 1500, world.manager_a)

    section = panel(response)
    assert section.select_one("[data-booking-action='record-payment']") is None
    assert "Recorded by Ada Lovelace" in section.get_text(" ", strip=True)
    assert section.select_one("input[name='refund-amount']")["value"] == "15.00"

    # Twice is refused in the service's words, and records nothing more.
    response = as_manager_a.post(reverse("booking_list:action", args=[booking.pk, "record-payment"]), follow=True)
    assert flashes(response) == ["This booking has nothing to pay at the venue."]
    assert booking.payments.count() == 1


def test_no_record_button_before_the_booking_is_confirmed(as_manager_a, world):
    booking = world.confirmed_a
    booking.status = BookingStatus.CANCELLED
    booking.save(update_fields=["status"])
    section = panel(as_manager_a.get(detail(booking)))
    assert section.select_one("[data-booking-action='record-payment']") is None
