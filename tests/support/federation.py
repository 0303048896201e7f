"""Signed federation requests from a test peer: an Ed25519 key of its own, a ``Peer`` row that
knows it, and ``signed_client_request`` to call this node's signed endpoints with Django's test
client exactly as another node would (RFC 9421 over ``ESSAIM_NODE_URL`` + path)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import http_message_signatures as hms
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings
from http_message_signatures.algorithms import ED25519

from federation import keys, signing
from federation.models import Peer, PeerState


@dataclass(frozen=True)
class PeerKey:
    """A test peer's signing key and the key id it claims."""

    key_id: str
    private_key: ed25519.Ed25519PrivateKey

    @property
    def public_pem(self) -> str:
        return keys.public_pem_of(self.private_key)


def new_peer_key(url: str = "http://127.0.0.1:8001") -> PeerKey:
    private_key = ed25519.Ed25519PrivateKey.generate()
    return PeerKey(key_id=f"{url}#test-{id(private_key):x}", private_key=private_key)


def make_peer(url: str = "http://127.0.0.1:8001", *, state: str = PeerState.ACTIVE, **fields) -> tuple[Peer, PeerKey]:
    """An active peer whose private key the test holds."""
    key = new_peer_key(url)
    peer = Peer.objects.create(
        url=url, name=fields.pop("name", "Noeud B"), key_id=key.key_id, public_key=key.public_pem, state=state, **fields
    )
    return peer, key


class _Resolver(hms.HTTPSignatureKeyResolver):
    def __init__(self, key: PeerKey):
        self.key = key

    def resolve_private_key(self, key_id):
        return self.key.private_key

    def resolve_public_key(self, key_id):  # pragma: no cover - signing only
        return None


def sign_as(
    key: PeerKey, method: str, url: str, *, body: bytes = b"", headers: dict | None = None, created=None, nonce=None
) -> dict:
    """Signature headers as ``key``'s node would send them (``created``/``nonce`` to forge old or replayed ones)."""
    message = signing.Message(method.upper(), url, dict(headers or {}))
    covered = ["@method", "@target-uri"]
    if "Idempotency-Key" in message.headers:
        covered.append("idempotency-key")
    hms.HTTPMessageSigner(signature_algorithm=ED25519, key_resolver=_Resolver(key)).sign(
        message,
        key_id=key.key_id,
        nonce=nonce or signing.new_nonce(),
        created=created,
        label=signing.LABEL,
        tag=signing.TAG,
        covered_component_ids=covered,
        body=body if body else None,
    )
    return message.headers


def signed_client_request(client, method: str, path: str, peer_key: PeerKey, *, data=None, headers=None, **sign):
    """Send a signed request to this node through Django's test client; returns the response.

    ``data`` (a dict) is sent as JSON; ``headers`` are extra request headers (signed when they
    are ``Idempotency-Key``)."""
    body = json.dumps(data).encode() if data is not None else b""
    extra = dict(headers or {})
    if body:
        extra.setdefault("Content-Type", "application/json")
    signed_headers = sign_as(peer_key, method, settings.ESSAIM_NODE_URL + path, body=body, headers=extra, **sign)
    content_type = signed_headers.pop("Content-Type", "application/octet-stream")
    return client.generic(method.upper(), path, data=body, content_type=content_type, headers=signed_headers)


def answer_json(response) -> dict:
    return json.loads(response.content)
