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
        cursor.execute(token_with_owner_sql(), token_with_owner_params(digest))
        row = cursor.fetchone()
    return token_from_row(row)


def token_with_owner_sql(*, before: str = "", extra: str = "") -> str:
    """``token_with_owner``'s statement, for a service that sends more in the same round trip:
    ``before`` a ``WITH`` clause put first, ``extra`` one more column put last."""
    return f"{before} {_statement(extra)}".strip()


def token_with_owner_params(digest: str) -> list:
    return [True, digest]


def token_from_row(row) -> TokenWithOwner | None:
    """What ``token_with_owner`` makes of its row (``None``: no row); an ``extra`` column is left."""
    if row is None:
        return None
    token = _TOKEN.take(row, 0)
    user = _USER.take(row, _TOKEN.width)
    # Cached as ``select_related`` would, ``None`` included (they have no profile: no query to learn it).
    width = _TOKEN.width + _USER.width
    type(user).profile.related.set_cached_value(user, _PROFILE.take(row, width))
    token.user = user
    has_address, has_confirmed = row[width + _PROFILE.width : width + _PROFILE.width + 2]
    return TokenWithOwner(token=token, has_address=bool(has_address), has_confirmed=bool(has_confirmed))


_STATEMENTS: dict[tuple[str, str], str] = {}


def _statement(extra: str = "") -> str:
    """Written once per database vendor (the quoting differs) and ``extra`` column."""
    if (connection.vendor, extra) not in _STATEMENTS:
        owner = _TOKEN.column("user")
        addresses = ModelColumns(EmailAddress, "a")
        has_address = f"SELECT 1 FROM {addresses.table()} WHERE {addresses.column('user')} = {owner}"  # noqa: S608
        _STATEMENTS[(connection.vendor, extra)] = (
            f"SELECT {_TOKEN.sql()}, {_USER.sql()}, {_PROFILE.sql()}, "  # noqa: S608 — names from our models, values as parameters
            f"EXISTS ({has_address}), EXISTS ({has_address} AND {addresses.column('verified')} = %s){extra} "
            f"FROM {_TOKEN.table()} {_USER.join(owner)} {_PROFILE.join(_USER.column('pk'), by='user', outer=True)} "
            f"WHERE {_TOKEN.column('digest')} = %s AND {_TOKEN.column('revoked_at')} IS NULL"
        )
    return _STATEMENTS[(connection.vendor, extra)]
