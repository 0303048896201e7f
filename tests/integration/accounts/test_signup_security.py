"""Password reset, change and e-mail change; rate limits; the session at log-in."""

import time
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.urls import reverse
from django.utils import translation

from tests.integration.accounts.conftest import links_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "cerf-volant-rouge-71"


def fr(name, **kwargs):
    with translation.override("fr"):
        return reverse(name, kwargs=kwargs)


@pytest.fixture
def member(make_user):
    return make_user("dominique", email="dominique@example.org", password="ancien-mot-2passe")


def test_reset_answers_the_same_for_a_known_and_an_unknown_address(client, member):
    timings = {}
    answers = {}
    for email in ("dominique@example.org", "nobody@example.org"):
        started = time.perf_counter()
        response = client.post(fr("account_reset_password"), {"email": email})
        timings[email] = time.perf_counter() - started
        answers[email] = (response.status_code, response["Location"])
    assert answers["dominique@example.org"] == answers["nobody@example.org"] == (302, fr("account_reset_password_done"))
    # Both send one e-mail (a reset link, or "no account with this address"): the same work either way.
    assert [message.to for message in mail.outbox] == [["dominique@example.org"], ["nobody@example.org"]]
    assert max(timings.values()) < 20 * min(timings.values()) + 0.5


def test_a_reset_link_works_once_then_is_refused_clearly(client, member):
    client.post(fr("account_reset_password"), {"email": "dominique@example.org"})
    [message] = mail.outbox
    [link] = links_in(message)[:1]
    assert link.startswith("http://127.0.0.1:8000/compte/")
    opened = client.get(urlsplit(link).path, follow=True)
    form_path = opened.redirect_chain[-1][0] if opened.redirect_chain else urlsplit(link).path
    changed = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert changed.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)

    again = client.get(urlsplit(link).path, follow=True)
    assert again.status_code == 200
    assert "invalide" in again.content.decode() or "expir" in again.content.decode()
    assert b'name="password1"' not in again.content


def test_a_weak_new_password_is_refused_at_reset(client, member):
    client.post(fr("account_reset_password"), {"email": "dominique@example.org"})
    link = links_in(mail.outbox[0])[0]
    opened = client.get(urlsplit(link).path, follow=True)
    form_path = opened.redirect_chain[-1][0]
    refused = client.post(form_path, {"password1": "12345678", "password2": "12345678"})
    assert refused.status_code == 200
    member.refresh_from_db()
    assert not member.check_password("12345678")


def test_changing_the_e_mail_asks_to_confirm_the_new_one(client, member):
    client.force_login(member)
    response = client.post(fr("account_email"), {"action_add": "", "email": "dominique@new.example"})
    assert response.status_code == 302
    added = EmailAddress.objects.get(email="dominique@new.example")
    assert not added.verified
    [message] = mail.outbox
    assert message.to == ["dominique@new.example"]


def test_the_session_key_changes_at_log_in(client, member):
    client.get(fr("account_login"))
    before = client.session.session_key
    assert before
    client.post(fr("account_login"), {"login": "dominique", "password": "ancien-mot-2passe"})
    assert client.session["_auth_user_id"] == str(member.pk)
    assert client.session.session_key != before


@pytest.mark.parametrize(
    ("limit", "name", "form"),
    [
        ("ESSAIM_RATE_SIGNUP", "account_signup", {"email": "x@example.org"}),
        ("ESSAIM_RATE_RESET_PASSWORD", "account_reset_password", {"email": "x@example.org"}),
        ("ESSAIM_RATE_LOGIN", "account_login", {"login": "x", "password": "y"}),
    ],
)
def test_rate_limits_answer_429_in_the_site_s_page(client, settings, site_tree, limit, name, form):
    action = {"ESSAIM_RATE_SIGNUP": "signup", "ESSAIM_RATE_RESET_PASSWORD": "reset_password"}.get(limit, "login")
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, action: "2/m/ip"}
    statuses = [client.post(fr(name), form).status_code for _ in range(3)]
    assert statuses[:2] != [429, 429] and statuses[2] == 429
    page = client.post(fr(name), form)
    assert page.status_code == 429
    html = page.content.decode()
    assert "Trop de tentatives" in html and 'class="wrap narrow account-page"' in html


def test_the_confirmation_e_mail_is_rate_limited_per_address(client, site_tree, make_user):
    user = make_user("lea", email="lea@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)
    client.force_login(user)
    for _ in range(3):
        client.post(fr("account_confirm_first"))
    assert len(mail.outbox) == 1


class CountingHasher(MD5PasswordHasher):
    """A fast hasher that counts its work: the cost a timing attacker would see."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)


def test_a_taken_address_costs_a_sign_up_the_same_password_hashing(
    client, settings, site_tree, make_user, django_user_model
):
    """allauth skips hashing for an address that has an account; we hash anyway, or the answer's time
    (about 400 ms less with PBKDF2; tests/benchmarks/bench_account_answers.py) would tell. The same
    for an account an admin made (no address record), which once answered 500."""
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    make_user("camille", email="camille@example.org")
    django_user_model.objects.create_user("made-in-admin", "admin-made@example.org", "x-Secret-42")
    costs = []
    for email in ("camille@example.org", "admin-made@example.org", "newcomer@example.org"):
        CountingHasher.calls = 0
        body = {"email": email, "password1": "Lent-Aubergine-93", "password2": "Lent-Aubergine-93"}
        body |= {"first_name": "Ada", "last_name": "Lovelace", "language": "fr"}
        response = client.post(reverse("account_signup"), body)
        costs.append((response.status_code, response["Location"], CountingHasher.calls))
    assert costs[0] == costs[1] == costs[2] and costs[0][2] >= 1
