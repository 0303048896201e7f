"""The test peer's signer (``tests.support.federation.sign_as``) signs as another node does: its
headers verify against its public key with the node's own verifier, and not against another key
or for another URL. No database: the nonce is checked by ``verify_request``, not here."""

import pytest

from federation import signing
from tests.support.federation import new_peer_key, sign_as

URL = "http://127.0.0.1:8000/federation/v1/changes?after=0"


def verify(headers, key_pem_by_id, url=URL, method="GET"):
    message = signing.Message(method, url, dict(headers))
    return signing._verify(message, key_pem_by_id, b"", ["@method", "@target-uri"])


def test_a_peer_signature_verifies_with_its_public_key():
    key = new_peer_key()
    result = verify(sign_as(key, "GET", URL), {key.key_id: key.public_pem})
    assert result.parameters["keyid"] == key.key_id
    assert result.nonce


def test_it_does_not_verify_with_another_key_or_for_another_url():
    key, other = new_peer_key(), new_peer_key()
    headers = sign_as(key, "GET", URL)
    with pytest.raises(signing.SignatureRejected):
        verify(headers, {key.key_id: other.public_pem})
    with pytest.raises(signing.SignatureRejected):
        verify(headers, {key.key_id: key.public_pem}, url=URL.replace("after=0", "after=5"))


def test_each_signature_has_its_own_nonce():
    key = new_peer_key()
    first, second = sign_as(key, "GET", URL), sign_as(key, "GET", URL)
    keys = {key.key_id: key.public_pem}
    assert verify(first, keys).nonce != verify(second, keys).nonce
