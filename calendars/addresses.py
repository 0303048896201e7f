"""A calendar's address is a credential (Google's "secret address" lets anyone read the calendar):
it is kept sealed in the database, shown masked, and opened only to fetch it.

Sealed with Fernet under a key derived from ``SECRET_KEY`` (``SECRET_KEY_FALLBACKS`` still open
addresses sealed before a key rotation). ``webcal://`` is the same address over HTTPS.
"""

from __future__ import annotations

import base64
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SCHEMES = {"http": "http", "https": "https", "webcal": "https", "webcals": "https"}
MAX_LENGTH = 2000


def normalise(address: str) -> str:
    """The URL we fetch for what a manager pasted: trimmed, ``webcal`` read as ``https``. Raises
    ``ValidationError`` with a message for the manager when it is not a calendar address at all."""
    address = (address or "").strip()
    if not address:
        raise ValidationError(_("Paste the calendar's iCal address."), code="required")
    if len(address) > MAX_LENGTH or any(c.isspace() for c in address):
        raise ValidationError(_("This is not a web address."), code="bad_url")
    parts = urlsplit(address)
    scheme = SCHEMES.get(parts.scheme.lower())
    if scheme is None or not parts.hostname:
        raise ValidationError(_("Use an address that starts with https://, http:// or webcal://."), code="bad_url")
    if parts.username or parts.password:
        raise ValidationError(_("Addresses with a user name or password are refused."), code="bad_url")
    try:
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError as exc:
        raise ValidationError(_("This address has an invalid port."), code="bad_url") from exc
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def mask(address: str) -> str:
    """What the admin, logs and lists show: the host and the end of the path, never the secret part
    (``calendar.google.com/…/basic.ics``)."""
    parts = urlsplit(address)
    tail = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if len(tail) > 24 or not tail:
        tail = "…"
    return f"{parts.hostname or '?'}/…/{tail}" if tail != "…" else f"{parts.hostname or '?'}/…"


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"essaim-calendar-address", info=b"fernet").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    return MultiFernet([_fernet(settings.SECRET_KEY), *(_fernet(k) for k in settings.SECRET_KEY_FALLBACKS)])


def seal(address: str) -> str:
    return _keys().encrypt(address.encode()).decode()


def unseal(sealed: str) -> str:
    """The address; raises ``InvalidToken`` when no key of this node opens it (a lost ``SECRET_KEY``)."""
    return _keys().decrypt(sealed.encode()).decode()


__all__ = ["InvalidToken", "mask", "normalise", "seal", "unseal"]
