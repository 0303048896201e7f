"""``accounts.selectors.token_with_owner`` (one hand-written statement, read on every API call)
gives what its ORM twin gives: the token, its owner with their profile cached, and the two facts
``email_verified`` needs."""

from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from accounts import selectors
from accounts.models import ApiToken, Profile
from accounts.services import tokens as token_services

pytestmark = pytest.mark.django_db


def _orm_twin(digest: str):
    owner = OuterRef("user_id")
    return (
        ApiToken.objects.select_related("user", "user__profile")
        .annotate(
            has_address=Exists(EmailAddress.objects.filter(user=owner)),
            has_confirmed=Exists(EmailAddress.objects.filter(user=owner, verified=True)),
        )
        .filter(digest=digest, revoked_at__isnull=True)
        .first()
    )


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.mark.parametrize("addresses", [(), (False,), (False, True), (True,)])
@pytest.mark.parametrize("profile", [None, "en"])
def test_the_statement_reads_what_the_orm_reads(addresses, profile):
    person = get_user_model().objects.create_user(
        "ada", email="ada@example.org", first_name="Ada", last_name="Lovelace", is_staff=True
    )
    person.last_login = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
    person.save()
    for n, verified in enumerate(addresses):
        EmailAddress.objects.create(user=person, email=f"ada{n}@example.org", verified=verified, primary=n == 0)
    if profile:
        Profile.objects.create(user=person, language=profile, share_identity_with_peers=True)
    token, secret = token_services.api_token_create(user=person, name="Script")
    token_services.api_token_touch(token=token)
    digest = token_services.token_digest(secret)

    expected = _orm_twin(digest)
    with CaptureQueriesContext(connection) as captured:
        found = selectors.token_with_owner(digest)
        user = found.token.user
        read_profile = user.profile if profile else None
        if not profile:
            with pytest.raises(Profile.DoesNotExist):
                user.profile  # noqa: B018 — cached as absent, as select_related leaves it
    assert len(captured) == 1  # the profile (or its absence) came with the statement

    assert _fields(found.token) == _fields(expected)
    assert _fields(user) == _fields(expected.user)
    assert found.token.last_used_at is not None and found.token.last_used_at.tzinfo is not None
    if profile:
        assert _fields(read_profile) == _fields(expected.user.profile)
    assert (found.has_address, found.has_confirmed) == (expected.has_address, expected.has_confirmed)
    assert not found.token._state.adding and found.token._state.db == "default"


def test_a_revoked_or_unknown_token_reads_nothing():
    person = get_user_model().objects.create_user("ada", email="ada@example.org")
    token, secret = token_services.api_token_create(user=person, name="Script")
    assert selectors.token_with_owner(token_services.token_digest("ess_unknown")) is None
    token_services.api_token_revoke(user=person, token_id=token.pk)
    assert selectors.token_with_owner(token_services.token_digest(secret)) is None
    assert _orm_twin(token_services.token_digest(secret)) is None


def test_a_call_reads_the_token_and_records_its_use_once_a_minute_in_one_statement():
    """``api_token_used``, on every API call: on PostgreSQL the touch rides in the read."""
    person = get_user_model().objects.create_user("ada", email="ada@example.org")
    token, secret = token_services.api_token_create(user=person, name="Script")
    digest = token_services.token_digest(secret)
    first = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)

    def stored():
        return ApiToken.objects.get(pk=token.pk).last_used_at

    with CaptureQueriesContext(connection) as captured:
        found = token_services.api_token_used(digest, now=first)
    assert len(captured) == (1 if connection.vendor == "postgresql" else 2)
    assert found.token.pk == token.pk and found.token.user == person
    assert found.token.last_used_at == first == stored()

    within = first + timedelta(seconds=59)
    with CaptureQueriesContext(connection) as captured:
        assert token_services.api_token_used(digest, now=within).token.last_used_at == first
    assert len(captured) == 1 and stored() == first  # within the minute: read, not written

    later = first + timedelta(minutes=2)
    assert token_services.api_token_used(digest, now=later).token.last_used_at == later == stored()

    token_services.api_token_revoke(user=person, token_id=token.pk)
    assert token_services.api_token_used(digest, now=later + timedelta(hours=1)) is None
    assert stored() == later  # a revoked token's use is not recorded
