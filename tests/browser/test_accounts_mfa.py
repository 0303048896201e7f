"""Two-factor authentication in the browser: a venue manager, sent from the admin to set up an
authenticator app, reads the secret on the page, activates it with a code computed here (RFC 6238,
``tests.support.totp``), reaches the admin, and next time logs in with the password and a code.
French on a desktop; English on a phone, from the account menu."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_no_sideways_scroll
from tests.support.totp import totp_code
from venues.services import venue_manager_assign

pytestmark = pytest.mark.browser

PASSWORD = "gerante-mot-de-passe-2026"
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}


@pytest.fixture
def manager(network, django_user_model, settings):
    # A fast hasher: the log-in checks the password in the live server's thread, same settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = django_user_model.objects.create_user("gerante", email="gerante@example.org", password=PASSWORD)
    venue_manager_assign(venue=network["ruche"], user=user)
    return user


def fill_password_and_submit(page):
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def activate_from_the_page(page) -> str:
    """The secret as the page shows it, and the code an authenticator app would show for it."""
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    expect(page.locator("img.mfa-qr")).to_be_visible()
    page.locator("#id_code").fill(totp_code(secret))
    page.locator("#id_code").press("Enter")
    page.wait_for_load_state()
    return secret


def log_in_with_code(page, secret, *, login_path):
    page.goto(login_path)
    page.locator("input[name=login]").fill("gerante")
    fill_password_and_submit(page)
    # The second step: the code (from the next 30-second window, as the one just used is spent).
    code = page.locator("input[name=code]")
    expect(code).to_be_visible()
    expect(code).to_have_attribute("inputmode", "numeric")
    code.fill(totp_code(secret, at=time.time() + 30))
    code.press("Enter")
    page.wait_for_load_state()


def test_manager_sent_from_the_admin_sets_up_an_app_and_logs_in_with_a_code(make_context, manager, settings, shot):
    settings.ESSAIM_STAFF_2FA_REQUIRED = True
    page = make_context(**DESKTOP).new_page()

    # The admin's log-in is the public one; the admin then sends them to set up a second factor.
    page.goto("/admin/")
    page.wait_for_url(re.compile(r"/connexion/\?next="))
    page.locator("input[name=login]").fill("gerante")
    fill_password_and_submit(page)
    # allauth asks for the password again before a factor is added.
    page.wait_for_url(re.compile(r"/compte/reauthenticate/"))
    expect(page.locator("main")).to_contain_text("L'administration n'est ouverte qu'aux comptes protégés")
    fill_password_and_submit(page)
    page.wait_for_url(re.compile(r"/compte/2fa/totp/activate/"))
    expect(page.locator("main")).to_contain_text("Votre compte ouvre l'administration")
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer l'application d'authentification")
    shot(page, "activate")

    secret = activate_from_the_page(page)
    page.wait_for_url(re.compile(r"/compte/2fa/recovery-codes/"))
    expect(page.locator("#recovery_codes")).to_be_visible()
    assert len(page.locator("#recovery_codes").input_value().split()) == 10
    shot(page, "recovery-codes")
    page.get_by_role("link", name="Aller à l'administration").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    expect(page.locator("[data-today-panel]")).to_be_visible()

    # Next time, in a fresh browser: password, then the code; and the admin opens.
    page = make_context(**DESKTOP).new_page()
    log_in_with_code(page, secret, login_path="/admin/login/")
    page.wait_for_url(re.compile(r"/admin/$"))
    expect(page.locator("[data-today-panel]")).to_be_visible()


def test_manager_on_a_phone_in_english_sets_up_the_app_from_the_account_menu(make_context, manager, shot):
    page = make_context(**PHONE).new_page()
    page.goto("/en/log-in/")
    page.locator("input[name=login]").fill("gerante")
    fill_password_and_submit(page)
    page.goto("/en/account/2fa/")
    expect(
        page.get_by_role("navigation", name="My account").get_by_role("link", name="Two-factor authentication")
    ).to_have_attribute("aria-current", "page")
    expect(page.locator("main")).to_contain_text("An authenticator app is not active.")
    page.get_by_role("link", name="Activate").click()
    page.wait_for_url(re.compile(r"/en/account/reauthenticate/"))
    fill_password_and_submit(page)
    page.wait_for_url(re.compile(r"/en/account/2fa/totp/activate/"))
    assert_no_sideways_scroll(page, 390)
    shot(page, "activate")

    secret = activate_from_the_page(page)
    page.wait_for_url(re.compile(r"/en/account/2fa/recovery-codes/"))
    assert_no_sideways_scroll(page, 390)
    page.goto("/en/account/2fa/")
    expect(page.locator("main")).to_contain_text("Authentication using an authenticator app is active.")
    expect(page.locator("main")).to_contain_text("There are 10 out of 10 recovery codes available.")
    assert_no_sideways_scroll(page, 390)
    shot(page, "index")

    # Next time: the code is asked, typed on the number pad.
    page = make_context(**PHONE).new_page()
    log_in_with_code(page, secret, login_path="/en/log-in/?next=/en/account/2fa/")
    assert_no_sideways_scroll(page, 390)
    page.wait_for_url(re.compile(r"/en/account/2fa/$"))
    expect(page.locator("main")).to_contain_text("Authentication using an authenticator app is active.")
