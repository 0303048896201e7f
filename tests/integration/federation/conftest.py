"""Fixtures for the federation: a named peer whose venues are mirrored here, and a resource of a
peer node mirrored here (booked through that node)."""

import pytest
from django.core.cache import cache

from bookings.models import Resource
from federation import names
from federation.models import Peer, PeerState
from tests.support.mirrors import PEER


@pytest.fixture
def peer(db):
    cache.clear()
    names.forget()
    return Peer.objects.create(url=PEER, name="Nœud A", state=PeerState.ACTIVE)


#: The venue node of ``mirror`` (the remote-booking tests fake its answers).
MIRROR_PEER_URL = "https://venues-a.example"


@pytest.fixture
def mirror(make_resource):
    """A resource of the peer at ``MIRROR_PEER_URL``, mirrored here."""
    Peer.objects.create(url=MIRROR_PEER_URL, name="Réseau A", key_id="a#1", public_key="x", state=PeerState.ACTIVE)
    resource = make_resource()
    Resource.objects.filter(pk=resource.pk).update(origin=MIRROR_PEER_URL)
    resource.refresh_from_db()
    return resource
