"""The rule for staff (``ESSAIM_STAFF_2FA_REQUIRED``): the admins turn away venue managers, network admins
and Django's staff without a second factor, and let them back once they have one; the public site stays
open to them; with the rule off nothing changes. And the token API refuses a password alone for anyone
with a second factor."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from tests.integration.accounts.test_mfa import PASSWORD, activate_totp, log_in
from tests.support.totp import totp_code
from venues.services import venue_manager_assign

pytestmark = pytest.mark.django_db
WAGTAIL_ADMIN = "/admin/"
DJANGO_ADMIN = "/django-admin/"


@pytest.fixture
def required(settings):
    settings.ESSAIM_STAFF_2FA_REQUIRED = True


@pytest.fixture
def manager(make_user, make_venue):
    user = make_user("gerante")
    venue_manager_assign(venue=make_venue(title="La Ruche"), user=user)
    return user


@pytest.fixture
def django_staff(make_user):
    return make_user("staff", is_staff=True, is_superuser=True)


def test_required_the_admin_sends_a_manager_without_a_second_factor_to_set_one_up(client, required, manager):
    log_in(client, manager)
    response = client.get(WAGTAIL_ADMIN)
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    with translation.override("fr"):
        said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("protégés par l'authentification à deux facteurs" in message for message in said), said
    # Deeper pages too, and Wagtail's API.
    assert client.get(f"{WAGTAIL_ADMIN}pages/").url == reverse("mfa_activate_totp")
    # The public site stays open: their bookings, their account.
    assert client.get(reverse("bookings:mine")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    # Logging out of the admin still works.
    assert client.post(reverse("wagtailadmin_logout")).status_code == 302
    assert client.session.get("_auth_user_id") is None


def test_required_the_pages_say_why(client, required, manager):
    log_in(client, manager)
    page = client.get("/en/account/2fa/")
    assert page.status_code == 200
    assert "Your account opens the administration: it must be protected by a second factor." in page.text
    assert "Votre compte ouvre l" in client.get("/compte/2fa/").text


def test_required_the_admin_opens_once_the_app_is_set_up(client, required, manager):
    log_in(client, manager)
    activate_totp(client)
    assert client.get(WAGTAIL_ADMIN).status_code == 200
    assert reverse("wagtailadmin_home") in client.get("/compte/2fa/").text


def test_required_django_admin_refuses_staff_without_a_second_factor(client, required, django_staff):
    log_in(client, django_staff)
    assert client.get(DJANGO_ADMIN).url == reverse("mfa_activate_totp")
    assert client.get(f"{DJANGO_ADMIN}auth/user/").url == reverse("mfa_activate_totp")
    activate_totp(client)
    assert client.get(DJANGO_ADMIN).status_code == 200
    assert client.get(f"{DJANGO_ADMIN}auth/user/").status_code == 200


def test_required_a_network_admin_is_staff_too(client, required, network_admin):
    log_in(client, network_admin, "admin-pass-93ab")
    assert client.get(WAGTAIL_ADMIN).url == reverse("mfa_activate_totp")


def test_required_someone_who_is_not_staff_is_not_asked(client, required, make_user):
    member = make_user("camille")
    log_in(client, member)
    # Wagtail's own refusal (no admin access), not ours: nothing to set up for a member.
    response = client.get(WAGTAIL_ADMIN)
    assert response.status_code == 302 and response.url != reverse("mfa_activate_totp")
    assert client.get(reverse("bookings:mine")).status_code == 200


def test_not_required_nothing_changes(client, settings, manager, django_staff):
    settings.ESSAIM_STAFF_2FA_REQUIRED = False
    log_in(client, manager)
    assert client.get(WAGTAIL_ADMIN).status_code == 200
    client.logout()
    log_in(client, django_staff)
    assert client.get(DJANGO_ADMIN).status_code == 200
    assert "must be protected" not in client.get("/en/account/2fa/").text


def test_the_token_api_gives_no_token_to_a_password_alone_with_a_second_factor(client, manager):
    api = APIClient()
    url = reverse("api:auth-token")
    assert api.post(url, {"username": manager.username, "password": PASSWORD}).status_code == 200

    log_in(client, manager)
    secret = activate_totp(client)
    refused = api.post(url, {"username": manager.username, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert refused.json()["code"] == "mfa_required"
    assert "account page" in refused.json()["detail"] or "compte" in refused.json()["detail"]
    # A wrong password says only that: nothing about a second factor.
    wrong = api.post(url, {"username": manager.username, "password": "not-it"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_credentials"
    # The session logged in with the code is unaffected.
    client.logout()
    log_in(client, manager)
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}).status_code == 302
