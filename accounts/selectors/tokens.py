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
from core.prepared import prepared_cursor
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
    with prepared_cursor() as cursor:
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
        owner = _TOKEN.column("user")
        addresses = ModelColumns(EmailAddress, "a")
        has_address = f"SELECT 1 FROM {addresses.table()} WHERE {addresses.column('user')} = {owner}"  # noqa: S608
        _STATEMENTS[connection.vendor] = (
            f"SELECT {_TOKEN.sql()}, {_USER.sql()}, {_PROFILE.sql()}, "  # noqa: S608 — names from our models, values as parameters
            f"EXISTS ({has_address}), EXISTS ({has_address} AND {addresses.column('verified')} = %s) "
            f"FROM {_TOKEN.table()} {_USER.join(owner)} {_PROFILE.join(_USER.column('pk'), by='user', outer=True)} "
            f"WHERE {_TOKEN.column('digest')} = %s AND {_TOKEN.column('revoked_at')} IS NULL"
        )
    return _STATEMENTS[connection.vendor]
