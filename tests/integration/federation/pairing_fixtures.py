"""Pairing fixtures, imported by the pairing tests: loopback allowed for outbound fetches, this
node's address, and a fake second node served from a thread (``fake_node``)."""

import pytest

from federation import keys
from tests.integration.federation.fake_node import FakeNode, start


@pytest.fixture
def loopback_allowed(settings):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.0/8", "::1/128"]
    settings.ESSAIM_NODE_URL = "http://essaim-a.test"
    keys.forget()
    yield
    keys.forget()


@pytest.fixture
def other_node(db, loopback_allowed):
    """Node B on loopback, checking what we send with our public key."""
    identity = keys.node_identity()
    node = FakeNode(our_key_id=identity.key_id, our_public_key=identity.public_pem)
    server, thread = start(node)
    yield node
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
