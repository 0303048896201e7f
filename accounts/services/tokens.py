"""Named API tokens: made with their secret shown once, recorded when used, revoked at once."""

import functools
import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import ApiToken
from accounts.selectors import tokens as selectors
from accounts.selectors.tokens import TokenWithOwner
from core.prepared import prepared_cursor

#: Every named token starts with it, so a leaked one is recognisable (secret scanners) and the
#: authentication class knows it at once from the older DRF tokens (40 hexadecimal digits).
PREFIX = "ess_"
#: Characters of the secret kept in clear, to tell a person's tokens apart.
SHOWN = len(PREFIX) + 6
#: The name of the tokens ``POST /api/v1/auth/token/`` hands out.
LOGIN_TOKEN_NAME = "API"  # noqa: S105 (a label, not a secret)
#: A token's ``last_used_at`` is written at most this often: one request in a burst, not each.
TOUCH_EVERY = timedelta(minutes=1)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token and its secret (40 characters, 162 random bits), which nobody can see again."""
    secret = PREFIX + secrets.token_urlsafe(27)
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=secret[:SHOWN], digest=token_digest(secret))
    return token, secret


def api_token_revoke(*, user, token_id: int, now: datetime | None = None) -> bool:
    """Revoke one of the person's own tokens; the next request with it is refused."""
    changed = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )
    return bool(changed)


@transaction.atomic
def api_tokens_revoke_all(*, user, now: datetime | None = None) -> int:
    """Every token of the person stops, named or DRF's older kind (deleted: it is kept in clear)."""
    Token.objects.filter(user=user).delete()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now or timezone.now())


def api_token_used(digest: str, *, now: datetime | None = None) -> TokenWithOwner | None:
    """``selectors.token_with_owner`` and ``api_token_touch`` of what it finds, for every API call:
    on PostgreSQL in one statement (the touch a data-modifying ``WITH`` before the read), where
    they were two round trips — the touch's own, with its commit, on a token's first call of each
    minute, which in a rush is every person's one registration. The read sees the row as it was
    before the touch (one snapshot), so the answer's ``last_used_at`` is set to ``now`` here."""
    now = now or timezone.now()
    if connection.vendor != "postgresql":
        found = selectors.token_with_owner(digest)
        if found is not None:
            api_token_touch(token=found.token, now=now)
        return found
    with prepared_cursor() as cursor:
        cursor.execute(
            _touch_and_read_sql(), [now, digest, now - TOUCH_EVERY, *selectors.token_with_owner_params(digest)]
        )
        row = cursor.fetchone()
    found = selectors.token_from_row(row)
    if found is not None and row[-1]:
        found.token.last_used_at = now
    return found


@functools.cache
def _touch_and_read_sql() -> str:
    """``api_token_used``'s statement on PostgreSQL, written once per process."""
    quote = connection.ops.quote_name
    table, last_used = quote(ApiToken._meta.db_table), quote("last_used_at")
    touch = (
        f"WITH touched AS (UPDATE {table} SET {last_used} = %s WHERE {quote('digest')} = %s"  # noqa: S608 — our table
        f" AND {quote('revoked_at')} IS NULL AND ({last_used} IS NULL OR {last_used} < %s) RETURNING 1)"
    )
    return selectors.token_with_owner_sql(before=touch, extra=", EXISTS (SELECT 1 FROM touched)")


def api_token_touch(*, token: ApiToken, now: datetime | None = None) -> None:
    """Record that the token was used, without a write per request: at most once per ``TOUCH_EVERY``
    (the condition is in the UPDATE, so concurrent requests do not race)."""
    now = now or timezone.now()
    if token.last_used_at and now - token.last_used_at < TOUCH_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
    ).update(last_used_at=now)
    token.last_used_at = now
