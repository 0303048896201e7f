"""``POST /federation/v1/pair`` (a node asks to pair), ``…/pair/accept`` (our request was approved)
and ``…/pair/state`` (the peer suspended, resumed or revoked us).

``/pair`` cannot go through ``@signed()``: the key is not known yet. The request is verified with
the key its body carries, then that key must be the one the node publishes at its own address
(read through the SSRF guard): only a holder of the key published at that URL can ask."""

from __future__ import annotations

import json

from django.core.cache import cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.client_address import client_address_of, trusted_proxies
from core.errors import DomainError
from federation import remote_node, signing
from federation.api.signed import json_answer, refused, signed
from federation.models import PeerState
from federation.services import pairing

#: A pairing request carries a node info: a few kilobytes.
MAX_BODY = 32 * 1024
#: Pairing requests answered per client address and window: anyone may ask, and each request makes
#: this node fetch a URL (through the guard) and hold a web worker up to the fetch's time-out.
PAIR_RATE = 10
PAIR_WINDOW_SECONDS = 600


def _over_rate(request) -> bool:
    key = f"federation:pair:{client_address_of(request.META, trusted_proxies())}"
    cache.add(key, 0, PAIR_WINDOW_SECONDS)
    try:
        return cache.incr(key) > PAIR_RATE
    except ValueError:  # expired between add and incr
        return False


def _json_body(request) -> dict | None:
    if len(request.body) > MAX_BODY:
        return None
    try:
        data = json.loads(request.body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


@csrf_exempt
@require_POST
def pair(request):
    if _over_rate(request):
        answer = json_answer(429, {"detail": "Too many pairing requests: try again later.", "code": "throttled"})
        answer["Retry-After"] = str(PAIR_WINDOW_SECONDS)
        return answer
    data = _json_body(request)
    if data is None:
        return json_answer(400, {"detail": "The body must be a node info (JSON).", "code": "invalid"})
    key_id, public_key = data.get("key_id"), data.get("public_key")
    if not (isinstance(key_id, str) and isinstance(public_key, str) and remote_node.is_ed25519_pem(public_key)):
        return refused(request, "pairing request without an Ed25519 key")
    if signing.key_id_of(request.headers) != key_id:
        return refused(request, "pairing request signed with another key than its body's")
    try:
        result = signing.verify_request(request, {key_id: public_key})
    except signing.SignatureRejected as exc:
        return refused(request, str(exc))
    try:
        base = remote_node.normalise_url(str(data.get("url") or ""))
        info = remote_node.node_info_fetch(base)
    except DomainError as exc:
        return json_answer(
            400, {"detail": f"Your node info could not be read: {exc}", "code": exc.code}, request_nonce=result.nonce
        )
    if info.key_id != key_id or not remote_node.same_key(info.public_key, public_key):
        return refused(request, f"pairing request with a key {info.url} does not publish")
    try:
        peer = pairing.pair_received(info=info)
    except DomainError as exc:
        return json_answer(400, {"detail": str(exc), "code": exc.code}, request_nonce=result.nonce)
    if peer.state == PeerState.REVOKED:
        return json_answer(
            403,
            {"detail": "This node revoked the pairing with yours; its admin must pair again.", "code": "peer_revoked"},
            request_nonce=result.nonce,
        )
    return json_answer(202, {"state": peer.state}, request_nonce=result.nonce)


@require_POST
@signed(states=(PeerState.REQUESTED, PeerState.PENDING, PeerState.ACTIVE))
def accept(request, peer):
    peer = pairing.accept_received(peer=peer)
    return 202, {"state": peer.state}


@require_POST
@signed(states=(PeerState.REQUESTED, PeerState.PENDING, PeerState.ACTIVE, PeerState.SUSPENDED))
def state(request, peer):
    data = _json_body(request) or {}
    try:
        peer = pairing.state_received(peer=peer, state=str(data.get("state") or ""))
    except DomainError as exc:
        return 400, {"detail": str(exc), "code": exc.code}
    return 202, {"state": peer.state}
