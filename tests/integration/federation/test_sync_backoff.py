"""A peer that fails is retried later and later (with jitter, capped); success resets it."""

import datetime
import random

import pytest
from django.utils import timezone

from federation.models import Peer, PeerState
from federation.services import sync
from federation.services.sync import backoff, peers_due, sync_peer
from tests.integration.federation import sync_support
from tests.integration.federation.sync_support import new_uid, venue_data

pytestmark = pytest.mark.django_db
fake_peer, peer = sync_support.fake_peer, sync_support.peer  # fixtures

S = datetime.timedelta(seconds=1)


class _Fixed(random.Random):
    def __init__(self, value):
        super().__init__()
        self.value = value

    def random(self):
        return self.value


def test_backoff_doubles_with_half_of_it_random_and_is_capped():
    lows = [backoff(n, rand=_Fixed(0.0)) for n in range(1, 6)]
    highs = [backoff(n, rand=_Fixed(0.999)) for n in range(1, 6)]
    assert lows == [15 * S, 30 * S, 60 * S, 120 * S, 240 * S]
    assert all(low < high < 2 * low for low, high in zip(lows, highs, strict=True))
    assert backoff(40, rand=_Fixed(0.999)) <= sync.BACKOFF_CAP
    assert backoff(40, rand=_Fixed(0.0)) == sync.BACKOFF_CAP / 2
    assert len({backoff(3) for _ in range(20)}) > 1  # jitter


def test_failures_grow_the_wait_and_a_success_resets_it(fake_peer, peer):
    fake_peer.mode = "down"
    waits = []
    for expected in (1, 2, 3):
        started = timezone.now()
        result = sync_peer(peer)
        peer.refresh_from_db()
        assert not result.ok and "503" in result.error and "Down for maintenance" in result.error
        assert peer.failures == expected and peer.last_error == result.error and peer.last_error_at
        waits.append(peer.next_retry_at - started)
    low = sync.BACKOFF_BASE / 2
    assert low <= waits[0] <= 2 * low + S
    assert 2 * low <= waits[1] <= 4 * low + S
    assert 4 * low <= waits[2] <= 8 * low + S

    assert list(peers_due()) == []  # waiting for its backoff
    assert list(peers_due(now=peer.next_retry_at)) == [peer]

    fake_peer.mode = "signed"
    fake_peer.add("venue", new_uid(), venue_data())
    result = sync_peer(peer)
    peer.refresh_from_db()
    assert result.ok and result.applied == 1
    assert (peer.failures, peer.last_error, peer.next_retry_at) == (0, "", None)
    assert peer.last_success_at >= peer.last_error_at


def test_an_unsigned_feed_is_a_failure_and_nothing_is_applied(fake_peer, peer):
    fake_peer.add("venue", new_uid(), venue_data())
    fake_peer.mode = "unsigned"
    result = sync_peer(peer)
    assert not result.ok and "unsigned" in result.error
    fake_peer.mode = "bad_signature"
    result = sync_peer(peer)
    assert not result.ok and "signature was refused" in result.error
    peer.refresh_from_db()
    assert peer.cursor == 0 and peer.failures == 2


def test_a_peer_that_is_down_is_caught_up_from_the_cursor(fake_peer, peer):
    fake_peer.add("venue", new_uid(), venue_data())
    assert sync_peer(peer).ok
    fake_peer.mode = "down"
    fake_peer.add("venue", new_uid(), venue_data())
    fake_peer.add("venue", new_uid(), venue_data())
    assert not sync_peer(peer).ok
    fake_peer.mode = "signed"
    result = sync_peer(peer)
    assert result.ok and result.applied == 2
    peer.refresh_from_db()
    assert peer.cursor == peer.head == 3


def test_an_inactive_peer_is_not_pulled(fake_peer, peer):
    Peer.objects.filter(pk=peer.pk).update(state=PeerState.SUSPENDED)
    peer.refresh_from_db()
    result = sync_peer(peer)
    assert not result.ok and fake_peer.requests == []
    assert list(peers_due()) == []
