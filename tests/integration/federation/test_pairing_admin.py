"""The admin's Federation screens: network admins only, this node's fingerprint, the peers' list,
the pair form, and the approval's confirmation page with the requesting key's fingerprint."""

import pytest
from django.utils import timezone

from federation.keys import node_identity
from federation.models import Peer, PeerState
from tests.integration.federation.pairing_fixtures import loopback_allowed, other_node  # noqa: F401
from venues.services import venue_manager_assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_peer(other_node):  # noqa: F811
    return Peer.objects.create(
        url=other_node.url,
        name=other_node.name,
        key_id=other_node.key_id,
        public_key=other_node.public_pem,
        state=PeerState.PENDING,
        their_state=PeerState.REQUESTED,
    )


def test_the_list_shows_this_node_and_each_peer_with_its_sync(client, network_admin, pending_peer, other_node):  # noqa: F811
    Peer.objects.filter(pk=pending_peer.pk).update(
        cursor=40, head=52, failures=3, last_error="timed out", last_success_at=timezone.now()
    )
    client.force_login(network_admin)
    page = client.get("/admin/federation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert node_identity().fingerprint in page and "http://essaim-a.test" in page
    assert f'data-peer="{other_node.url}" data-state="pending"' in page
    assert other_node.fingerprint in page
    assert "40 / 52 (12)" in page and "timed out" in page
    assert '<th scope="col">' in page and f"/admin/federation/{pending_peer.pk}/approve/" in page


def test_approval_shows_the_fingerprint_then_approves_and_tells_them(client, network_admin, pending_peer, other_node):  # noqa: F811
    client.force_login(network_admin)
    confirm = client.get(f"/admin/federation/{pending_peer.pk}/approve/")
    assert confirm.status_code == 200
    assert other_node.fingerprint in confirm.content.decode()
    assert Peer.objects.get().state == PeerState.PENDING
    done = client.post(f"/admin/federation/{pending_peer.pk}/approve/")
    assert done.status_code == 302
    assert Peer.objects.get().state == PeerState.ACTIVE
    assert [r.path for r in other_node.received] == ["/federation/v1/pair/accept"]


def test_the_pair_form_sends_a_request_and_shows_a_readable_error(client, network_admin, other_node):  # noqa: F811
    client.force_login(network_admin)
    sent = client.post("/admin/federation/", {"url": other_node.url})
    assert sent.status_code == 302
    assert Peer.objects.get().state == PeerState.REQUESTED
    refused = client.post("/admin/federation/", {"url": "http://169.254.169.254"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "link-local or metadata address" in refused.content.decode()


def test_suspend_and_revoke_have_confirmation_pages(client, network_admin, pending_peer, other_node):  # noqa: F811
    Peer.objects.filter(pk=pending_peer.pk).update(state=PeerState.ACTIVE)
    client.force_login(network_admin)
    assert client.get(f"/admin/federation/{pending_peer.pk}/suspend/").status_code == 200
    assert Peer.objects.get().state == PeerState.ACTIVE
    client.post(f"/admin/federation/{pending_peer.pk}/suspend/")
    assert Peer.objects.get().state == PeerState.SUSPENDED
    client.post(f"/admin/federation/{pending_peer.pk}/resume/")
    assert Peer.objects.get().state == PeerState.ACTIVE
    client.post(f"/admin/federation/{pending_peer.pk}/revoke/")
    assert Peer.objects.get().state == PeerState.REVOKED
    assert [r.data["state"] for r in other_node.received] == ["suspended", "active", "revoked"]
    # Revoked is final: no resume.
    client.post(f"/admin/federation/{pending_peer.pk}/resume/")
    assert Peer.objects.get().state == PeerState.REVOKED


def test_a_venue_manager_gets_403_and_no_menu_item(client, make_user, make_venue, pending_peer):
    manager = make_user("gestionnaire")
    venue_manager_assign(venue=make_venue(title="La Ruche"), user=manager)
    client.force_login(manager)
    assert client.get("/admin/federation/").status_code == 403
    assert client.get(f"/admin/federation/{pending_peer.pk}/approve/").status_code == 403
    assert client.post(f"/admin/federation/{pending_peer.pk}/approve/").status_code == 403
    assert Peer.objects.get().state == PeerState.PENDING
    assert "/admin/federation/" not in client.get("/admin/").content.decode()


def test_the_screens_speak_french(client, network_admin, pending_peer):
    client.force_login(network_admin)
    page = client.get("/admin/federation/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Appairer avec un nœud" in page and "Empreinte de la clé" in page
