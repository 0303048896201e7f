"""The admin's "synchronise now": a network admin pulls an active peer at once; a failure is shown
and recorded on the peer (its backoff starts)."""

import pytest

from federation.models import Peer, PeerState
from tests.integration.federation.pairing_fixtures import loopback_allowed  # noqa: F401

pytestmark = pytest.mark.django_db


def test_sync_now_of_an_unreachable_peer_says_why_and_records_it(client, network_admin, loopback_allowed):  # noqa: F811
    peer = Peer.objects.create(
        url="http://127.0.0.1:9", name="Nœud éteint", key_id="x#1", public_key="-", state=PeerState.ACTIVE
    )
    client.force_login(network_admin)
    index = client.get("/admin/federation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/admin/federation/{peer.pk}/sync/" in index
    assert client.get(f"/admin/federation/{peer.pk}/sync/").status_code == 200
    done = client.post(f"/admin/federation/{peer.pk}/sync/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "La synchronisation a échoué" in done.content.decode()
    peer.refresh_from_db()
    assert peer.failures == 1 and peer.last_error and peer.next_retry_at
