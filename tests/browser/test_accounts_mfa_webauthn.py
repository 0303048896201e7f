"""Security keys (WebAuthn) as a second factor, with Chromium's virtual authenticator (DevTools'
``WebAuthn`` domain): a manager adds a key, and next time logs in with the password and the key.

Browsers refuse an IP address as a WebAuthn relying party, so the pages are opened on ``localhost``."""

import re
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from venues.services import venue_manager_assign

pytestmark = pytest.mark.browser

PASSWORD = "gerante-mot-de-passe-2026"


@pytest.fixture
def manager(network, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = django_user_model.objects.create_user("gerante", email="gerante@example.org", password=PASSWORD)
    venue_manager_assign(venue=network["ruche"], user=user)
    return user


@pytest.fixture
def localhost(live_server):
    return f"http://localhost:{urlsplit(live_server.url).port}"


def with_virtual_authenticator(context, page):
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "usb",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})["authenticatorId"]
    return cdp, authenticator


def log_in_with_password(page, localhost, path):
    page.goto(f"{localhost}{path}")
    page.locator("input[name=login]").fill("gerante")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def test_manager_adds_a_security_key_and_logs_in_with_it(
    make_context, manager, localhost, settings, shot, blocked_requests
):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    context = make_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    cdp, authenticator = with_virtual_authenticator(context, page)

    log_in_with_password(page, localhost, "/en/log-in/")
    page.goto(f"{localhost}/en/account/2fa/")
    page.locator(".mfa-panel", has_text="Security Keys").get_by_role("link", name="Add").click()
    page.wait_for_load_state()
    if "reauthenticate" in page.url:
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(r"/en/account/2fa/webauthn/add/"))
    shot(page, "add")
    page.locator("input[name=name]").fill("Clé du bureau")
    page.locator("#mfa_webauthn_add").click()
    # Wait until the key is saved and the page has moved on (the add page's own URL matches a looser pattern).
    page.wait_for_url(lambda url: "/en/account/2fa/" in url and "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=manager, type="webauthn").count() == 1
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1

    # Log out, then in again: the password, then the key.
    page.goto(f"{localhost}/en/account/logout/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    log_in_with_password(page, localhost, "/en/log-in/?next=/en/account/2fa/")
    page.wait_for_url(re.compile(r"/en/account/2fa/authenticate/"))
    shot(page, "authenticate")
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(re.compile(r"/en/account/2fa/$"))
    expect(page.locator("main")).to_contain_text("You have added 1 security key.")
    # Only map tiles were kept from the network (the pages after log-in show a map).
    assert all(url.startswith("https://tile.openstreetmap.org/") for url in blocked_requests)
