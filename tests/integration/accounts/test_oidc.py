"""Log-in with ProConnect and a node's OpenID Connect provider, end to end against a real provider
(oidc-provider-mock on loopback): the Django test client starts the log-in, ``requests`` answers the
provider's authorisation form as the person would, and Essaim's server talks to the provider over
real HTTP (discovery, token, user info, keys)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile
from tests.support.factories import UserFactory
from tests.support.oidc import MOCK_WARNINGS, configure, oidc_app, oidc_provider

pytestmark = [pytest.mark.django_db, *(pytest.mark.filterwarnings(w) for w in MOCK_WARNINGS)]

ALICE = {"email": "alice@example.org", "email_verified": True, "given_name": "Alice", "family_name": "Martin"}
# ProConnect gives no ``email_verified``: the operator vouches for it (``verified_email``).
AGENT = {
    "email": "camille.durand@ville-exemple.fr",
    "given_name": "Camille",
    "usual_name": "Durand",
    "siret": "21690123100011",
    "uid": "4242",
    "acr": "eidas1",
}
PROCONNECT_SETTINGS = {
    "scope": ["openid", "email", "given_name", "usual_name", "siret", "uid"],
    "auth_params": {"acr_values": "eidas1"},
    "verified_email": True,
}


@pytest.fixture
def keycloak(settings):
    with oidc_provider({"alice": ALICE, "mallory": {"email": "owner@example.org", "email_verified": False}}) as url:
        configure(settings, oidc_app("keycloak", "Réseau Sud", url, oauth_pkce_enabled=True))
        yield url


@pytest.fixture
def proconnect(settings, monkeypatch):
    with oidc_provider({"agent": AGENT}, proconnect=True, monkeypatch=monkeypatch) as url:
        configure(settings, oidc_app("proconnect", "ProConnect", url, **PROCONNECT_SETTINGS))
        yield url


def oidc_log_in(client, provider_id: str, sub: str, *, language: str = "fr"):
    """Click the provider's button, authorise as ``sub`` at the provider, follow back to Essaim."""
    with translation.override(language):
        start = reverse("openid_connect_login", kwargs={"provider_id": provider_id})
    response = client.post(start)
    assert response.status_code == 302, response.content
    authorize = response["Location"]
    assert "nonce=" in authorize
    redirect_uri = parse_qs(urlsplit(authorize).query)["redirect_uri"]
    assert redirect_uri == [f"http://testserver/compte/oidc/{provider_id}/login/callback/"]
    answer = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}", follow=True)


def logged_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def test_signing_up_through_a_provider_makes_an_account_with_a_verified_address(client, keycloak):
    response = oidc_log_in(client, "keycloak", "alice")

    assert response.status_code == 200
    user = logged_in_user(client)
    assert user is not None
    assert (user.email, user.first_name, user.last_name) == ("alice@example.org", "Alice", "Martin")
    assert EmailAddress.objects.get(user=user).verified
    assert SocialAccount.objects.get(user=user).provider == "keycloak"
    assert Profile.objects.get(user=user).language == "fr"
    assert not user.has_usable_password()


def test_proconnect_signed_user_info_names_the_person_and_the_page_gives_the_language(client, proconnect):
    response = oidc_log_in(client, "proconnect", "agent", language="en")

    assert response.status_code == 200
    # One redirect URI to register at ProConnect, whatever the page's language; back on the English site.
    assert response.redirect_chain[0][0].startswith("/en/")
    user = logged_in_user(client)
    assert (user.email, user.first_name, user.last_name) == (AGENT["email"], "Camille", "Durand")
    assert EmailAddress.objects.get(user=user).verified
    account = SocialAccount.objects.get(user=user, provider="proconnect")
    assert account.extra_data["userinfo"]["siret"] == AGENT["siret"]
    assert Profile.objects.get(user=user).language == "en"


def test_user_info_signed_for_another_client_is_refused(client, settings, monkeypatch):
    with oidc_provider({"agent": AGENT}, proconnect=True, monkeypatch=monkeypatch) as url:
        app = oidc_app("proconnect", "ProConnect", url, **PROCONNECT_SETTINGS)
        configure(settings, {**app, "client_id": "another-client"})
        response = oidc_log_in(client, "proconnect", "agent")

    assert logged_in_user(client) is None
    assert not get_user_model().objects.filter(email=AGENT["email"]).exists()
    assert "authentication-error" in response.content.decode() or response.templates[0].name.startswith(
        "socialaccount/authentication_error"
    )


def test_an_authentication_below_the_level_asked_for_is_refused(client, settings, monkeypatch):
    with oidc_provider({"agent": {**AGENT, "acr": "eidas0"}}, proconnect=True, monkeypatch=monkeypatch) as url:
        configure(settings, oidc_app("proconnect", "ProConnect", url, **PROCONNECT_SETTINGS))
        oidc_log_in(client, "proconnect", "agent")

    assert logged_in_user(client) is None
    assert not get_user_model().objects.filter(email=AGENT["email"]).exists()


def test_an_existing_account_is_linked_through_an_address_the_provider_verified(client, keycloak):
    member = UserFactory(email="alice@example.org", first_name="Alice", last_name="Ancienne")

    oidc_log_in(client, "keycloak", "alice")

    assert logged_in_user(client) == member
    assert SocialAccount.objects.get(provider="keycloak").user == member
    assert get_user_model().objects.count() == 1
    member.refresh_from_db()
    assert member.has_usable_password()


def test_an_unverified_address_of_another_account_cannot_be_claimed(client, keycloak):
    owner = UserFactory(email="owner@example.org", password="owner-pass-4f1c")

    response = oidc_log_in(client, "keycloak", "mallory")

    assert response.status_code == 409
    assert logged_in_user(client) is None
    assert not SocialAccount.objects.exists()
    assert get_user_model().objects.count() == 1
    page = response.content.decode()
    assert "owner@example.org" in page
    assert reverse("account_login") in page
    owner.refresh_from_db()
    assert owner.check_password("owner-pass-4f1c")


def test_the_id_token_must_carry_this_sessions_nonce(client, keycloak):
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": "keycloak"}))
    answer = requests.post(start["Location"], data={"sub": "alice"}, allow_redirects=False, timeout=10)
    session = client.session
    session["essaim_oidc_nonces"] = ["not-the-nonce-sent"]
    session.save()
    callback = urlsplit(answer.headers["Location"])

    client.get(f"{callback.path}?{callback.query}", follow=True)

    assert logged_in_user(client) is None
    assert not get_user_model().objects.exists()


def test_the_buttons_post_to_the_configured_providers(client, settings, keycloak):
    configure(
        settings,
        oidc_app("proconnect", "ProConnect", keycloak, **PROCONNECT_SETTINGS),
        oidc_app("keycloak", "Réseau Sud", keycloak),
    )
    for language, page_name, texts in [
        ("fr", "account_login", ["S’identifier avec ProConnect", "Se connecter avec Réseau Sud"]),
        ("fr", "account_signup", ["S’identifier avec ProConnect", "Se connecter avec Réseau Sud"]),
        ("en", "account_login", ["Log in with ProConnect", "Log in with Réseau Sud", "What is ProConnect?"]),
    ]:
        with translation.override(language):
            url = reverse(page_name)
            action = reverse("openid_connect_login", kwargs={"provider_id": "proconnect"})
        page = client.get(url).content.decode()
        for text in texts:
            assert text in page, (url, text)
        assert f'<form method="post" action="{action}' in page
        assert "csrfmiddlewaretoken" in page


def test_a_get_on_the_log_in_route_starts_nothing(client, keycloak):
    response = client.get(reverse("openid_connect_login", kwargs={"provider_id": "keycloak"}))

    assert response.status_code == 200
    assert "127.0.0.1" not in response.get("Location", "")


def test_no_provider_no_button_and_no_route(client, settings):
    configure(settings)
    member = UserFactory()

    assert "oidc-providers" not in client.get("/connexion/").content.decode()
    assert "oidc-providers" not in client.get("/inscription/").content.decode()
    assert client.post("/compte/oidc/proconnect/login/").status_code == 404
    assert client.get("/compte/oidc/proconnect/login/callback/?code=x&state=y").status_code == 404
    client.force_login(member)
    assert reverse("socialaccount_connections") not in client.get(reverse("account_email")).content.decode()


def test_the_account_menu_offers_connected_accounts_when_a_provider_is_configured(client, keycloak):
    client.force_login(UserFactory())

    page = client.get(reverse("socialaccount_connections")).content.decode()

    assert reverse("socialaccount_connections") in page
    assert "Se connecter avec Réseau Sud" not in page
    assert "Connecter Réseau Sud" in page
