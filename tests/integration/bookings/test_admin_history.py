"""A booking's recorded reasons on its admin page, in the manager's language: the engine's codes
(``core.audit.AuditReason``) are translated once, a person's own words are shown as typed."""

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from bookings.models import (
    BookingTransition,
    Payment,
    PaymentProvider,
    PaymentStatus,
    Refund,
    RefundKind,
    RefundStatus,
)
from core.audit import AuditReason

pytestmark = pytest.mark.django_db

LATER = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # after the booking was made: the rows follow its creation
TYPED = "Dégât des eaux"


def cells(page, table: str, column: int) -> list[str]:
    return [row.select("td")[column].get_text(strip=True) for row in page.select(f"[{table}] tbody tr")]


def test_the_french_admin_shows_no_english_reason(as_manager_a, world):
    booking = world.confirmed_a
    profile = UserProfile.get_for_user(world.manager_a)
    profile.preferred_language = "fr"
    profile.save(update_fields=["preferred_language"])
    for reason in [*AuditReason, TYPED]:
        BookingTransition.objects.create(
            booking=booking, from_status=booking.status, to_status=booking.status, at=LATER, reason=reason
        )
    payment = Payment.objects.create(
        booking=booking, provider=PaymentProvider.VENUE, status=PaymentStatus.PAID, amount_minor=1500, currency="EUR"
    )
    for reason in [*AuditReason, TYPED]:
        Refund.objects.create(
            payment=payment,
            amount_minor=1,
            currency="EUR",
            status=RefundStatus.SUCCEEDED,
            kind=RefundKind.VENUE,
            reason=reason,
        )

    response = as_manager_a.get(reverse("booking_list:detail", args=[booking.pk]))
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    history = cells(page, "data-booking-history", 3)[-len(AuditReason) - 1 :]
    refunds = cells(page, "data-booking-refunds", 2)
    with translation.override("fr"):
        french = [str(reason.label) for reason in AuditReason]
    with translation.override("en"):
        english = {str(reason.label) for reason in AuditReason} | set(AuditReason.values)
    assert history == [*french, TYPED]
    assert refunds == [*french, TYPED]
    assert not english & {*history, *refunds}, "an engine reason is shown in English"


def test_a_typed_cancel_reason_is_shown_as_typed(as_manager_a, world):
    booking = world.confirmed_a
    booking.cancel_reason = TYPED
    booking.save(update_fields=["cancel_reason"])
    page = as_manager_a.get(reverse("booking_list:detail", args=[booking.pk])).content.decode()
    assert TYPED in page
