"""This node's Ed25519 key: from ``ESSAIM_NODE_PRIVATE_KEY`` (PEM) when set, else made once and kept
in the database (two nodes can then run from one checkout)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings
from django.db import connection, transaction


@dataclass(frozen=True)
class NodeIdentity:
    key_id: str
    private_key: ed25519.Ed25519PrivateKey
    public_pem: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_pem)


def fingerprint(public_pem: str) -> str:
    """SHA-256 of the raw public key, as colon-separated hex pairs (what an admin compares by voice)."""
    key = serialization.load_pem_public_key(public_pem.encode())
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def key_id_for(public_pem: str) -> str:
    """``<node URL>#<first 16 bytes of the fingerprint, base64url>``: unique per node and key."""
    key = serialization.load_pem_public_key(public_pem.encode())
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    short = base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:12]).decode().rstrip("=")
    return f"{settings.ESSAIM_NODE_URL}#{short}"


def public_pem_of(private_key: ed25519.Ed25519PrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def node_identity() -> NodeIdentity:
    """The key this node signs with. Cached per process and database (tests switch databases)."""

    return _identity(settings.ESSAIM_NODE_PRIVATE_KEY, settings.ESSAIM_NODE_URL, connection.settings_dict["NAME"])


@lru_cache(maxsize=8)
def _identity(env_pem: str, node_url: str, _database: str) -> NodeIdentity:
    if env_pem:
        private_key = serialization.load_pem_private_key(env_pem.encode(), password=None)
        if not isinstance(private_key, ed25519.Ed25519PrivateKey):
            raise ValueError("ESSAIM_NODE_PRIVATE_KEY must be an Ed25519 private key (PKCS#8 PEM).")
        public_pem = public_pem_of(private_key)
        return NodeIdentity(key_id_for(public_pem), private_key, public_pem)
    row = _stored_key()
    private_key = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
    return NodeIdentity(key_id_for(row.public_pem), private_key, row.public_pem)


def _stored_key():
    """The stored key, made by the first process that asks. Several web processes may start on an
    empty database at once: the making is serialised (an advisory lock on PostgreSQL; SQLite's
    IMMEDIATE transactions take the write lock at BEGIN) and the key looked for again under it, so
    they all end up signing with one key rather than each with the one it made."""
    from federation.models import NodeKey  # noqa: PLC0415

    row = NodeKey.objects.order_by("pk").first()
    if row:
        return row
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('essaim:node-key'))")
        row = NodeKey.objects.order_by("pk").first()
        if row:
            return row
        private_key = ed25519.Ed25519PrivateKey.generate()
        private_pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        public_pem = public_pem_of(private_key)
        return NodeKey.objects.create(key_id=key_id_for(public_pem), private_pem=private_pem, public_pem=public_pem)


def forget() -> None:
    """Drop the cached key (tests that make a new database or a new key)."""
    _identity.cache_clear()
