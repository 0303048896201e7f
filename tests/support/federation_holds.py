"""A peer node in a test: a ``Peer`` row with a key of its own, and a client that signs requests
with that key (RFC 9421, as a real peer would), through Django's test client."""

from __future__ import annotations

import json
from dataclasses import dataclass
from unittest import mock

from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings

from federation import signing
from federation.keys import NodeIdentity, public_pem_of
from federation.models import Peer, PeerState


@dataclass
class SignedPeer:
    peer: Peer
    identity: NodeIdentity
    client: object

    def post(self, path: str, data: dict | None = None, *, key: str | None = None):
        """POST ``data`` as JSON to ``path``, signed with this peer's key (``key``: the Idempotency-Key)."""
        body = json.dumps(data or {}).encode()
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = key
        with mock.patch.object(signing, "node_identity", return_value=self.identity):
            signed, _nonce = signing.sign_request("POST", settings.ESSAIM_NODE_URL + path, body=body, headers=headers)
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in signed.items()}
        extra.pop("HTTP_CONTENT_TYPE", None)
        return self.client.generic("POST", path, body, content_type="application/json", **extra)


def make_peer(client, *, url: str = "https://peer-b.example", name: str = "Réseau B", **fields) -> SignedPeer:
    """An active peer whose requests ``SignedPeer.post`` signs with its own fresh key."""
    private_key = ed25519.Ed25519PrivateKey.generate()
    public_pem = public_pem_of(private_key)
    key_id = f"{url}#test-key"
    peer = Peer.objects.create(
        url=url, name=name, key_id=key_id, public_key=public_pem, state=PeerState.ACTIVE, **fields
    )
    return SignedPeer(peer, NodeIdentity(key_id, private_key, public_pem), client)
