"""A newcomer signs up from a venue's booking page, confirms the address from the e-mail and comes
back to book what they chose (French on a desktop, English on a phone); a member resets a
forgotten password and logs in with the new one."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from accounts.models import Profile
from bookings.models import Booking, BookingStatus
from tests.browser.support import ENTREPRENEUR, assert_no_sideways_scroll, resource_at, weekday_ahead

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PASSWORD = "lent-aubergine-93"
LINK = re.compile(r"https?://\S+")


def url(language: str, name: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def link_to(address: str, part: str) -> str:
    """The link containing ``part`` in the last e-mail to ``address`` (Django's test outbox: the
    live server runs in this process)."""
    message = [message for message in mail.outbox if address in message.to][-1]
    return next(link for link in LINK.findall(message.body) if part in link)


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize(
    ("language", "screen"),
    [("fr", DESKTOP), ("en", PHONE)],
    ids=["fr-desktop", "en-phone"],
)
def test_sign_up_from_the_booking_page_confirm_and_book(
    make_context, network, live_server, settings, fast_hasher, shot, language, screen
):
    settings.ESSAIM_NODE_URL = live_server.url  # the e-mail's links lead to this server
    page = make_context(**screen).new_page()  # the language is the pages' (their path's prefix)
    desk = resource_at(network["ruche"], name="Bureau fenêtre", kind="desk", booking_unit="half_day", price_minor=0)
    booking_page = url(language, "bookings:resource", pk=desk.pk)
    page.goto(f"{booking_page}?day={weekday_ahead()}")
    page.locator("input[name=preset][value=morning]").check()
    page.locator("#book-form button[type=submit]").click()

    # Not logged in: the log-in page offers to sign up, keeping the way back.
    expect(page).to_have_url(re.compile(re.escape(url(language, "account_login")) + r"\?next="))
    page.locator(f"main a[href^='{url(language, 'account_signup')}']").click()
    expect(page).to_have_url(re.compile(re.escape(url(language, "account_signup")) + r"\?next="))
    email = f"nouvelle-{language}@example.org"
    page.get_by_label(re.compile("^(E-mail|Email|Adresse)", re.I)).first.fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_first_name").fill("Noa")
    page.locator("#id_last_name").fill("Martin")
    expect(page.locator("#id_language")).to_have_value(language)
    page.locator("#id_organisation").fill("Atelier du Rhône")
    if screen is PHONE:
        assert_no_sideways_scroll(page, 390)
    shot(page, "form")
    page.locator("form.account-form button[type=submit]").click()

    # "Look in your mailbox": the link comes back to the morning chosen.
    expect(page).to_have_url(re.compile(re.escape(url(language, "account_email_verification_sent"))))
    shot(page, "sent")
    link = link_to(email, "confirm")
    assert link.startswith(live_server.url + ("/en/" if language == "en" else "/compte/"))
    page.goto(link)
    page.locator("main form.account-form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(re.escape(booking_page)))
    expect(page.locator("input[name=preset][value=morning]")).to_be_checked()
    page.locator("#book-form button[type=submit]").click()

    expect(page.locator(".confirmation")).to_be_visible()
    booking = Booking.objects.get(user__email=email)
    assert booking.status == BookingStatus.CONFIRMED and booking.language == language
    shot(page, "booked")

    # The account's menu: choose the other language for e-mails, the feed and the API.
    other = "en" if language == "fr" else "fr"
    page.goto(url(language, "account_language"))
    page.locator(f"input[name=language][value={other}]").check()
    shot(page, "language")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(url(other, "account_language")) + "$"))
    expect(page.locator(f"input[name=language][value={other}]")).to_be_checked()
    assert Profile.objects.get(user=booking.user).language == other


def test_reset_a_forgotten_password_then_log_in_with_it(page, entrepreneur, live_server, settings, shot):
    settings.ESSAIM_NODE_URL = live_server.url
    page.goto(url("fr", "account_login"))
    page.locator(f"main a[href='{url('fr', 'account_reset_password')}']").click()
    page.locator("main input[type=email]").fill(entrepreneur.email)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(url("fr", "account_reset_password_done"))))

    page.goto(link_to(entrepreneur.email, "/reset/key/"))
    expect(page.locator("main input[name=password1]")).to_be_visible()
    page.locator("main input[name=password1]").fill("cerf-volant-rouge-71")
    page.locator("main input[name=password2]").fill("cerf-volant-rouge-71")
    shot(page, "new-password")
    page.locator("main form button[name=action]").click()
    expect(page.locator("main")).not_to_contain_text("cerf-volant")

    page.goto(url("fr", "account_login"))
    page.locator("#id_login").fill(ENTREPRENEUR)
    page.locator("#id_password").fill("cerf-volant-rouge-71")
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()
    expect(page.locator("nav.main-nav")).to_contain_text("Mon compte")
    assert urlsplit(page.url).path == url("fr", "bookings:mine")
