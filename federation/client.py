"""Calling a peer: one signed request through the outbound-fetch guard, one verified answer.

Every server-to-server call goes through ``call``: the request is signed with this node's key
(``signing.sign_request``), sent by ``core.outbound.fetch`` (the SSRF guard, with a time-out and
a size cap), and the answer must carry the peer's signature over its status, body and our
request's nonce (``signing.verify_answer``) — an unsigned or badly signed answer is never
believed, whatever it says. Never call a peer inside a database transaction: a slow peer would
hold our locks.

    reply = call(peer, "GET", "/federation/v1/changes?after=0")
    reply.status, reply.data  # 200, {...}

Errors form a small family, each with a readable message for the admin's peer screen:
``PeerUnreachable`` (network, time-out, refused address), ``PeerBadAnswer`` (unsigned, badly
signed, not JSON, too large) and ``PeerRefused`` (the peer refused our signature or does not
federate with us now). Other statuses (400, 404, 409…) are returned: callers decide.
"""

from __future__ import annotations

import json as jsonlib
import logging
from dataclasses import dataclass

from core import outbound
from federation import signing
from federation.models import Peer

logger = logging.getLogger("essaim.federation")

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 2 * 1024 * 1024


class PeerError(Exception):
    """A call to a peer that gave no usable answer. ``code`` names the case in a word."""

    code = "peer_error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class PeerUnreachable(PeerError):
    """No answer: connection refused, time-out, DNS, or an address the guard refuses."""

    code = "unreachable"


class PeerBadAnswer(PeerError):
    """An answer we cannot believe or read: unsigned, badly signed, not JSON, too large."""

    code = "bad_answer"


class PeerRefused(PeerError):
    """The peer refused us: our signature (401) or our federation with it (403)."""

    code = "refused"


@dataclass
class Reply:
    """A verified answer: its status and its JSON body (``{}`` when empty)."""

    status: int
    data: dict

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def url_for(peer: Peer, path: str) -> str:
    return peer.url.rstrip("/") + "/" + path.lstrip("/")


def call(
    peer: Peer,
    method: str,
    path: str,
    *,
    json: dict | None = None,
    idempotency_key: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Reply:
    """Send a signed ``method path`` (``path`` relative to the peer's base URL, query included)
    and return its verified answer; raise a ``PeerError`` when there is none to trust."""
    if not peer.public_key or not peer.key_id:
        raise PeerBadAnswer(f"{peer.url}: no public key known for this peer yet.", code="no_key")
    method = method.upper()
    url = url_for(peer, path)
    body = b""
    headers = {"Accept": "application/json"}
    if json is not None:
        body = jsonlib.dumps(json, separators=(",", ":"), ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    headers, nonce = signing.sign_request(method, url, body=body, headers=headers)
    try:
        answer = outbound.fetch(
            url,
            method=method,
            headers=headers,
            body=body or None,
            timeout=timeout,
            max_bytes=max_bytes,
            max_redirects=0,
        )
    except outbound.FetchRefused as exc:
        if exc.code == "too_large":
            raise PeerBadAnswer(f"{url}: {exc}", code="too_large") from exc
        raise PeerUnreachable(f"{url}: {exc}", code=exc.code) from exc
    return _verified(peer, url, answer, nonce)


def _verified(peer: Peer, url: str, answer: outbound.Answer, nonce: str) -> Reply:
    signed = "signature" in answer.headers and "signature-input" in answer.headers
    if not signed:
        # An unsigned refusal changes nothing here; say what it claims, believe nothing else.
        if answer.status in (401, 403):
            raise PeerRefused(f"{url}: the peer refused our request (HTTP {answer.status}, unsigned answer).")
        raise PeerBadAnswer(f"{url}: unsigned answer (HTTP {answer.status}); it was ignored.", code="unsigned")
    try:
        signing.verify_answer(
            answer.status, answer.headers, answer.body, {peer.key_id: peer.public_key}, request_nonce=nonce
        )
    except signing.SignatureRejected as exc:
        logger.warning("answer from %s refused: %s", url, exc)
        raise PeerBadAnswer(f"{url}: the answer's signature was refused ({exc}).", code="bad_signature") from exc
    try:
        data = jsonlib.loads(answer.body) if answer.body else {}
    except ValueError as exc:
        raise PeerBadAnswer(f"{url}: the answer is not JSON (HTTP {answer.status}).", code="not_json") from exc
    if not isinstance(data, dict):
        raise PeerBadAnswer(f"{url}: the answer is not a JSON object (HTTP {answer.status}).", code="not_json")
    if answer.status in (401, 403):
        detail = data.get("detail") or data.get("code") or ""
        raise PeerRefused(f"{url}: the peer refused our request (HTTP {answer.status}: {detail}).".replace(": )", ")"))
    return Reply(answer.status, data)
