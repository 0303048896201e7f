"""An entrepreneur books in the browser: a desk from the venue's page (logging in on the way), sees
it in "My bookings", cancels it; and a room on a phone, by slots, with the keyboard."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from tests.browser.support import assert_no_sideways_scroll, log_in, resource_at, weekday_ahead

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}


def test_book_a_desk_see_it_and_cancel_it(page, network, entrepreneur, shot):
    resource_at(
        network["ruche"],
        name="Bureau fenêtre",
        kind="desk",
        booking_unit="half_day",
        pricing_unit="day",
        price_minor=1800,
    )
    page.goto(network["ruche"].url)
    card = page.get_by_test_id("resource-card").filter(has_text="Bureau fenêtre")
    expect(card).to_contain_text("18,00\xa0€")
    shot(page, "venue")
    card.locator("a.button").click()
    expect(page.locator("h1")).to_have_text("Bureau fenêtre")
    page.locator("#day-input").fill(weekday_ahead())
    page.locator("form.day-picker button").click()

    # The day's parts in local time; choose the whole day and book.
    expect(page.locator("table.presets tbody tr")).to_have_count(3)
    expect(page.locator(".zone")).to_contain_text("Europe/Paris")
    page.locator("input[name=preset][value=day]").check()
    shot(page, "day")
    page.locator("#book-form button[type=submit]").click()

    # Not logged in yet: log in, and come back with the whole day still chosen.
    expect(page).to_have_url(re.compile(re.escape(reverse("account_login")) + r"\?next="))
    log_in(page)
    expect(page.locator("input[name=preset][value=day]")).to_be_checked()
    page.locator("#book-form button[type=submit]").click()

    expect(page.locator(".confirmation")).to_be_visible()
    booking = Booking.objects.get(user=entrepreneur)
    expect(page.locator(".reference")).to_have_text(booking.reference)
    expect(page.locator(".booking-facts")).to_contain_text("09:00–18:00")
    expect(page.locator(".booking-facts")).to_contain_text("18,00\xa0€")
    expect(page.locator(".booking-facts .status")).to_have_class(re.compile("status-confirmed"))
    shot(page, "confirmation")

    page.locator(f"nav.main-nav a[href='{reverse('bookings:mine')}']").click()
    row = page.locator(f"[data-testid=upcoming] tr[data-reference='{booking.reference}']")
    expect(row).to_contain_text("Bureau fenêtre")
    shot(page, "my-bookings")
    row.locator(f"a[href='{reverse('bookings:cancel', args=[booking.reference])}']").click()

    expect(page.locator(".terms")).to_be_visible()
    shot(page, "cancel")
    page.locator("main form button.button-danger").click()
    expect(page.locator(".messages")).to_contain_text(booking.reference)
    expect(page.locator("[data-testid=upcoming]")).to_have_count(0)
    expect(page.locator(f"[data-testid=past] tr[data-reference='{booking.reference}'] .status")).to_have_class(
        re.compile("status-cancelled")
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


@pytest.mark.browser_context_args(**PHONE)
def test_book_a_room_on_a_phone_with_the_keyboard(page, network, entrepreneur, shot):
    room = resource_at(network["ruche"], name="Salle Canut", kind="room", max_minutes=120, price_minor=0)
    page.goto(reverse("account_login"))
    log_in(page)
    page.goto(f"{reverse('bookings:resource', args=[room.pk])}?day={weekday_ahead()}")
    assert_no_sideways_scroll(page, 390)
    free = page.locator(".slot-grid .slot-free a")
    expect(free.first).to_be_visible()
    # Choosing a slot in the grid selects it as the start; the ends offered follow the rules.
    third = free.nth(2)
    start = third.get_attribute("data-start")
    third.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_start")).to_be_focused()
    expect(page.locator("#id_start")).to_have_value(start)
    enabled_ends = page.locator("#id_end option:not([disabled])")
    expect(enabled_ends).to_have_count(4)  # 30 min to 2 h by the half hour
    page.locator("#id_end").select_option(enabled_ends.nth(1).get_attribute("value"))
    shot(page, "room")
    page.locator("#book-form button[type=submit]").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".confirmation")).to_be_visible()
    assert_no_sideways_scroll(page, 390)
    page.goto(reverse("bookings:mine"))
    assert_no_sideways_scroll(page, 390)
    expect(page.locator("[data-testid=upcoming] tbody tr")).to_have_count(1)
    shot(page, "my-bookings")
