"""The named API token of a request and its owner, in one hand-written statement.

Every API call reads it, and the ORM's version (the token with ``select_related`` of the person and
their profile, and two ``EXISTS`` on allauth's addresses) cost about 2.2 ms of CPU to compile for
0.1 ms of database work (``core.raw_models``). ``tests/integration/accounts/test_token_read.py``
holds it to that ORM query.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import connection

from accounts.models import ApiToken, Profile
from core.raw_models import ModelColumns

_TOKEN = ModelColumns(ApiToken, "t")
_USER = ModelColumns(get_user_model(), "u")
_PROFILE = ModelColumns(Profile, "p")


@dataclass(frozen=True)
class TokenWithOwner:
    """``token.user`` is the owner, with their profile cached (``None`` if they have none)."""

    token: ApiToken
    #: The owner has at least one address on record; and at least one confirmed.
    has_address: bool
    has_confirmed: bool


def token_with_owner(digest: str) -> TokenWithOwner | None:
    """The unrevoked token with this digest, its owner and their profile; ``None`` if there is none."""
    with connection.cursor() as cursor:
        cursor.execute(_statement(), [True, digest])
        row = cursor.fetchone()
    if row is None:
        return None
    token = _TOKEN.take(row, 0)
    user = _USER.take(row, _TOKEN.width)
    # Cached as ``select_related`` would, ``None`` included (they have no profile: no query to learn it).
    type(user).profile.related.set_cached_value(user, _PROFILE.take(row, _TOKEN.width + _USER.width))
    token.user = user
    has_address, has_confirmed = row[-2:]
    return TokenWithOwner(token=token, has_address=bool(has_address), has_confirmed=bool(has_confirmed))


_STATEMENTS: dict[str, str] = {}


def _statement() -> str:
    """Written once per database vendor (the quoting differs)."""
    if connection.vendor not in _STATEMENTS:
        quote = connection.ops.quote_name
        user_model = get_user_model()
        token_table, user_table = quote(ApiToken._meta.db_table), quote(user_model._meta.db_table)
        profile_table, address_table = quote(Profile._meta.db_table), quote(EmailAddress._meta.db_table)
        user_pk = quote(user_model._meta.pk.column)
        token_owner = quote(ApiToken._meta.get_field("user").column)
        profile_owner = quote(Profile._meta.get_field("user").column)
        address_owner = quote(EmailAddress._meta.get_field("user").column)
        verified = quote(EmailAddress._meta.get_field("verified").column)
        digest = quote(ApiToken._meta.get_field("digest").column)
        revoked = quote(ApiToken._meta.get_field("revoked_at").column)
        _STATEMENTS[connection.vendor] = (
            f"SELECT {_TOKEN.sql()}, {_USER.sql()}, {_PROFILE.sql()}, "  # noqa: S608 — names from our models, values as parameters
            f"EXISTS (SELECT 1 FROM {address_table} e WHERE e.{address_owner} = t.{token_owner}), "
            f"EXISTS (SELECT 1 FROM {address_table} e WHERE e.{address_owner} = t.{token_owner} AND e.{verified} = %s) "
            f"FROM {token_table} t "
            f"INNER JOIN {user_table} u ON u.{user_pk} = t.{token_owner} "
            f"LEFT OUTER JOIN {profile_table} p ON p.{profile_owner} = u.{user_pk} "
            f"WHERE t.{digest} = %s AND t.{revoked} IS NULL"
        )
    return _STATEMENTS[connection.vendor]
