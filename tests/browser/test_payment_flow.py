"""Paying at the venue, in the browser: with no Stripe key (the offline demo) a priced desk is booked
and confirmed at once, and the amount due is shown on the confirmation page and in "My bookings";
a resource marked "paid at the venue" works the same even when Stripe is configured, here in CFA
francs (no decimals) on a phone."""

import re

import pytest
import responses
from django.test import Client
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus, PaymentState, Refund, RefundStatus
from bookings.presentation import amount_label
from tests.browser.support import assert_no_sideways_scroll, log_in, resource_at, weekday_ahead
from tests.integration.payments.stripe_fake import SECRET_KEY, WEBHOOK_SECRET, FakeStripe, deliver

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
SCREENSHOT = "/tmp/pay_at_venue.png"


def _open_and_log_in(page):
    page.goto(reverse("account_login"))
    log_in(page)


def _book_whole_day(page, resource):
    page.goto(f"{reverse('bookings:resource', args=[resource.pk])}?day={weekday_ahead()}")
    page.locator("input[name=preset][value=day]").check()
    page.locator("#book-form button[type=submit]").click()
    expect(page.locator(".confirmation")).to_be_visible()


def _amount_label(booking):
    """What the French pages say for the booking's price, from the catalogue."""
    with translation.override("fr"):
        return amount_label(booking, "fr")


def test_pay_at_venue_without_stripe(page, settings, network, entrepreneur, shot):
    settings.STRIPE_SECRET_KEY = ""
    desk = resource_at(
        network["ruche"],
        name="Bureau verrière",
        kind="desk",
        booking_unit="half_day",
        pricing_unit="booking",
        price_minor=1250,
    )
    _open_and_log_in(page)
    _book_whole_day(page, desk)

    booking = Booking.objects.get(user=entrepreneur)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.payment_state == PaymentState.DUE_AT_VENUE
    assert (booking.amount_minor, booking.currency) == (1250, "EUR")
    # Confirmed straight away: no payment step, no hold, the amount to bring.
    expect(page.locator(".booking-facts .status")).to_have_class(re.compile("status-confirmed"))
    expect(page.locator(".pay-box")).to_have_count(0)
    expect(page.locator(".pay-at-venue")).to_contain_text("12,50\xa0€")
    expect(page.locator(".booking-facts")).to_contain_text(_amount_label(booking))
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.locator(f".actions a[href='{reverse('bookings:mine')}']").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("bookings:mine")) + "$"))
    row = page.locator(f"[data-testid=upcoming] tr[data-reference='{booking.reference}']")
    expect(row).to_contain_text("Bureau verrière")
    expect(row.locator("td[data-label]").nth(1)).to_have_text(_amount_label(booking))
    expect(row.locator(".status")).to_have_class(re.compile("status-confirmed"))
    shot(page, "my-bookings")


@pytest.mark.browser_context_args(**PHONE)
def test_pay_at_venue_resource_in_cfa_francs_on_a_phone(page, settings, network, entrepreneur, shot):
    # Stripe is configured, but this resource is paid at the door: no Checkout, nothing leaves the
    # server (pytest-socket would refuse a call to Stripe, Chromium may only reach the live server).
    settings.STRIPE_SECRET_KEY = "sk_test_not_used"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_not_used"
    desk = resource_at(
        network["dakar"],
        name="Poste corniche",
        kind="desk",
        booking_unit="half_day",
        pricing_unit="day",
        price_minor=5000,
        currency="XOF",
        pay_at_venue=True,
    )
    _open_and_log_in(page)
    _book_whole_day(page, desk)

    booking = Booking.objects.get(user=entrepreneur)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.payment_state == PaymentState.DUE_AT_VENUE
    assert (booking.amount_minor, booking.currency) == (5000, "XOF")
    expect(page.locator(".pay-box")).to_have_count(0)
    amount = page.locator(".pay-at-venue")
    expect(amount).to_contain_text("5\u202f000\u00a0F\u202fCFA")  # whole CFA francs, as CLDR writes them
    amount.scroll_into_view_if_needed()
    box = amount.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
    assert_no_sideways_scroll(page, 375)
    shot(page, "confirmation")

    page.goto(reverse("bookings:mine"))
    row = page.locator(f"[data-testid=upcoming] tr[data-reference='{booking.reference}']")
    price = row.locator("td[data-label]").nth(1)
    expect(price).to_have_text(_amount_label(booking))
    expect(price).to_be_visible()
    assert_no_sideways_scroll(page, 375)
    shot(page, "my-bookings")


FAKE_CHECKOUT = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stripe Checkout (test)</title></head>'
    '<body><main><h1>Pay {amount}</h1><a id="pay" href="{success}">Pay</a> <a id="back" href="{cancel}">Back</a>'
    "</main></body></html>"
)


def test_online_payment_through_checkout_then_cancel_and_refund(page, settings, network, entrepreneur, shot):
    """Stripe on: the booking page sends the booker to Checkout (its page faked in the browser, its
    API faked at the HTTP layer); Stripe's signed webhook confirms the booking; the booker comes
    back to a confirmed booking with a receipt, cancels it in the free window and is refunded."""
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = SECRET_KEY, WEBHOOK_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    desk = resource_at(
        network["ruche"],
        name="Bureau verrière",
        kind="desk",
        booking_unit="half_day",
        pricing_unit="booking",
        price_minor=1250,
        free_cancel_hours=24,
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        stripe = FakeStripe(mock).install()

        def checkout_page(route):
            session = next(s for s in stripe.sessions.values() if s["id"] in route.request.url)
            success = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
            html = FAKE_CHECKOUT.format(amount="12.50 EUR", success=success, cancel=session["cancel_url"])
            route.fulfill(status=200, content_type="text/html", body=html)

        page.route("https://checkout.stripe.com/**", checkout_page)
        _open_and_log_in(page)
        page.goto(f"{reverse('bookings:resource', args=[desk.pk])}?day={weekday_ahead()}")
        page.locator("input[name=preset][value=day]").check()
        page.locator("#book-form button[type=submit]").click()
        expect(page.locator("h1")).to_have_text("Pay 12.50 EUR")  # on "Stripe"
        booking = Booking.objects.get(user=entrepreneur)
        assert booking.status == BookingStatus.HELD and booking.payment_state == PaymentState.PENDING

        # The booker pays; Stripe tells the server (signed), then sends the browser back.
        [session_id] = stripe.sessions
        assert deliver(Client(), stripe.pay(session_id)).status_code == 200
        page.locator("#pay").click()
        expect(page.locator(".confirmation h1")).to_be_visible()
        with translation.override("fr"):
            expect(page.locator("ul.messages")).to_contain_text(
                translation.gettext("Payment received: your booking is confirmed.")
            )
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CONFIRMED and booking.payment_state == PaymentState.PAID
        expect(page.locator(".payment-facts a[href^='https://pay.stripe.com/receipts/']")).to_be_visible()
        shot(page, "paid-online")

        # Cancelling in the free window says what comes back, then refunds it through Stripe.
        page.goto(reverse("bookings:cancel", args=[booking.reference]))
        expect(page.locator(".terms")).to_contain_text("12,50\xa0€")
        page.locator("main form button.button-danger").click()
        expect(page).to_have_url(re.compile(re.escape(reverse("bookings:mine")) + "$"))
        refund = Refund.objects.get()
        assert refund.status == RefundStatus.SUCCEEDED and refund.amount_minor == 1250
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CANCELLED and booking.payment_state == PaymentState.REFUNDED
        page.goto(reverse("bookings:detail", args=[booking.reference]))
        expect(page.locator(".refunds")).to_contain_text("12,50\xa0€")
        shot(page, "refunded")
