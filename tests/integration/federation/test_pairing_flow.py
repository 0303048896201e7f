"""Pairing between this node and a fake second node on loopback: request, approval, accept, the
receiving side's checks, suspension, and both nodes asking at once."""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings
from django.utils import translation

from core.errors import DomainError
from federation.api import pairing as pairing_api
from federation.keys import public_pem_of
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
    other_node.published_key = public_pem_of(ed25519.Ed25519PrivateKey.generate())
    assert post_pair(client, other_node).status_code == 401
    assert not Peer.objects.exists()


def test_an_unsigned_request_is_refused(client, other_node):  # noqa: F811
    assert post_pair(client, other_node, headers={}).status_code == 401
    assert not Peer.objects.exists()


def signed_post(client, node, path, data):
    body = json.dumps(data).encode()
    signed = node.signed_headers(settings.ESSAIM_NODE_URL + path, body)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed.items() if k != "Content-Type"}
    return client.post(path, body, content_type="application/json", **extra)


def test_their_accept_turns_our_request_active(client, other_node):  # noqa: F811
    pairing.peer_add(url=other_node.url)
    answer = signed_post(client, other_node, "/federation/v1/pair/accept", {"url": other_node.url})
    assert answer.status_code == 202 and answer.json() == {"state": "active"}
    peer = Peer.objects.get()
    assert (peer.state, peer.their_state) == (PeerState.ACTIVE, PeerState.ACTIVE)


def test_both_nodes_asking_at_once_end_active_without_duplicates(client, other_node):  # noqa: F811
    """We add them while they add us: each side approves the other's request."""
    other_node.pair_answer = (202, {"state": "pending"})
    pairing.peer_add(url=other_node.url)
    assert post_pair(client, other_node).json() == {"state": "pending"}
    assert Peer.objects.get().state == PeerState.PENDING
    assert pairing.peer_approve(url=other_node.url).problem == ""
    assert signed_post(client, other_node, "/federation/v1/pair/accept", {}).status_code == 202
    peer = Peer.objects.get()
    assert (peer.state, peer.their_state) == (PeerState.ACTIVE, PeerState.ACTIVE)
    # A request repeated once active changes nothing.
    assert post_pair(client, other_node).json() == {"state": "active"}
    assert Peer.objects.count() == 1 and Peer.objects.get().state == PeerState.ACTIVE


def test_a_suspended_peer_is_refused_with_403(client, other_node):  # noqa: F811
    pairing.peer_add(url=other_node.url)
    signed_post(client, other_node, "/federation/v1/pair/accept", {})
    assert pairing.peer_suspend(url=other_node.url).problem == ""
    assert other_node.received[-1].data == {"url": settings.ESSAIM_NODE_URL, "state": "suspended"}
    refused = signed_post(client, other_node, "/federation/v1/pair/accept", {})
    assert refused.status_code == 403 and refused.json()["code"] == "peer_not_active"
    pairing.peer_resume(url=other_node.url)
    assert signed_post(client, other_node, "/federation/v1/pair/accept", {}).status_code == 202


def test_their_suspension_and_revocation_are_recorded_as_their_state(client, other_node):  # noqa: F811
    pairing.peer_add(url=other_node.url)
    signed_post(client, other_node, "/federation/v1/pair/accept", {})
    assert signed_post(client, other_node, "/federation/v1/pair/state", {"state": "suspended"}).status_code == 202
    peer = Peer.objects.get()
    assert (peer.state, peer.their_state) == (PeerState.ACTIVE, PeerState.SUSPENDED)
    assert signed_post(client, other_node, "/federation/v1/pair/state", {"state": "bogus"}).status_code == 400
    signed_post(client, other_node, "/federation/v1/pair/state", {"state": "revoked"})
    assert Peer.objects.get().their_state == PeerState.REVOKED


def test_a_revoked_peer_stays_revoked_until_we_add_it_again(client, other_node):  # noqa: F811
    post_pair(client, other_node)
    pairing.peer_revoke(url=other_node.url)
    again = post_pair(client, other_node)
    assert again.status_code == 403 and again.json()["code"] == "peer_revoked"
    assert Peer.objects.get().state == PeerState.REVOKED
    pairing.peer_add(url=other_node.url)
    assert Peer.objects.get().state == PeerState.REQUESTED


def test_a_new_key_on_an_active_peer_needs_approval_again(client, other_node):  # noqa: F811
    post_pair(client, other_node)
    pairing.peer_approve(url=other_node.url)
    other_node.private_key = ed25519.Ed25519PrivateKey.generate()
    assert post_pair(client, other_node).json() == {"state": "pending"}
    peer = Peer.objects.get()
    assert peer.state == PeerState.PENDING and peer.public_key.strip() == other_node.public_pem.strip()


def test_a_replayed_pairing_request_is_refused(client, other_node):  # noqa: F811
    body = json.dumps(other_node.node_info()).encode()
    headers = other_node.signed_headers(settings.ESSAIM_NODE_URL + "/federation/v1/pair", body)
    assert post_pair(client, other_node, headers=headers).status_code == 202
    assert post_pair(client, other_node, headers=headers).status_code == 401


def test_a_node_info_naming_another_address_is_refused_readably(other_node):  # noqa: F811
    with translation.override("en"), pytest.raises(DomainError, match="says its address is") as refused:
        pairing.peer_add(url=other_node.url.replace("127.0.0.1", "localhost"))
    assert refused.value.code == "url_mismatch"
    assert not Peer.objects.exists()


def test_our_own_address_is_refused(loopback_allowed):  # noqa: F811
    with pytest.raises(DomainError) as refused:
        pairing.peer_add(url="http://essaim-a.test/")
    assert refused.value.code == "own_address"


def test_pairing_requests_are_rate_limited_per_client(client, other_node, monkeypatch):  # noqa: F811
    monkeypatch.setattr(pairing_api, "PAIR_RATE", 2)
    assert post_pair(client, other_node).status_code == 202
    assert post_pair(client, other_node, headers={}).status_code == 401
    throttled = post_pair(client, other_node)
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert throttled["Retry-After"] == "600"


def test_after_they_revoked_us_we_may_ask_again(client, other_node):  # noqa: F811
    pairing.peer_add(url=other_node.url)
    signed_post(client, other_node, "/federation/v1/pair/accept", {})
    signed_post(client, other_node, "/federation/v1/pair/state", {"state": "revoked"})
    with pytest.raises(DomainError) as refused:
        Peer.objects.update(their_state=PeerState.SUSPENDED)
        pairing.peer_add(url=other_node.url)
    assert refused.value.code == "already_paired"
    Peer.objects.update(their_state=PeerState.REVOKED)
    other_node.pair_answer = (403, {"detail": "revoked", "code": "peer_revoked"})
    result = pairing.peer_add(url=other_node.url)
    assert "403" in result.problem
    peer = Peer.objects.get()
    assert (peer.state, peer.their_state) == (PeerState.REQUESTED, PeerState.REVOKED)


def test_a_node_that_still_holds_us_active_pairs_at_once(other_node):  # noqa: F811
    other_node.pair_answer = (202, {"state": "active"})
    assert pairing.peer_add(url=other_node.url).problem == ""
    peer = Peer.objects.get()
    assert (peer.state, peer.their_state) == (PeerState.ACTIVE, PeerState.ACTIVE)
