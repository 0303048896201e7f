"""Deleting an account: bookings ahead cancelled under each venue's policy (a paid one refunded
through Stripe after the commit), waitlist places given up, the past kept without the name,
payments kept, a confirmation e-mailed, and the account's sessions, tokens and feed stopped at once."""

from datetime import UTC, datetime, timedelta

import pytest
import responses
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import ApiToken, Profile, Project
from accounts.services import erasure, profiles
from accounts.services import tokens as token_services
from bookings import services as booking_services
from bookings.models import Booking, BookingStatus, Payment, Refund, RefundKind, RefundStatus
from events import services as event_services
from events.models import WaitlistEntry, WaitlistStatus
from tests.integration.payments.stripe_fake import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    FakeStripe,
    deliver,
    place_and_checkout,
)
from tests.support.factories import BookingFactory, EventFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris
TUESDAY_9 = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
PASSWORD = "manager-pass-7c1d"


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def fake_stripe(settings):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_WEBHOOK_TOLERANCE = 300
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeStripe(mock).install()


@pytest.fixture
def alice(make_user):
    alice = make_user("alice", first_name="Alice", last_name="Martin")
    profiles.project_add(alice, name="Atelier vélo")
    return alice


def paid(client, fake_stripe, capture, user, resource, start):
    request = booking_services.BookingRequest(resource, start, start + timedelta(hours=1), 1)
    with capture(execute=True):
        booking, payment = place_and_checkout(user=user, request=request)
    with capture(execute=True):
        assert deliver(client, fake_stripe.pay(payment.session_id)).status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    return booking


def test_deleting_cancels_under_each_policy_and_keeps_the_past_nameless(
    client, alice, make_resource, fake_stripe, django_capture_on_commit_callbacks
):
    free_window = make_resource(price_minor=1250, pricing_unit="booking", free_cancel_hours=24)
    too_late = make_resource(price_minor=900, pricing_unit="booking", free_cancel_hours=48, late_cancellation="refused")
    capture = django_capture_on_commit_callbacks
    refundable = paid(client, fake_stripe, capture, alice, free_window, TUESDAY_9)
    kept = paid(client, fake_stripe, capture, alice, too_late, TUESDAY_9)
    past = BookingFactory(user=alice, resource=make_resource(), note="needs a ramp", now=NOW - timedelta(days=14))
    Booking.objects.filter(pk=past.pk).update(start=NOW - timedelta(days=7), end=NOW - timedelta(days=7, hours=-1))
    payments_before = Payment.objects.count()
    address = alice.email
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        outcome = erasure.account_delete(user=alice)

    assert outcome == {"cancelled": [refundable.reference], "kept": [kept.reference]}
    refundable.refresh_from_db()
    kept.refresh_from_db()
    past.refresh_from_db()
    assert refundable.status == BookingStatus.CANCELLED
    [refund] = Refund.objects.all()
    assert refund.payment.booking == refundable and refund.kind == RefundKind.POLICY and refund.amount_minor == 1250
    assert refund.status == RefundStatus.SUCCEEDED  # sent to Stripe once the deletion committed
    assert [form["amount"] for _m, _u, _k, form in fake_stripe.refund_calls()] == ["1250"]
    assert kept.status == BookingStatus.CONFIRMED
    assert past.note == "" and past.user_id == alice.pk
    assert Payment.objects.count() == payments_before  # accounting records stay

    alice.refresh_from_db()
    assert alice.username.startswith("deleted-") and alice.email == "" and not alice.first_name and not alice.last_name
    assert not alice.is_active and not alice.has_usable_password()
    for model in (EmailAddress, Profile, ApiToken):
        assert not model.objects.filter(user=alice).exists()
    assert not Project.objects.filter(owner=alice).exists()

    [confirmation] = [m for m in mail.outbox if m.to == [address]]
    assert "supprimé" in confirmation.subject  # her language: French
    assert refundable.reference in confirmation.body and kept.reference in confirmation.body
    assert "Alice" not in confirmation.body


def test_registrations_are_cancelled_and_waitlist_places_given_up(alice, make_user):
    full = EventFactory(capacity=1)
    open_event = EventFactory(capacity=3)
    bob = make_user("bob")
    event_services.registration_create(user=bob, event=full, recurrence_id=full.start)
    entry = event_services.waitlist_join(user=alice, event=full, recurrence_id=full.start)
    registration = event_services.registration_create(user=alice, event=open_event, recurrence_id=open_event.start)

    outcome = erasure.account_delete(user=alice)

    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.LEFT
    booking = registration if isinstance(registration, Booking) else registration[0]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and outcome["cancelled"] == [booking.reference]
    assert WaitlistEntry.objects.filter(user=alice).count() == 1  # the history stays, nameless


def test_sessions_tokens_and_feed_stop_at_once(client, alice):
    other_device = Client()
    other_device.force_login(alice)
    assert other_device.get(reverse("account_profile")).status_code == 200
    _token, secret = token_services.api_token_create(user=alice, name="script")
    legacy = Token.objects.create(user=alice).key
    feed = booking_services.calendar_feed_ensure(user=alice)
    feed_url = reverse("feeds:me", args=[feed.secret])
    assert client.get(feed_url).status_code == 200

    client.force_login(alice)
    answer = client.post(reverse("account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert answer.status_code == 200 and "a été supprimé" in answer.content.decode()

    for device in (client, other_device):
        assert device.get(reverse("account_profile")).status_code == 302  # to the log-in page
    for key in (secret, legacy):
        assert client.get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert client.get(feed_url).status_code == 404
    assert authenticate(RequestFactory().post("/"), username="alice", password=PASSWORD) is None


def test_a_wrong_password_or_no_confirmation_deletes_nothing(client, alice):
    client.force_login(alice)
    page = client.get(reverse("account_delete"))
    assert page.status_code == 200 and 'name="password"' in page.content.decode()
    assert client.post(reverse("account_delete"), {"password": "wrong", "confirm": "on"}).status_code == 400
    assert client.post(reverse("account_delete"), {"password": PASSWORD}).status_code == 400
    alice.refresh_from_db()
    assert alice.is_active and alice.email
    assert client.get(reverse("account_profile")).status_code == 200


def test_deleting_twice_changes_nothing(alice):
    erasure.account_delete(user=alice)
    alice.refresh_from_db()
    name = alice.username
    assert erasure.account_delete(user=alice) == {"cancelled": [], "kept": []}
    alice.refresh_from_db()
    assert alice.username == name


def test_wrong_passwords_on_the_deletion_form_lock_out_as_on_the_log_in_page(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client.force_login(alice)
    for _attempt in range(3):
        client.post(reverse("account_delete"), {"password": "guess", "confirm": "on"})
    answer = client.post(reverse("account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert answer.status_code in (400, 403, 429)
    alice.refresh_from_db()
    assert alice.is_active and alice.email
