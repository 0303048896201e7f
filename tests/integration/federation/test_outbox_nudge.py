"""The outbox's nudge after a commit: one queued task at a time while the cache is shared."""

import pytest

from federation import outbox, tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """The nudges queued (a broker's queue: nothing runs them until the test says so)."""
    sent = []
    monkeypatch.setattr(tasks.outbox_published, "delay", lambda *a, **k: sent.append(1))
    return sent


def test_a_rush_of_commits_queues_one_nudge_until_a_worker_takes_it(monkeypatch, queued):
    monkeypatch.setattr(outbox, "_flag_shared", lambda: True)
    for _commit in range(5):
        outbox.published()
    assert len(queued) == 1
    outbox.nudge_taken()  # the worker starts on it: what commits next needs a nudge of its own
    outbox.published()
    outbox.published()
    assert len(queued) == 2


def test_a_nudge_that_could_not_be_queued_leaves_no_flag(monkeypatch):
    monkeypatch.setattr(outbox, "_flag_shared", lambda: True)

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.outbox_published, "delay", broker_down)
    with pytest.raises(ConnectionError):
        outbox.published()
    queued = []
    monkeypatch.setattr(tasks.outbox_published, "delay", lambda *a, **k: queued.append(1))
    outbox.published()
    assert queued == [1]


def test_the_task_clears_the_flag_before_it_stamps(monkeypatch):
    """Run as a worker runs it (eagerly here): every commit after it started gets its own nudge."""
    monkeypatch.setattr(outbox, "_flag_shared", lambda: True)
    stamped = []
    monkeypatch.setattr(outbox, "stamp", lambda: stamped.append(outbox.cache.get(outbox.NUDGE_PENDING_KEY)))
    outbox.published()
    outbox.published()
    assert stamped == [None, None]


def test_without_a_shared_cache_every_commit_queues_its_nudge(monkeypatch, queued):
    monkeypatch.setattr(outbox, "_flag_shared", lambda: False)
    for _commit in range(3):
        outbox.published()
    assert len(queued) == 3
