""" "My bookings": upcoming and past lists, cancelling under the resource's terms, nobody else's
booking, and the private calendar feed's address."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from bookings import services
from bookings.models import BookingStatus, CalendarFeed

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris
TUESDAY_9 = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # 9:00 in Paris


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def html(response, status=200):
    assert response.status_code == status, response.content[:500]
    return BeautifulSoup(response.content, "html.parser")


def translated(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def book(user, resource, start, hours=1, *, now=NOW):
    return services.booking_create(
        user=user, request=services.BookingRequest(resource, start, start + timedelta(hours=hours)), now=now
    )


@pytest.fixture
def alice(make_user, client):
    user = make_user("alice")
    client.force_login(user)
    return user


@pytest.fixture
def room(make_resource):
    return make_resource(name="Salle Canut", price_minor=1500, pricing_unit="hour", free_cancel_hours=24)


def test_lists_upcoming_and_past_with_local_times(client, alice, room, make_user):
    past = book(alice, room, datetime(2026, 2, 24, 9, tzinfo=UTC), now=datetime(2026, 2, 23, tzinfo=UTC))
    soon = book(alice, room, TUESDAY_9)
    later = book(alice, room, TUESDAY_9 + timedelta(days=2))
    dropped = book(alice, room, TUESDAY_9 + timedelta(days=1))
    services.booking_cancel(booking=dropped, actor=alice, now=NOW)
    book(make_user(), room, TUESDAY_9 + timedelta(hours=3))  # someone else's: never listed

    page = html(client.get(reverse("bookings:mine")))
    upcoming = page.select('[data-testid="upcoming"] tbody tr')
    assert [row["data-reference"] for row in upcoming] == [soon.reference, later.reference]
    first = upcoming[0]
    assert first.th.get_text() == "Mardi 3 mars 2026, 09:00–10:00"
    assert "15,00\xa0€" in first.get_text() and translated("fr", "To pay at the venue").lower() in first.get_text()
    assert "status-confirmed" in first.select_one(".status")["class"]
    assert first.select_one(f'a[href="{reverse("bookings:cancel", args=[soon.reference])}"]') is not None
    past_rows = page.select('[data-testid="past"] tbody tr')
    assert [row["data-reference"] for row in past_rows] == [dropped.reference, past.reference]
    assert "status-cancelled" in past_rows[0].select_one(".status")["class"]
    assert not past_rows[0].select(f'a[href="{reverse("bookings:cancel", args=[dropped.reference])}"]')


def test_cancel_shows_the_terms_then_cancels(client, alice, room):
    booking = book(alice, room, TUESDAY_9 + timedelta(days=2))  # Thursday 5 March, 9:00
    cancel_url = reverse("bookings:cancel", args=[booking.reference])
    page = html(client.get(cancel_url))
    terms = page.select_one(".terms").get_text(strip=True)
    free_until = "Cancelling is free until %(until)s (local time), so now it costs you nothing."
    assert terms == translated("fr", free_until) % {"until": "mercredi 4 mars 2026, 09:00"}  # a day in a sentence
    assert page.select_one("form[method=post] input[name=csrfmiddlewaretoken]") is not None
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED  # looking at the terms changes nothing

    response = client.post(cancel_url, {"reason": "Plans changed"})
    assert response.status_code == 302 and response["Location"] == reverse("bookings:mine")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancel_reason == "Plans changed"
    assert booking.transitions.last().actor == alice
    page = html(client.get(response["Location"]))
    assert booking.reference in page.select_one(".messages").get_text()
    # Cancelled already: the page says so and offers no button.
    page = html(client.get(cancel_url))
    assert page.select_one("main form") is None
    no_longer = translated("fr", "This booking can no longer be cancelled.")
    assert page.select_one(".terms").get_text(strip=True) == no_longer
    assert html(client.post(cancel_url), status=400).select_one(".terms").get_text(strip=True) == no_longer


def test_late_cancellation_is_allowed_without_refund_or_refused(client, alice, room):
    booking = book(alice, room, datetime(2026, 3, 2, 13, tzinfo=UTC))  # this afternoon
    page = html(client.get(reverse("bookings:cancel", args=[booking.reference])))
    assert "late" in page.select_one(".terms")["class"]
    ended = "Free cancellation ended on %(until)s (local time). You can still cancel, but the amount is not refunded."
    assert page.select_one(".terms").get_text(strip=True) == translated("fr", ended) % {
        "until": "dimanche 1 mars 2026, 14:00"
    }

    room.late_cancellation = "refused"
    room.save()
    booking.refresh_from_db()
    page = html(client.get(reverse("bookings:cancel", args=[booking.reference])))
    assert "refused" in page.select_one(".terms")["class"]
    assert page.select_one(".terms").get_text(strip=True) == translated(
        "fr", "The free-cancellation period is over and this venue does not accept late cancellations."
    )
    assert page.select_one("main form") is None
    listed = html(client.get(reverse("bookings:mine"))).select_one(f'tr[data-reference="{booking.reference}"]')
    assert listed is not None and not listed.select(f'a[href="{reverse("bookings:cancel", args=[booking.reference])}"]')
    client.post(reverse("bookings:cancel", args=[booking.reference]))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_another_persons_booking_is_404(client, alice, room, make_user):
    bob = make_user("bob")
    theirs = book(bob, room, TUESDAY_9)
    for name in ("detail", "cancel"):
        assert client.get(reverse(f"bookings:{name}", args=[theirs.reference])).status_code == 404
    assert client.post(reverse("bookings:cancel", args=[theirs.reference]), {"reason": "mine now"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == BookingStatus.CONFIRMED
    assert client.get("/reservations/not-a-reference/").status_code == 404


def test_calendar_feed_address_and_regenerating_it(client, alice):
    page = html(client.get(reverse("bookings:mine")))
    secret = CalendarFeed.objects.get(user=alice).secret
    field = page.select_one("#feed-url")
    assert field["value"] == f"http://testserver/feeds/me/{secret}.ics"
    assert page.select_one(f'a[href="webcal://testserver/feeds/me/{secret}.ics"]') is not None
    assert translated("fr", "Google Calendar") in [h3.get_text() for h3 in page.select(".feed-help h3")]
    assert client.get(reverse("bookings:feed-regenerate")).status_code == 405

    response = client.post(reverse("bookings:feed-regenerate"))
    assert response.status_code == 302 and response["Location"].endswith("#calendar")
    new_secret = CalendarFeed.objects.get(user=alice).secret
    assert new_secret != secret
    page = html(client.get(reverse("bookings:mine")))
    assert page.select_one("#feed-url")["value"].endswith(f"/feeds/me/{new_secret}.ics")
    assert page.select_one(".messages").get_text(strip=True) == translated(
        "fr", "Your calendar has a new address. Calendars subscribed to the old one no longer receive updates."
    )


def test_regenerating_needs_the_csrf_token(alice, room):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    secret = services.calendar_feed_ensure(user=alice).secret
    assert strict.post(reverse("bookings:feed-regenerate")).status_code == 403
    assert CalendarFeed.objects.get(user=alice).secret == secret
