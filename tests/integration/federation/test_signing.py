"""RFC 9421 signatures between nodes: what is accepted, and every way a request is refused."""

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings
from django.test import RequestFactory

from federation import keys, signing

pytestmark = pytest.mark.django_db

URL_PATH = "/federation/v1/notify?x=1"


@pytest.fixture(autouse=True)
def _fresh_key():
    keys.forget()
    yield
    keys.forget()


def _request(headers: dict, body: bytes = b'{"a":1}', path: str = URL_PATH, method: str = "POST"):
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    factory = RequestFactory()
    if method == "GET":
        return factory.get(path, **meta)
    return factory.generic(method, path, data=body, content_type="application/json", **meta)


def _signed(body=b'{"a":1}', method="POST", path=URL_PATH, **extra):
    headers, nonce = signing.sign_request(
        method, settings.ESSAIM_NODE_URL + path, body=body if method != "GET" else b"", headers=extra
    )
    return headers, nonce


def _keys():
    identity = keys.node_identity()
    return {identity.key_id: identity.public_pem}


def test_a_signed_request_verifies_once_and_its_replay_is_refused():
    headers, nonce = _signed(**{"Idempotency-Key": "k-1"})
    result = signing.verify_request(_request(headers), _keys())
    assert result.nonce == nonce
    with pytest.raises(signing.SignatureRejected, match="replayed"):
        signing.verify_request(_request(headers), _keys())


def test_unsigned_request_is_refused():
    with pytest.raises(signing.SignatureRejected, match="unsigned"):
        signing.verify_request(_request({}), _keys())


def test_a_changed_body_is_refused():
    headers, _ = _signed()
    with pytest.raises(signing.SignatureRejected):
        signing.verify_request(_request(headers, body=b'{"a":2}'), _keys())


def test_another_path_is_refused():
    headers, _ = _signed()
    with pytest.raises(signing.SignatureRejected):
        signing.verify_request(_request(headers, path="/federation/v1/holds"), _keys())


def test_a_wrong_key_is_refused():
    headers, _ = _signed()
    other = ed25519.Ed25519PrivateKey.generate().public_key()
    pem = other.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    with pytest.raises(signing.SignatureRejected):
        signing.verify_request(_request(headers), {keys.node_identity().key_id: pem})


def test_an_unknown_key_id_is_refused():
    headers, _ = _signed()
    with pytest.raises(signing.SignatureRejected):
        signing.verify_request(_request(headers), {"https://elsewhere.example#x": keys.node_identity().public_pem})


def test_an_expired_signature_is_refused():
    with time_machine.travel("2026-01-01 10:00:00Z", tick=False):
        headers, _ = _signed()
    with (
        time_machine.travel("2026-01-01 10:05:31Z", tick=False),
        pytest.raises(signing.SignatureRejected, match="age"),
    ):
        signing.verify_request(_request(headers), _keys())


def test_a_signature_from_the_future_is_refused():
    with time_machine.travel("2026-01-01 10:10:00Z", tick=False):
        headers, _ = _signed()
    with time_machine.travel("2026-01-01 10:00:00Z", tick=False), pytest.raises(signing.SignatureRejected):
        signing.verify_request(_request(headers), _keys())


def test_an_idempotency_key_is_covered():
    headers, _ = _signed(**{"Idempotency-Key": "k-1"})
    headers["Idempotency-Key"] = "k-2"
    with pytest.raises(signing.SignatureRejected):
        signing.verify_request(_request(headers), _keys())


def test_the_target_uri_comes_from_the_node_url_not_the_host_header(settings):
    headers, _ = _signed()
    # The same bytes presented to a node with another public URL do not verify there.
    settings.ESSAIM_NODE_URL = "https://other-node.example"
    with pytest.raises(signing.SignatureRejected):
        signing.verify_request(_request(headers), _keys())


def test_a_signed_answer_verifies_only_for_its_request():
    body = b'{"ok":true}'
    headers = signing.sign_answer(200, {"Content-Type": "application/json"}, body, request_nonce="n-1")
    lowered = {k.lower(): v for k, v in headers.items()}
    signing.verify_answer(200, lowered, body, _keys(), request_nonce="n-1")
    with pytest.raises(signing.SignatureRejected):
        signing.verify_answer(200, lowered, body, _keys(), request_nonce="n-2")
    with pytest.raises(signing.SignatureRejected):
        signing.verify_answer(200, lowered, b'{"ok":false}', _keys(), request_nonce="n-1")
    with pytest.raises(signing.SignatureRejected):
        signing.verify_answer(500, lowered, body, _keys(), request_nonce="n-1")


def test_the_environment_key_overrides_the_database(settings):
    private = ed25519.Ed25519PrivateKey.generate()
    settings.ESSAIM_NODE_PRIVATE_KEY = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    keys.forget()
    assert keys.node_identity().public_pem == keys.public_pem_of(private)


def test_node_info_publishes_the_key(client):
    info = client.get("/.well-known/essaim").json()
    identity = keys.node_identity()
    assert info["url"] == settings.ESSAIM_NODE_URL
    assert info["key_id"] == identity.key_id
    assert info["public_key"] == identity.public_pem
    assert info["fingerprint"] == identity.fingerprint
    assert info["api_version"] == "1"
