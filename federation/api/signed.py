"""The wrapper every signed federation endpoint goes through: verify the request's signature
against the peer that owns its key, call the view with that peer, sign the JSON answer."""

from __future__ import annotations

import functools
import json
import logging

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from federation import signing
from federation.models import Peer, PeerState

logger = logging.getLogger("essaim.federation")


def json_answer(status: int, data: dict, *, request_nonce: str = "") -> HttpResponse:
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    response = HttpResponse(body, status=status, content_type="application/json")
    if request_nonce:
        for name, value in signing.sign_answer(
            status, {"Content-Type": "application/json"}, body, request_nonce=request_nonce
        ).items():
            response[name] = value
    return response


def refused(request, reason: str) -> HttpResponse:
    logger.warning(
        "federation request refused: %s (%s %s, key %r)",
        reason,
        request.method,
        request.path,
        signing.key_id_of(request.headers),
    )
    return json_answer(401, {"detail": "The request's signature was refused.", "code": "bad_signature"})


def signed(*, states=(PeerState.ACTIVE,)):
    """``view(request, peer, *args) -> (status, data)``. Peers in another state than ``states`` are
    refused (403 ``peer_not_active``) once their signature is good."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            key_id = signing.key_id_of(request.headers)
            peer = Peer.objects.filter(key_id=key_id).exclude(key_id="").first() if key_id else None
            if peer is None:
                return refused(request, "unknown key" if key_id else "unsigned request")
            try:
                result = signing.verify_request(request, {peer.key_id: peer.public_key})
            except signing.SignatureRejected as exc:
                return refused(request, str(exc))
            if peer.state not in states:
                status, data = 403, {"detail": "This node does not federate with yours now.", "code": "peer_not_active"}
            else:
                status, data = view(request, peer, *args, **kwargs)
            return json_answer(status, data, request_nonce=result.nonce)

        return wrapper

    return decorate
