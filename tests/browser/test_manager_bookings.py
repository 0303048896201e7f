"""Venue managers in the admin's Bookings menu: one checks a person in from the day view; a
second manager, of another venue, cannot see the first venue's bookings, even by their URL.

Bookings are made around the real clock (the live server's check-in uses it): the room is open
around the clock and the booking started within the last half hour.
"""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from bookings import inventory, services
from bookings.models import BookingStatus, Resource
from venues.services import venue_manager_assign

pytestmark = pytest.mark.browser

PASSWORD = "gerante-mot-de-passe-2026"
AROUND_THE_CLOCK = [(day, time(0), time(0)) for day in range(7)]


@pytest.fixture
def fast_hasher(settings):
    # The login checks the password in the live server's thread, with these same settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_manager(django_user_model, username, venue, **names):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", PASSWORD, **names)
    venue_manager_assign(venue=venue, user=user)
    return user


def book_now(venue, booker, name):
    """A room of ``venue`` booked by ``booker`` from the last half hour for two hours."""

    room = inventory.resource_create(venue=venue, name=name, kind="room", hours=AROUND_THE_CLOCK)
    now = timezone.now().replace(second=0, microsecond=0)
    start = now - timedelta(minutes=now.minute % 30)
    request = services.BookingRequest(room, start, start + timedelta(hours=2))
    return services.booking_create(user=booker, request=request, now=start - timedelta(minutes=1))


def french(text: str) -> str:
    """The admin's wording for a browser that asks for French (see ``browser_context_args``)."""
    with translation.override("fr"):
        return gettext(text)


def log_in(page, username):
    page.goto("/admin/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def test_manager_checks_someone_in_from_the_day_view(page, make_context, network, django_user_model, fast_hasher, shot):
    ruche = network["ruche"]
    make_manager(django_user_model, "gerante", ruche)
    booker = django_user_model.objects.create_user(
        "lea", "lea@example.org", None, first_name="Léa", last_name="Fontaine"
    )
    booking = book_now(ruche, booker, "Salle des Canuts")

    log_in(page, "gerante")
    expect(page.locator("[data-today-panel]")).to_contain_text("La Ruche des Pentes")
    shot(page, "dashboard")

    # Through the menu: Bookings › the day view.
    page.goto("/admin/bookings/day/")
    row = page.locator(f"tr[data-booking='{booking.reference}']")
    expect(row).to_contain_text("Léa Fontaine")
    expect(page.locator("[data-day-heading]")).to_contain_text("La Ruche des Pentes")
    shot(page, "day-view")

    row.locator("[data-booking-action=check-in] button").click()
    expect(page.locator(".messages")).to_contain_text(booking.reference)
    row = page.locator(f"tr[data-booking='{booking.reference}']")
    expect(row.locator("[data-booking-action=check-in]")).to_have_count(0)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    shot(page, "day-view-checked-in")

    # The booking's page tells who did it and when.
    row.locator("a").first.click()
    expect(page.locator("[data-booking-history]")).to_contain_text("gerante")
    shot(page, "booking-detail")

    # The same day view on a phone.
    phone = make_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    mobile = phone.new_page()
    log_in(mobile, "gerante")
    mobile.goto("/admin/bookings/day/")
    expect(mobile.locator(f"tr[data-booking='{booking.reference}']")).to_be_visible()
    shot(mobile, "day-view-phone")


def test_second_manager_cannot_see_the_first_venues_bookings(page, network, django_user_model, fast_hasher, shot):
    ruche, grenoble = network["ruche"], network["grenoble"]
    make_manager(django_user_model, "gerant-grenoble", grenoble)
    booker = django_user_model.objects.create_user("sam", "sam@example.org", None, first_name="Sam", last_name="Roux")
    theirs = book_now(ruche, booker, "Salle des Canuts")
    mine = book_now(grenoble, booker, "Salle Belledonne")

    log_in(page, "gerant-grenoble")
    page.goto("/admin/bookings/")
    table = page.locator("#listing-results")
    expect(table).to_contain_text(mine.reference)
    expect(table).not_to_contain_text(theirs.reference)
    expect(page.locator("main")).not_to_contain_text("La Ruche des Pentes")
    expect(page.locator("main")).not_to_contain_text("Salle des Canuts")
    shot(page, "bookings-list")

    # Guessing the other venue's ids in the URL: not found.
    for url in (
        f"/admin/bookings/{theirs.pk}/",
        f"/admin/bookings/resources/edit/{theirs.resource_id}/",
    ):
        response = page.goto(url)
        assert response.status == 404, url
        expect(page.locator("body")).not_to_contain_text("Sam Roux")

    # Nor in the day view, the report or the resource list.
    page.goto(f"/admin/bookings/day/?venue={ruche.pk}")
    expect(page.locator("main")).not_to_contain_text(theirs.reference)
    expect(page.locator("[data-day-heading]")).to_contain_text("Totem Grenoble Alpes")
    page.goto("/admin/bookings/resources/")
    expect(page.locator("main")).to_contain_text("Salle Belledonne")
    expect(page.locator("main")).not_to_contain_text("Salle des Canuts")
    shot(page, "resources")
    page.goto(f"/admin/bookings/resources/edit/{mine.resource_id}/")
    shot(page, "resource-edit")
    page.goto("/admin/bookings/occupancy/")
    expect(page.locator("[data-occupancy]")).to_contain_text("Salle Belledonne")
    shot(page, "occupancy")


def test_manager_adds_a_room_with_its_own_hours(page, network, django_user_model, fast_hasher, shot):
    ruche = network["ruche"]
    make_manager(django_user_model, "gerante", ruche)
    log_in(page, "gerante")
    page.goto("/admin/bookings/resources/new/")
    expect(page.locator("select[name=venue]")).to_have_value(str(ruche.pk))  # their only venue
    page.locator("select[name=kind]").select_option("room")
    page.locator("input[name=name]").fill("Salle Jacquard")
    page.locator("input[name=capacity]").fill("3")
    save = page.locator("#w-editor-form button[type=submit]").first
    save.click()
    # The model's rule, next to its field (the admin speaks the browser's French).
    expect(page.locator("#w-editor-form")).to_contain_text(
        french("A named desk or a room is booked by one at a time: capacity must be 1.")
    )
    shot(page, "validation")

    page.locator("input[name=capacity]").fill("1")
    page.locator("[role=tab]").filter(has_text=french("Price")).click()
    page.locator("input[name=price]").fill("12.50")
    page.locator("[role=tab]").filter(has_text=french("Hours")).click()
    expect(page.locator("[data-venue-hours-link]")).to_have_attribute("href", f"/admin/pages/{ruche.pk}/edit/")
    page.locator("#id_hours-ADD").click()
    page.locator("select[name='hours-0-weekday']").select_option("2")
    page.locator("input[name='hours-0-opens']").fill("08:00")
    page.locator("input[name='hours-0-closes']").fill("20:00")
    page.keyboard.press("Escape")  # closes the time picker
    shot(page, "hours")
    save.click()
    expect(page.locator(".messages")).to_contain_text("Salle Jacquard")

    room = Resource.objects.get(name="Salle Jacquard")
    assert (room.venue_id, room.price_minor, room.capacity) == (ruche.pk, 1250, 1)
    assert [(h.weekday, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}") for h in room.hours.all()] == [(2, "08:00", "20:00")]
