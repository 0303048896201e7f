"""The Redis cache backend keeps one client per pool and still behaves as Django's (needs Redis)."""

import threading
import uuid

import pytest
import redis

from core.redis_cache import ReusedClientRedisCache

URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def cache():
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    # A prefix of its own, never a flush: parallel test workers may share this database.
    backend = ReusedClientRedisCache(URL, {"KEY_PREFIX": uuid.uuid4().hex, "TIMEOUT": 60})
    yield backend
    backend.delete_many(["seats", "a", "b", "counter", "window"])
    backend.close()


def test_one_client_per_pool(cache):
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client  # one server: reads and writes share its pool


def test_behaves_as_djangos_backend(cache):
    assert cache.add("seats", 3)
    assert not cache.add("seats", 4)
    assert cache.incr("seats") == 4
    cache.set_many({"a": [1, 2], "b": {"c": "d"}})
    assert cache.get_many(["a", "b", "missing"]) == {"a": [1, 2], "b": {"c": "d"}}
    cache.delete("a")
    assert cache.get("a", "gone") == "gone"


def test_the_shared_client_serves_threads(cache):
    errors = []

    def bump(n):
        try:
            for _ in range(50):
                cache.incr("counter")
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)

    cache.set("counter", 0)
    threads = [threading.Thread(target=bump, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert cache.get("counter") == 400


def test_incr_or_start_in_one_round_trip(cache):
    """What the page cache's generations use: a missing number starts, a present one goes up."""
    assert cache.incr_or_start("counter", 1_000) == 1_001
    assert cache.incr_or_start("counter", 5) == 1_002
    assert cache.get("counter") == 1_002  # Django reads it back as the number it is
    client = cache._cache.get_client(write=True)
    assert client.ttl(cache.make_and_validate_key("counter")) == -1  # kept without expiry, as add(…, None)
    cache.set("counter", 7)  # written by Django's own calls: counted on from there
    assert cache.incr_or_start("counter", 1_000) == 8


def test_sliding_window_counts_up_to_the_limit_then_refuses_without_counting(cache):
    """What the throttles use (``core.throttling``): DRF's sliding window, in one script."""
    assert cache.sliding_window_hit("window", 1_000.0, 60, 2) == (True, 1, 1_000.0)
    assert cache.sliding_window_hit("window", 1_010.5, 60, 2) == (True, 2, 1_000.0)
    assert cache.sliding_window_hit("window", 1_020.0, 60, 2) == (False, 2, 1_000.0)  # not counted
    # 60 s after the first, it has left the window (DRF drops an entry at exactly now - duration).
    assert cache.sliding_window_hit("window", 1_060.0, 60, 2) == (True, 2, 1_010.5)
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_and_validate_key("window")) <= 60  # forgotten once the window is past


def test_sliding_window_lets_exactly_the_limit_through_a_burst(cache):
    """Requests that arrive together: DRF's read-then-write let them all pass; the script cannot."""
    allowed, errors = [], []

    def hit():
        try:
            for _ in range(10):
                allowed.append(cache.sliding_window_hit("window", 5_000.0, 60, 30)[0])
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert allowed.count(True) == 30
