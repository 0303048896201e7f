"""The signed peer client: answers are believed only when the peer signed them."""

import pytest

from federation import client
from tests.integration.federation import sync_support

pytestmark = pytest.mark.django_db
fake_peer, peer = sync_support.fake_peer, sync_support.peer  # fixtures


def test_a_signed_answer_is_read(fake_peer, peer):
    reply = client.call(peer, "GET", "/federation/v1/changes?after=0&limit=10")
    assert reply.status == 200
    assert reply.data == {"changes": [], "next": 0, "head": 0, "more": False}
    method, path = fake_peer.requests[-1]
    assert (method, path) == ("GET", "/federation/v1/changes?after=0&limit=10")


def test_a_post_carries_its_body_and_key(fake_peer, peer):
    reply = client.call(peer, "POST", "/federation/v1/notify", json={}, idempotency_key="k-1")
    assert reply.status == 202 and reply.ok


def test_an_unsigned_answer_is_refused(fake_peer, peer):
    fake_peer.mode = "unsigned"
    with pytest.raises(client.PeerBadAnswer, match="unsigned answer"):
        client.call(peer, "GET", "/federation/v1/changes?after=0")


def test_an_answer_signed_with_another_key_is_refused(fake_peer, peer):
    fake_peer.mode = "bad_signature"
    with pytest.raises(client.PeerBadAnswer, match="signature was refused") as caught:
        client.call(peer, "GET", "/federation/v1/changes?after=0")
    assert caught.value.code == "bad_signature"


def test_an_answer_to_another_request_is_refused(fake_peer, peer, monkeypatch):
    """A replayed answer carries an older request's nonce."""
    real_sign = client.signing.sign_request

    def sign_but_forget(*args, **kwargs):
        headers, _nonce = real_sign(*args, **kwargs)
        return headers, "not-the-nonce-we-sent"

    monkeypatch.setattr(client.signing, "sign_request", sign_but_forget)
    with pytest.raises(client.PeerBadAnswer, match="another request"):
        client.call(peer, "GET", "/federation/v1/changes?after=0")


def test_a_peer_that_is_gone_is_unreachable(fake_peer, peer):
    fake_peer.close()
    with pytest.raises(client.PeerUnreachable):
        client.call(peer, "GET", "/federation/v1/changes?after=0", timeout=2)


def test_a_private_address_is_refused_without_the_setting(fake_peer, peer, settings):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = []
    with pytest.raises(client.PeerUnreachable, match="loopback") as caught:
        client.call(peer, "GET", "/federation/v1/changes?after=0")
    assert caught.value.code == "refused_address"
    assert fake_peer.requests == []


def test_a_refusal_of_our_signature_is_named(fake_peer, peer, monkeypatch):
    monkeypatch.setattr(client.signing, "sign_request", lambda *a, **k: ({}, "n"))
    with pytest.raises(client.PeerRefused, match="401"):
        client.call(peer, "GET", "/federation/v1/changes?after=0")
