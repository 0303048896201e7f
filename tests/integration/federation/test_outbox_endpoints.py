"""``GET /federation/v1/changes`` and ``GET /federation/v1/objects/<kind>/<uuid>`` with real signed
requests from a test peer (its own Ed25519 key), and what they refuse."""

import uuid

import pytest
from wagtail.models import Page

from federation import outbox, signing
from federation.keys import node_identity
from federation.models import ChangeKind, Peer, PeerState
from tests.support.federation import answer_json, make_peer, signed_client_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer():
    return make_peer()


def get(client, path, key):
    return signed_client_request(client, "GET", path, key)


def test_the_feed_answers_a_signed_page(client, peer, make_resource):
    resource = make_resource()
    _peer, key = peer
    answer = get(client, "/federation/v1/changes?after=0&limit=50", key)
    assert answer.status_code == 200, answer.content
    body = answer_json(answer)
    assert set(body) == {"changes", "next", "head", "more"}
    assert {(e["kind"], e["uid"]) for e in body["changes"]} >= {
        ("venue", str(resource.venue.translation_key)),
        ("resource", str(resource.uid)),
    }
    assert body["next"] == body["head"] and body["more"] is False
    assert answer["Signature"] and answer["Signature-Input"]  # the answer is signed too


def test_the_feed_pages_with_the_cursor(client, peer):
    _peer, key = peer
    for _ in range(5):
        outbox.record(ChangeKind.VENUE, uuid.uuid4(), {"city": "Dakar"})
    first = answer_json(get(client, "/federation/v1/changes?after=0&limit=2", key))
    assert len(first["changes"]) == 2 and first["more"] and first["next"] == 2
    rest = answer_json(get(client, f"/federation/v1/changes?after={first['next']}&limit=10", key))
    assert [e["position"] for e in rest["changes"]] == [3, 4, 5] and not rest["more"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("after=abc", "invalid_cursor"),
        ("after=-1", "invalid_cursor"),
        ("after=1.5", "invalid_cursor"),
        ("limit=x", "invalid_limit"),
        ("limit=0", "invalid_limit"),
    ],
)
def test_a_bad_cursor_or_limit_is_a_400_with_its_code(client, peer, query, code):
    _peer, key = peer
    answer = get(client, f"/federation/v1/changes?{query}", key)
    assert answer.status_code == 400
    assert answer_json(answer)["code"] == code


def test_private_entries_go_to_their_peer_only(client, peer):
    peer_b, key_b = peer
    _peer_c, key_c = make_peer("http://127.0.0.1:8002")
    outbox.record(ChangeKind.BOOKING, uuid.uuid4(), {"status": "held"}, peer=peer_b)
    assert len(answer_json(get(client, "/federation/v1/changes", key_b))["changes"]) == 1
    assert answer_json(get(client, "/federation/v1/changes", key_c))["changes"] == []


def test_unsigned_badly_signed_and_unknown_keys_are_refused(client, peer):
    _peer, key = peer
    assert client.get("/federation/v1/changes").status_code == 401
    stranger = make_peer("http://127.0.0.1:8003")[1]
    Peer.objects.filter(key_id=stranger.key_id).delete()
    answer = get(client, "/federation/v1/changes", stranger)
    assert answer.status_code == 401 and answer_json(answer)["code"] == "bad_signature"
    headers = {"Signature": "essaim=:AAAA:", "Signature-Input": f'essaim=("@method");keyid="{key.key_id}"'}
    assert client.get("/federation/v1/changes", headers=headers).status_code == 401


def test_a_suspended_peer_is_refused(client, peer):
    peer_row, key = peer
    peer_row.state = PeerState.SUSPENDED
    peer_row.save()
    answer = get(client, "/federation/v1/changes", key)
    assert answer.status_code == 403 and answer_json(answer)["code"] == "peer_not_active"


def test_the_signed_answer_verifies_against_this_nodes_key(client, peer):
    _peer, key = peer
    answer = get(client, "/federation/v1/changes", key)
    nonce = answer["Essaim-Request-Nonce"]
    identity = node_identity()
    signing.verify_answer(
        answer.status_code,
        dict(answer.headers.items()),
        answer.content,
        {identity.key_id: identity.public_pem},
        request_nonce=nonce,
    )


def test_one_object_by_kind_and_uid(client, peer, make_resource):
    resource = make_resource(name="Salle Orange")
    _peer, key = peer
    answer = get(client, f"/federation/v1/objects/resource/{resource.uid}", key)
    assert answer.status_code == 200
    body = answer_json(answer)
    assert body["kind"] == "resource" and body["uid"] == str(resource.uid) and body["deleted"] is False
    assert body["data"]["name"] == "Salle Orange"
    venue = answer_json(get(client, f"/federation/v1/objects/venue/{resource.venue.translation_key}", key))
    assert venue["data"]["titles"]["fr"] == resource.venue.title


def test_an_unpublished_object_is_deleted_and_an_unknown_one_404(client, peer, make_resource):
    resource = make_resource()
    _peer, key = peer
    Page.objects.get(pk=resource.venue.pk).specific.unpublish()
    body = answer_json(get(client, f"/federation/v1/objects/venue/{resource.venue.translation_key}", key))
    assert body["deleted"] is True and body["data"] == {}
    assert get(client, f"/federation/v1/objects/venue/{uuid.uuid4()}", key).status_code == 404
    assert get(client, f"/federation/v1/objects/spaceship/{uuid.uuid4()}", key).status_code == 404


def test_only_get_is_answered(client, peer):
    _peer, key = peer
    answer = signed_client_request(client, "POST", "/federation/v1/changes", key, data={"x": 1})
    assert answer.status_code == 405
