"""The retention periods applied by the daily task: each step takes only what is past its period,
and a second run changes nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.services import erasure, retention
from accounts.tasks import retention_apply_task
from bookings.models import Booking, BookingTransition
from tests.support.factories import BookingFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_unverified_sign_ups_go_after_their_period(settings):
    settings.ESSAIM_RETENTION_UNVERIFIED_DAYS = 7
    User = get_user_model()
    old = User.objects.create_user("old", "old@example.org", "pw-3c9d-long", date_joined=NOW - timedelta(days=8))
    fresh = User.objects.create_user("fresh", "fresh@example.org", "pw-3c9d-long", date_joined=NOW - timedelta(days=2))
    for user in (old, fresh):
        EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    admin_made = User.objects.create_user("admin-made", "a@example.org", "pw", date_joined=NOW - timedelta(days=90))

    assert retention_apply_task.delay().get()["unverified_deleted"] == 1
    assert set(User.objects.values_list("username", flat=True)) == {"fresh", "admin-made"}
    assert admin_made.is_active
    assert retention.retention_apply()["unverified_deleted"] == 0


def test_inactive_accounts_are_erased_not_team_members_or_people_with_bookings_ahead(
    settings, make_user, make_resource
):
    settings.ESSAIM_RETENTION_INACTIVE_ACCOUNT_DAYS = 1095
    long_ago = NOW - timedelta(days=1100)
    idle, booked, staff = make_user("idle"), make_user("booked"), make_user("staff", is_staff=True)
    get_user_model().objects.filter(pk__in=[idle.pk, booked.pk, staff.pk]).update(last_login=long_ago)
    BookingFactory(user=booked, resource=make_resource())
    recent = make_user("recent")

    assert retention.retention_apply()["inactive_erased"] == 1
    # Erased, and with nothing pointing at the emptied row (no booking), deleted outright.
    assert not get_user_model().objects.filter(pk=idle.pk).exists()
    for user in (booked, staff, recent):
        user.refresh_from_db()
    assert booked.is_active and staff.is_active and recent.is_active
    assert retention.retention_apply()["inactive_erased"] == 0


def test_old_notes_and_histories_go_paid_histories_stay(settings, make_user, make_resource):
    settings.ESSAIM_RETENTION_BOOKING_NOTES_DAYS = 365
    settings.ESSAIM_RETENTION_AUDIT_DAYS = 400
    alice = make_user("alice")
    old = BookingFactory(user=alice, resource=make_resource(), note="needs a ramp")
    recent = BookingFactory(user=alice, resource=make_resource(), note="keep me")
    Booking.objects.filter(pk=old.pk).update(start=NOW - timedelta(days=500), end=NOW - timedelta(days=499))
    BookingTransition.objects.filter(booking=old).update(at=NOW - timedelta(days=500))

    outcome = retention.retention_apply()
    assert outcome["booking_notes_erased"] == 1 and outcome["audit_purged"] >= 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.note == "" and recent.note == "keep me"
    assert not BookingTransition.objects.filter(booking=old).exists()
    assert BookingTransition.objects.filter(booking=recent).exists()
    assert retention.retention_apply() == dict.fromkeys(outcome, 0)


def test_after_the_accounting_period_bookings_and_erased_accounts_go(settings, make_user, make_resource):
    settings.ESSAIM_RETENTION_PAYMENT_YEARS = 10
    alice = make_user("alice")
    booking = BookingFactory(user=alice, resource=make_resource())
    Booking.objects.filter(pk=booking.pk).update(
        start=NOW - timedelta(days=3700), end=NOW - timedelta(days=3699), status="checked_in"
    )
    erasure.account_delete(user=alice)
    assert retention.retention_apply()["accounting_purged"] >= 1
    assert not Booking.objects.filter(pk=booking.pk).exists()
    assert not get_user_model().objects.filter(pk=alice.pk).exists()


def test_the_privacy_page_states_the_periods_in_both_languages(client, settings):
    settings.ESSAIM_RETENTION_UNVERIFIED_DAYS = 9
    french = client.get(reverse("privacy")).content.decode()
    assert reverse("privacy") == "/confidentialite/"
    assert "9 jours, puis supprimé" in french and "L123-22" in french
    english = client.get("/en/privacy/").content.decode()
    assert "9 days, then deleted" in english and "3650 days" in english
