"""Log in with ProConnect in the browser: the button on the log-in page, the provider's
authorisation page (oidc-provider-mock on loopback, answering as ProConnect does), back on Essaim
logged in; in French on a desktop, in English on a phone."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.support import assert_no_sideways_scroll
from tests.support.oidc import MOCK_WARNINGS, configure, oidc_app, oidc_provider

pytestmark = [pytest.mark.browser, *(pytest.mark.filterwarnings(w) for w in MOCK_WARNINGS)]

AGENT = {
    "email": "camille.durand@ville-exemple.fr",
    "given_name": "Camille",
    "usual_name": "Durand",
    "siret": "21690123100011",
    "uid": "4242",
    "acr": "eidas1",
}


@pytest.fixture
def proconnect(settings, monkeypatch):
    with oidc_provider({"agent": AGENT}, proconnect=True, monkeypatch=monkeypatch) as url:
        configure(
            settings,
            oidc_app(
                "proconnect",
                "ProConnect",
                url,
                scope=["openid", "email", "given_name", "usual_name", "siret", "uid"],
                auth_params={"acr_values": "eidas1"},
                verified_email=True,
            ),
        )
        yield url


@pytest.mark.parametrize(
    ("language", "path", "button", "viewport"),
    [
        ("fr", "/connexion/", "S’identifier avec ProConnect", {"width": 1280, "height": 900}),
        ("en", "/en/log-in/", "Log in with ProConnect", {"width": 375, "height": 740}),
    ],
)
def test_log_in_with_proconnect(make_context, live_server, proconnect, shot, language, path, button, viewport):
    page = make_context(viewport=viewport).new_page()
    page.goto(live_server.url + path)
    proconnect_button = page.get_by_role("button", name=button)
    expect(proconnect_button).to_be_visible()
    assert_no_sideways_scroll(page, viewport["width"])
    shot(page, "log-in-page")

    proconnect_button.click()
    page.wait_for_url(f"{proconnect}/oauth2/authorize*")
    page.get_by_role("button", name="agent").click()

    page.wait_for_url(f"{live_server.url}/{'en/' if language == 'en' else ''}**")
    page.wait_for_load_state()
    shot(page, "logged-in")
    person = get_user_model().objects.get(email=AGENT["email"])
    assert (person.first_name, person.last_name) == ("Camille", "Durand")
    assert SocialAccount.objects.filter(user=person, provider="proconnect").exists()
    assert page.locator("html").get_attribute("lang") == language

    # The account menu leads to the connected accounts, ProConnect's among them.
    menu = page.locator("button.menu-button")  # on a phone the header's links are behind "Menu"
    if menu.is_visible():
        menu.click()
    with translation.override(language):
        page.locator(f'header a[href="{reverse("account_profile")}"]').click()
    page.get_by_role("link", name={"fr": "Comptes associés", "en": "Account Connections"}[language]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        {"fr": "Comptes associés", "en": "Account Connections"}[language]
    )
    expect(page.get_by_text("ProConnect").first).to_be_visible()
    assert_no_sideways_scroll(page, viewport["width"])
    shot(page, "connections")
