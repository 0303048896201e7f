"""The read paths with a peer's mirrors: queries and time per request with 10 and with N mirrored
venues (each with a room, a desk pool and an event with busy blocks) beside a few of our own.

Run with ``.venv/bin/python -m pytest tests/benchmarks/bench_reads_mirrors.py -m benchmark -s``.
Prints queries and median milliseconds per path; asserts only that every path shows the mirrors
and that the number of queries does not grow with them.
"""

import time
from datetime import UTC, datetime, timedelta
from datetime import time as wall
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from federation import names
from federation.models import Peer, PeerState
from tests.benchmarks.support import db_label, ms_since, print_table, summary
from tests.support.factories import ResourceFactory, VenueFactory
from tests.support.mirrors import PEER, mirror_busy, mirror_event, mirror_resource, mirror_venue

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

MIRRORS = 60
ROUNDS = 5
PARIS = ZoneInfo("Europe/Paris")


def tuesday_at(hour: int) -> datetime:
    today = datetime.now(PARIS).date()
    day = today + timedelta(days=2 + (1 - (today + timedelta(days=2)).weekday()) % 7)
    return datetime.combine(day, wall(hour), tzinfo=PARIS)


def add_mirrors(first: int, count: int) -> None:
    start = tuesday_at(18).astimezone(UTC)
    for n in range(first, first + count):
        venue = mirror_venue(PEER, title=f"Miroir {n:03}", latitude=45.70 + n / 1000, longitude=4.80)
        mirror_resource(venue, name=f"Salle {n:03}")
        pool = mirror_resource(venue, name=f"Plateau {n:03}", kind="desk_pool", capacity=6)
        mirror_busy(pool, start=tuesday_at(9).astimezone(UTC), end=tuesday_at(12).astimezone(UTC), quantity=2)
        event = mirror_event(venue, start=start + timedelta(hours=n % 5), titles={"fr": f"Atelier {n:03}"})
        mirror_busy(event.seats, start=event.start, end=event.end, quantity=3)


def measure(client: Client, path: str, params: dict) -> tuple[int, float, bytes]:
    client.get(path, params)  # warm: content types, peers' names
    with CaptureQueriesContext(connection) as queries:
        body = client.get(path, params).content
    count = len(queries.captured_queries)  # now: the next request clears Django's query log
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter_ns()
        client.get(path, params)
        samples.append(ms_since(start))
    return count, summary(samples)["median"], body


def test_read_paths_with_mirrors():
    cache.clear()
    names.forget()
    Peer.objects.create(url=PEER, name="Nœud A", state=PeerState.ACTIVE)
    for n in range(3):
        ResourceFactory(venue=VenueFactory(title=f"Maison {n}"), name=f"Salle locale {n}")
    window = {"start": tuesday_at(14).isoformat(), "end": tuesday_at(16).isoformat(), "near": "45.76,4.83"}
    paths = [
        ("/lieux/", {}),
        ("/api/v1/venues/", {"limit": 100}),
        ("/api/v1/venues/", {"near": "45.76,4.83", "radius_km": 50, "limit": 100}),
        ("/agenda/", {}),
        ("/api/v1/events/", {"limit": 100}),
        ("/feeds/events.ics", {"lang": "fr"}),
        ("/api/v1/resources/", {"limit": 100}),
        ("/api/v1/availability/", window),
    ]
    add_mirrors(0, 10)
    client = Client()
    small = {f"{path} {params}": measure(client, path, params) for path, params in paths}
    add_mirrors(10, MIRRORS - 10)
    large = {f"{path} {params}": measure(client, path, params) for path, params in paths}
    rows = []
    for key in small:
        (q_small, ms_small, _), (q_large, ms_large, body) = small[key], large[key]
        assert b"Miroir" in body or b"Atelier" in body or b"Salle 0" in body, key
        assert q_large <= q_small, (key, q_small, q_large)
        rows.append([key[:70], q_small, q_large, ms_small, ms_large])
    print_table(
        f"Read paths with 10 and {MIRRORS} mirrored venues — {db_label()}",
        ["path", "queries (10)", f"queries ({MIRRORS})", "ms (10)", f"ms ({MIRRORS})"],
        rows,
    )
