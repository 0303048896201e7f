"""Named API tokens: made on the account page with the secret shown once, stored as a digest,
last use recorded (at most once a minute), revoked at once; the contract's token endpoint."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import ApiToken
from accounts.services import tokens as token_services

pytestmark = pytest.mark.django_db

MINE = "/api/v1/bookings/"


def test_created_on_the_account_page_shown_once_and_stored_as_a_digest(client, make_user):
    alice = make_user("alice")
    client.force_login(alice)
    page = client.post(reverse("account_tokens"), {"name": "booking script"})
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    secret = page.context["secret"]
    assert secret.startswith("ess_") and len(secret) == 40
    assert secret in page.content.decode()
    [token] = ApiToken.objects.all()
    assert token.name == "booking script" and token.user == alice
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {getattr(token, f.attname) for f in ApiToken._meta.fields}
    # Never again: the list shows its first characters only.
    again = client.get(reverse("account_tokens")).content.decode()
    assert secret not in again and token.prefix in again and "booking script" in again


def test_a_token_authenticates_records_its_last_use_and_stops_when_revoked(client, make_user, time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 7, 0, tzinfo=UTC), tick=False)
    alice = make_user("alice")
    token, secret = token_services.api_token_create(user=alice, name="phone")
    assert token.last_used_at is None
    assert client.get(MINE, HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    # Within the minute: no write.
    time_machine.shift(timedelta(seconds=30))
    client.get(MINE, HTTP_AUTHORIZATION=f"Token {secret}")
    token.refresh_from_db()
    assert token.last_used_at == first
    time_machine.shift(timedelta(seconds=61))
    client.get(MINE, HTTP_AUTHORIZATION=f"Token {secret}")
    token.refresh_from_db()
    assert token.last_used_at > first

    client.force_login(alice)
    assert client.post(reverse("account_token_revoke", args=[token.pk])).status_code == 302
    client.logout()
    refused = client.get(MINE, HTTP_AUTHORIZATION=f"Token {secret}")
    assert refused.status_code == 401 and refused.json()["code"]


def test_nobody_revokes_another_persons_token(client, make_user):
    alice, mallory = make_user("alice"), make_user("mallory")
    token, secret = token_services.api_token_create(user=alice, name="phone")
    client.force_login(mallory)
    client.post(reverse("account_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is None
    client.logout()
    assert client.get(MINE, HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200


def test_an_inactive_persons_token_is_refused(client, make_user):
    alice = make_user("alice")
    _token, secret = token_services.api_token_create(user=alice, name="phone")
    alice.is_active = False
    alice.save()
    assert client.get(MINE, HTTP_AUTHORIZATION=f"Token {secret}").status_code == 401


def test_an_unknown_named_token_is_refused_and_drf_tokens_still_pass(client, make_user):
    alice = make_user("alice")
    assert client.get(MINE, HTTP_AUTHORIZATION="Token ess_" + "x" * 36).status_code == 401
    legacy = Token.objects.create(user=alice)
    assert client.get(MINE, HTTP_AUTHORIZATION=f"Token {legacy.key}").status_code == 200


def test_the_contract_endpoint_hands_out_a_named_token(client, make_user):
    alice = make_user("alice", password="s3cret-Password")
    body = {"username": "alice", "password": "s3cret-Password"}
    answer = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert answer.status_code == 200
    secret = answer.json()["token"]
    [token] = ApiToken.objects.filter(user=alice)
    assert token.name == "API" and secret.startswith(token.prefix)
    assert client.get(MINE, HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    wrong = client.post("/api/v1/auth/token/", {**body, "password": "nope"}, content_type="application/json")
    assert wrong.status_code == 400 and "token" not in wrong.json()
