"""Applying 10,000 changes of a peer on a fresh mirror: 500 venues, 2,000 resources, 2,500 events
and 5,000 busy intervals, pulled through the whole path (signed pages from a loopback fake peer,
checked, applied page by page with the cursor) by ``federation.services.sync.sync_peer``.

Run with ``.venv/bin/python -m pytest tests/benchmarks/bench_mirror_apply.py -m benchmark -s``;
set ``DATABASE_URL`` for PostgreSQL. Prints seconds; asserts the rows, never the timings.

Target from the issue: < 10 s on SQLite and on PostgreSQL. A second pass from cursor 0 measures
the idempotent re-apply (every object compared, nothing written).
"""

import datetime
import random
import time
import uuid

import pytest
from django.db import connection

from bookings.models import BusyBlock, Resource, ResourceHours
from events.models import Event
from federation.models import Peer
from federation.services import mirrors
from federation.services.sync import sync_peer
from tests.benchmarks.support import db_label, load_average, print_table
from tests.integration.federation import sync_support
from tests.integration.federation.sync_support import busy_data, event_data, resource_data, venue_data
from venues.models import VenuePage

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]
fake_peer, peer = sync_support.fake_peer, sync_support.peer  # fixtures

N_VENUES, RESOURCES_PER_VENUE, EVENTS_PER_VENUE, N_BUSY = 500, 4, 5, 5_000
KINDS = ("tiers_lieu", "totem", "social_business_center")
TARGET_S = 10.0


def _feed(fake, rng: random.Random) -> None:
    start = datetime.datetime(2030, 1, 7, 8, tzinfo=datetime.UTC)
    rooms = []
    for v in range(N_VENUES):
        venue = str(uuid.UUID(int=rng.getrandbits(128)))
        fake.add(
            "venue",
            venue,
            venue_data(
                kind=KINDS[v % 3],
                titles={"fr": f"Lieu {v}", "en": f"Venue {v}"},
                latitude=rng.uniform(-60, 60),
                longitude=rng.uniform(-170, 170),
            ),
        )
        seats = None
        for r in range(RESOURCES_PER_VENUE):
            uid = str(uuid.UUID(int=rng.getrandbits(128)))
            kind = ("desk", "desk_pool", "room", "event_seats")[r]
            fake.add(
                "resource",
                uid,
                resource_data(venue, name=f"{kind} {v}", kind=kind, capacity=1 if kind in ("desk", "room") else 12),
            )
            if kind == "event_seats":
                seats = uid
            else:
                rooms.append(uid)
        for e in range(EVENTS_PER_VENUE):
            at = start + datetime.timedelta(days=rng.randrange(300), hours=rng.randrange(10))
            fake.add(
                "event",
                uuid.UUID(int=rng.getrandbits(128)),
                event_data(
                    venue,
                    seats if e == 0 else None,
                    titles={"fr": f"Atelier {v}-{e}"},
                    start=at.isoformat(),
                    end=(at + datetime.timedelta(hours=2)).isoformat(),
                    last_end=(at + datetime.timedelta(hours=2)).isoformat(),
                ),
            )
    for _ in range(N_BUSY):
        at = start + datetime.timedelta(days=rng.randrange(300), hours=rng.randrange(10))
        fake.add(
            "busy",
            uuid.UUID(int=rng.getrandbits(128)),
            busy_data(rng.choice(rooms), start=at.isoformat(), end=(at + datetime.timedelta(hours=1)).isoformat()),
        )


class _Counter:
    """Counts statements without the debug cursor's cost (``CaptureQueriesContext`` formats each)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _timed(peer, monkeypatch):
    """The whole pull, and the part spent applying pages (the rest: HTTP, signatures, JSON, checks;
    the fake peer serves from this same process)."""
    counter = _Counter()
    applying = [0.0]
    real_apply = mirrors.apply

    def timed_apply(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return real_apply(*args, **kwargs)
        finally:
            applying[0] += time.perf_counter() - t0

    monkeypatch.setattr(mirrors, "apply", timed_apply)
    with connection.execute_wrapper(counter):
        t0, cpu0 = time.perf_counter(), time.process_time()
        result = sync_peer(peer, max_pages=100)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    monkeypatch.setattr(mirrors, "apply", real_apply)
    return result, elapsed, cpu, applying[0], counter.count


def test_apply_ten_thousand_changes(fake_peer, peer, monkeypatch):
    _feed(fake_peer, random.Random(14))
    assert len(fake_peer.changes) == 10_000

    first, first_s, first_cpu_s, first_apply_s, first_queries = _timed(peer, monkeypatch)
    assert first.ok, first.error
    assert first.applied == 10_000

    assert VenuePage.objects.filter(origin=peer.url).count() == N_VENUES
    assert Resource.objects.filter(origin=peer.url).count() == N_VENUES * RESOURCES_PER_VENUE
    assert ResourceHours.objects.filter(resource__origin=peer.url).count() == N_VENUES * RESOURCES_PER_VENUE
    assert Event.objects.filter(origin=peer.url).count() == N_VENUES * EVENTS_PER_VENUE
    assert BusyBlock.objects.filter(source=peer.url).count() == N_BUSY
    peer.refresh_from_db()
    assert peer.cursor == peer.head == 10_000

    Peer.objects.filter(pk=peer.pk).update(cursor=0)
    peer.refresh_from_db()
    again, again_s, again_cpu_s, again_apply_s, again_queries = _timed(peer, monkeypatch)
    assert again.ok and again.changed == 0

    print_table(
        f"Mirror apply: 10,000 changes on a fresh mirror ({db_label()}, load {load_average()})",
        ["pass", "pages", "seconds", "of which applying", "CPU s (this process)", "queries", "changed", "target"],
        [
            [
                "fresh mirror",
                first.pages,
                f"{first_s:.2f}",
                f"{first_apply_s:.2f}",
                f"{first_cpu_s:.2f}",
                first_queries,
                first.changed,
                f"< {TARGET_S:g} s",
            ],
            [
                "same 10,000 again",
                again.pages,
                f"{again_s:.2f}",
                f"{again_apply_s:.2f}",
                f"{again_cpu_s:.2f}",
                again_queries,
                again.changed,
                "—",
            ],
        ],
        note=(
            "500 venues, 2,000 resources, 2,500 events, 5,000 busy; signed pages of 500 over loopback. "
            "CPU s counts this process (the fake peer's thread too), less sensitive to a loaded machine."
        ),
    )
