"""RFC 9421 HTTP Message Signatures (Ed25519) on every request and answer between nodes.

A request covers ``@method``, ``@target-uri``, ``content-digest`` (when it has a body) and
``idempotency-key`` (on writes), with ``created``, ``keyid`` and a ``nonce``. The receiver rebuilds
the target URI from ``ESSAIM_NODE_URL`` (never the Host header), refuses a signature older than 5
minutes or from the future, and refuses a nonce it has seen (kept in the database, so every web
process agrees). An answer covers ``@status``, ``content-digest`` and ``essaim-request-nonce`` (the
request's nonce), so a peer cannot replay an old answer to a new question."""

from __future__ import annotations

import datetime
import logging
import secrets
from dataclasses import dataclass, field

import http_message_signatures as hms
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from http_message_signatures.algorithms import ED25519

from federation.keys import node_identity

logger = logging.getLogger("essaim.federation")

MAX_AGE = datetime.timedelta(minutes=5)
#: Nonces are kept a little longer than a signature lives.
NONCE_KEEP = datetime.timedelta(minutes=10)
LABEL = "essaim"
TAG = "essaim-federation"


class SignatureRejected(Exception):
    """Why a signed request or answer was refused (logged; the caller answers 401)."""


@dataclass
class Message:
    """The minimal request shape the library reads and writes."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class AnswerMessage:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)
    request: Message | None = None


class _OwnKey(hms.HTTPSignatureKeyResolver):
    def resolve_private_key(self, key_id):
        identity = node_identity()
        if key_id != identity.key_id:
            raise KeyError(key_id)
        return identity.private_key

    def resolve_public_key(self, key_id):  # pragma: no cover - signing only
        return None


class _Keys(hms.HTTPSignatureKeyResolver):
    """Public keys by key id: ``keys`` maps key ids to PEM strings."""

    def __init__(self, keys: dict[str, str]):
        self.keys = keys

    def resolve_public_key(self, key_id):
        pem = self.keys.get(key_id)
        return serialization.load_pem_public_key(pem.encode()) if pem else None

    def resolve_private_key(self, key_id):  # pragma: no cover - verifying only
        raise KeyError(key_id)


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def sign_request(method: str, url: str, *, body: bytes = b"", headers: dict | None = None) -> tuple[dict, str]:
    """Headers to send with a signed request, and the nonce (to check the answer against)."""
    message = Message(method.upper(), url, dict(headers or {}))
    covered = ["@method", "@target-uri"]
    if "Idempotency-Key" in message.headers:
        covered.append("idempotency-key")
    nonce = new_nonce()
    signer = hms.HTTPMessageSigner(signature_algorithm=ED25519, key_resolver=_OwnKey())
    signer.sign(
        message,
        key_id=node_identity().key_id,
        nonce=nonce,
        label=LABEL,
        tag=TAG,
        covered_component_ids=covered,
        body=body if body else None,
    )
    return message.headers, nonce


def sign_answer(status: int, headers: dict, body: bytes, *, request_nonce: str) -> dict:
    """Signature headers for an answer to a request carrying ``request_nonce``."""
    headers = dict(headers)
    headers["Essaim-Request-Nonce"] = request_nonce
    message = AnswerMessage(status, headers)
    signer = hms.HTTPMessageSigner(signature_algorithm=ED25519, key_resolver=_OwnKey())
    signer.sign(
        message,
        key_id=node_identity().key_id,
        nonce=new_nonce(),
        label=LABEL,
        tag=TAG,
        covered_component_ids=["@status", "essaim-request-nonce"],
        body=body,
    )
    return message.headers


def key_id_of(headers) -> str:
    """The ``keyid`` a request claims (unverified: only to pick the key to verify with)."""
    value = headers.get("Signature-Input") or headers.get("signature-input") or ""
    marker = 'keyid="'
    start = value.find(marker)
    if start < 0:
        return ""
    end = value.find('"', start + len(marker))
    return value[start + len(marker) : end] if end > 0 else ""


def verify_request(request, keys: dict[str, str]) -> hms.VerifyResult:
    """Check a Django request's signature against ``keys`` (key id → PEM) and record its nonce.
    Raises ``SignatureRejected`` with a reason for the log."""
    headers = dict(request.headers.items())
    if "Signature" not in headers or "Signature-Input" not in headers:
        raise SignatureRejected("unsigned request")
    url = settings.ESSAIM_NODE_URL + request.get_full_path()
    message = Message(request.method, url, headers)
    body = request.body or b""
    required = ["@method", "@target-uri"]
    if request.method not in ("GET", "HEAD") and "Idempotency-Key" in headers:
        required.append("idempotency-key")
    result = _verify(message, keys, body, required)
    remember_nonce(result.parameters["keyid"], result.nonce)
    return result


def verify_answer(status: int, headers: dict, body: bytes, keys: dict[str, str], *, request_nonce: str) -> None:
    """Check a peer's signed answer to our request (``request_nonce`` binds it to that request)."""
    if headers.get("essaim-request-nonce", headers.get("Essaim-Request-Nonce")) != request_nonce:
        raise SignatureRejected("answer to another request")
    message = AnswerMessage(status, dict(headers.items()))
    _verify(message, keys, body, ["@status", "essaim-request-nonce"])


def _verify(message, keys, body, required) -> hms.VerifyResult:
    verifier = hms.HTTPMessageVerifier(signature_algorithm=ED25519, key_resolver=_Keys(keys))
    try:
        results = verifier.verify(message, max_age=MAX_AGE, expect_tag=TAG, require_components=required, body=body)
    except (hms.InvalidSignature, hms.HTTPMessageSignaturesException) as exc:
        raise SignatureRejected(str(exc) or exc.__class__.__name__) from exc
    except Exception as exc:  # a malformed header the parser chokes on
        raise SignatureRejected(f"malformed signature ({exc.__class__.__name__})") from exc
    result = results[0]
    created = int(result.parameters.get("created", 0))
    if created > timezone.now().timestamp() + 30:
        raise SignatureRejected("signature created in the future")
    if result.parameters.get("keyid") not in keys:
        raise SignatureRejected("unknown key")
    if not result.nonce:
        raise SignatureRejected("signature without a nonce")
    return result


def remember_nonce(key_id: str, nonce: str) -> None:
    """Record a nonce; a second use is a replay. Old nonces are dropped as we go."""
    from federation.models import SeenNonce  # noqa: PLC0415

    now = timezone.now()
    try:
        with transaction.atomic():
            SeenNonce.objects.create(key_id=key_id, nonce=nonce[:100], seen_at=now)
    except IntegrityError as exc:
        raise SignatureRejected("replayed request (nonce already seen)") from exc
    if secrets.randbelow(50) == 0:
        SeenNonce.objects.filter(seen_at__lt=now - NONCE_KEEP).delete()
