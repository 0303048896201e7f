"""Fixtures for the federation's read paths: a named peer whose venues are mirrored here."""

import pytest
from django.core.cache import cache

from federation import names
from federation.models import Peer, PeerState
from tests.support.mirrors import PEER


@pytest.fixture
def peer(db):
    cache.clear()
    names.forget()
    return Peer.objects.create(url=PEER, name="Nœud A", state=PeerState.ACTIVE)
