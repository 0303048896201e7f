"""Pairing between this node and a fake second node on loopback: request, approval, accept, the
receiving side's checks, suspension, and both nodes asking at once."""

import json

import pytest
from django.conf import settings

from federation.models import Peer, PeerState
from federation.services import pairing
from tests.integration.federation.pairing_fixtures import loopback_allowed, other_node  # noqa: F401

pytestmark = pytest.mark.django_db


def post_pair(client, node, *, body=None, headers=None):
    """A signed ``POST /federation/v1/pair`` from ``node`` through the Django test client."""
    body = json.dumps(body if body is not None else node.node_info()).encode()
    url = settings.ESSAIM_NODE_URL + "/federation/v1/pair"
    signed = headers if headers is not None else node.signed_headers(url, body)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed.items() if k != "Content-Type"}
    return client.post("/federation/v1/pair", body, content_type="application/json", **extra)


def test_add_requests_pairing_and_sends_our_signed_node_info(other_node):  # noqa: F811
    result = pairing.peer_add(url=other_node.url + "/")
    peer = Peer.objects.get()
    assert result.problem == ""
    assert (peer.url, peer.state, peer.their_state) == (other_node.url, PeerState.REQUESTED, PeerState.PENDING)
    assert (peer.name, peer.key_id) == ("Nœud partenaire", other_node.key_id)
    [sent] = other_node.received
    assert sent.path == "/federation/v1/pair" and sent.verified
    assert sent.data["url"] == settings.ESSAIM_NODE_URL and sent.data["key_id"] == other_node.our_key_id


def test_receiving_a_request_waits_for_approval_then_approval_tells_them(client, other_node):  # noqa: F811
    answer = post_pair(client, other_node)
    assert answer.status_code == 202, answer.content
    assert answer.json() == {"state": "pending"}
    assert "Signature" in answer.headers
    peer = Peer.objects.get()
    assert (peer.state, peer.their_state, peer.key_id) == (PeerState.PENDING, PeerState.REQUESTED, other_node.key_id)
    result = pairing.peer_approve(url=other_node.url)
    assert result.problem == ""
    peer.refresh_from_db()
    assert (peer.state, peer.their_state) == (PeerState.ACTIVE, PeerState.ACTIVE)
    [accept] = other_node.received
    assert accept.path == "/federation/v1/pair/accept" and accept.verified


def test_a_body_key_other_than_the_published_one_is_refused(client, other_node):  # noqa: F811
    other_node.published_key = FakeKey.pem()
    assert post_pair(client, other_node).status_code == 401
    assert not Peer.objects.exists()


def test_an_unsigned_request_is_refused(client, other_node):  # noqa: F811
    assert post_pair(client, other_node, headers={}).status_code == 401
    assert not Peer.objects.exists()


class FakeKey:
    @staticmethod
    def pem():
        from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: PLC0415

        from federation.keys import public_pem_of  # noqa: PLC0415

        return public_pem_of(ed25519.Ed25519PrivateKey.generate())
