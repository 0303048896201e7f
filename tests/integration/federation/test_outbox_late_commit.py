"""THE late commit, on PostgreSQL with real connections: a transaction that took its row id first
but commits last must still reach a reader whose cursor has already moved past later entries.

PostgreSQL hands out ids before commit, so T1 (open, id n) and T2 (id n+1, committed) make the
feed's rows visible out of id order: a reader paging by ``id > cursor`` would read n+1, move its
cursor there and never see n. Positions stamped after commit (``outbox.stamp``) put n after n+1."""

import threading
import uuid

from django.db import connections, transaction

from federation import outbox
from federation.models import Change, ChangeKind
from tests.support.races import POSTGRES_ONLY

pytestmark = POSTGRES_ONLY


def test_an_entry_committed_late_is_read_after_the_cursor_moved_on():
    early, late = str(uuid.uuid4()), str(uuid.uuid4())
    t1_wrote, t1_may_commit, t1_done = threading.Event(), threading.Event(), threading.Event()
    failures = []

    def t1():
        try:
            with transaction.atomic():
                outbox.record(ChangeKind.VENUE, early, {"city": "Lyon"})
                t1_wrote.set()
                assert t1_may_commit.wait(timeout=30)
        except Exception as error:  # noqa: BLE001 — reported below
            failures.append(error)
        finally:
            connections.close_all()
            t1_done.set()

    def t2():
        try:
            with transaction.atomic():
                outbox.record(ChangeKind.VENUE, late, {"city": "Dakar"})
        finally:
            connections.close_all()

    first = threading.Thread(target=t1)
    first.start()
    assert t1_wrote.wait(timeout=30)
    second = threading.Thread(target=t2)
    second.start()
    second.join(timeout=30)

    page = outbox.read(0)  # T1 is still open
    assert [entry["uid"] for entry in page.changes] == [late]
    cursor = page.next
    assert cursor == page.head == 1

    t1_may_commit.set()
    assert t1_done.wait(timeout=30)
    first.join(timeout=30)
    assert not failures

    page = outbox.read(cursor)
    assert [entry["uid"] for entry in page.changes] == [early]  # nothing skipped
    assert page.changes[0]["position"] == 2
    # The trap this avoids: the late entry's id is the smaller one.
    assert Change.objects.get(uid=early).pk < Change.objects.get(uid=late).pk
    assert outbox.read(page.next).changes == []


def test_concurrent_readers_stamp_each_entry_once():
    for _ in range(30):
        outbox.record(ChangeKind.EVENT, uuid.uuid4(), {})
    results = []

    def reader():
        try:
            results.append([e["position"] for e in outbox.read(0, limit=500).changes])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == [list(range(1, 31))] * 4
    assert sorted(Change.objects.values_list("position", flat=True)) == list(range(1, 31))
