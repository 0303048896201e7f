"""Two-factor authentication (allauth.mfa): setting up an authenticator app, logging in with its code or
a recovery code, and the way back to the admins' log-in and the token API closed to a password alone.

Codes come from ``tests.support.totp`` (RFC 6238 computed in the test), never from allauth's own."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.support.totp import totp_code
from venues.services import venue_manager_assign

pytestmark = pytest.mark.django_db
PASSWORD = "manager-pass-7c1d"


def log_in(client, user, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.username, "password": password})


def confirm_password(client, password=PASSWORD):
    """allauth asks for the password again before a factor is added (a session left open is not enough)."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.text


def secret_on_page(response) -> str:
    return re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', response.text)[1]


def activate_totp(client) -> str:
    """Set up an authenticator app through the pages, as a person would; the secret it was given."""
    confirm_password(client)
    secret = secret_on_page(client.get(reverse("mfa_activate_totp")))
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.text
    return secret


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def manager(make_user, make_venue):
    user = make_user("gerante")
    venue_manager_assign(venue=make_venue(title="La Ruche"), user=user)
    return user


@pytest.fixture
def manager_with_totp(client, manager):
    assert log_in(client, manager).status_code == 302
    secret = activate_totp(client)
    client.logout()
    return manager, secret


def test_a_manager_sets_up_an_app_from_the_secret_shown(client, manager):
    assert log_in(client, manager).status_code == 302
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked.status_code == 302 and asked.url.startswith(reverse("account_reauthenticate"))
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = secret_on_page(page)
    assert 'src="data:image/svg+xml' in page.text  # the QR code
    assert 'inputmode="numeric"' in page.text

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=manager).exists()

    done = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert done.status_code == 302 and done.url == reverse("mfa_view_recovery_codes")
    assert set(Authenticator.objects.filter(user=manager).values_list("type", flat=True)) == {"totp", "recovery_codes"}
    codes = client.get(done.url)
    shown = re.search(r'<textarea id="recovery_codes"[^>]*>([^<]*)</textarea>', codes.text)[1].split()
    unused = Authenticator.objects.get(user=manager, type="recovery_codes").wrap().get_unused_codes()
    assert len(shown) == 10 and sorted(shown) == sorted(unused)
    assert reverse("wagtailadmin_home") in codes.text  # staff go on to the administration from here


def test_log_in_asks_for_the_code_and_refuses_a_wrong_one(client, manager_with_totp):
    manager, secret = manager_with_totp
    response = log_in(client, manager)
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    assert logged_in_user_id(client) is None
    # The password alone opens nothing: the admin still asks to log in.
    assert client.get(reverse("wagtailadmin_home")).status_code == 302
    assert logged_in_user_id(client) is None

    wrong = client.post(reverse("mfa_authenticate"), {"code": "12345"})
    assert wrong.status_code == 200 and logged_in_user_id(client) is None

    right = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert right.status_code == 302
    assert logged_in_user_id(client) == str(manager.pk)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_a_code_from_another_secret_or_too_old_is_refused(client, manager_with_totp):
    manager, secret = manager_with_totp
    log_in(client, manager)
    old = totp_code(secret, at=time.time() - 300)
    if old != totp_code(secret):
        assert client.post(reverse("mfa_authenticate"), {"code": old}).status_code == 200
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code("JBSWY3DPEHPK3PXP")}).status_code == 200
    assert logged_in_user_id(client) is None


def test_a_recovery_code_opens_the_account_once(client, manager_with_totp):
    manager, _secret = manager_with_totp
    code = Authenticator.objects.get(user=manager, type="recovery_codes").wrap().get_unused_codes()[0]

    log_in(client, manager)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert logged_in_user_id(client) == str(manager.pk)
    client.logout()

    log_in(client, manager)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
    assert logged_in_user_id(client) is None
    assert code not in Authenticator.objects.get(user=manager, type="recovery_codes").wrap().get_unused_codes()


def test_recovery_codes_can_be_downloaded_and_regenerated(client, manager_with_totp):
    manager, secret = manager_with_totp
    log_in(client, manager)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    before = Authenticator.objects.get(user=manager, type="recovery_codes").wrap().get_unused_codes()

    asked = client.get(reverse("mfa_download_recovery_codes"))
    assert asked.status_code == 302 and asked.url.startswith(reverse("account_reauthenticate"))
    confirm_password(client)
    download = client.get(reverse("mfa_download_recovery_codes"))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert all(code in download.content.decode() for code in before)

    assert client.post(reverse("mfa_generate_recovery_codes")).status_code == 302
    after = Authenticator.objects.get(user=manager, type="recovery_codes").wrap().get_unused_codes()
    assert len(after) == 10 and not set(after) & set(before)


@pytest.mark.parametrize(
    ("login_page", "asked", "expected_next"),
    [
        ("/admin/login/", "", "/admin/"),
        ("/admin/login/", "?next=/admin/pages/", "/admin/pages/"),
        ("/django-admin/login/", "?next=/django-admin/auth/user/", "/django-admin/auth/user/"),
        ("/django-admin/login/", "", "/django-admin/"),
        ("/admin/login/", "?next=https://evil.example/", "/admin/"),
    ],
)
def test_the_admins_log_in_pages_lead_to_the_one_that_asks_for_the_code(client, login_page, asked, expected_next):
    response = client.get(login_page + asked)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={expected_next.replace('/', '%2F').replace(':', '%3A')}"


def test_a_password_posted_to_the_admin_log_in_opens_no_session(client, manager_with_totp):
    manager, _secret = manager_with_totp
    for page in ("/admin/login/", "/django-admin/login/"):
        response = client.post(page, {"username": manager.username, "password": PASSWORD})
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
        assert logged_in_user_id(client) is None


def test_an_unauthenticated_visit_to_the_admin_goes_to_the_public_log_in(client):
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login") + "?next=")
