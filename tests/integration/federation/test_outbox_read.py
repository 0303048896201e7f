"""Reading the feed: positions stamped in commit order, pages with ``more``/``next``/``head``, the
entry and byte caps, private entries for their peer only."""

import io
import uuid

import pytest
from django.core.management import call_command

from federation import outbox
from federation.models import Change, ChangeKind
from tests.support.federation import make_peer

pytestmark = pytest.mark.django_db


def record_venues(count: int, **data) -> list[str]:
    uids = [str(uuid.uuid4()) for _ in range(count)]
    for uid in uids:
        outbox.record(ChangeKind.VENUE, uid, {"city": "Lyon", **data})
    return uids


def test_positions_follow_the_order_of_the_rows_and_the_head_counts_them():
    uids = record_venues(3)
    assert Change.objects.filter(position__isnull=False).count() == 0  # only stamping gives positions
    page = outbox.read(0)
    assert [entry["uid"] for entry in page.changes] == uids
    assert [entry["position"] for entry in page.changes] == [1, 2, 3]
    assert (page.next, page.head, page.more) == (3, 3, False)
    more = record_venues(2)
    assert outbox.stamp() == 2
    assert outbox.stamp() == 0  # nothing left to stamp
    page = outbox.read(3)
    assert [entry["uid"] for entry in page.changes] == more
    assert [entry["position"] for entry in page.changes] == [4, 5]


def test_an_entry_carries_kind_uid_data_and_its_time():
    (uid,) = record_venues(1)
    outbox.record(ChangeKind.VENUE, uid, deleted=True)
    first, tombstone = outbox.read(0).changes
    assert first["kind"] == "venue" and first["data"] == {"city": "Lyon"} and first["deleted"] is False
    assert first["at"]
    assert tombstone["deleted"] is True and tombstone["data"] == {}


def test_pages_follow_each_other_until_the_head():
    uids = record_venues(7)
    seen, cursor, pages = [], 0, []
    while True:
        page = outbox.read(cursor, limit=3)
        pages.append((len(page.changes), page.more))
        seen += [entry["uid"] for entry in page.changes]
        cursor = page.next
        if not page.more:
            break
    assert pages == [(3, True), (3, True), (1, False)]
    assert seen == uids
    assert cursor == 7
    empty = outbox.read(cursor)
    assert (empty.changes, empty.next, empty.more, empty.head) == ([], 7, False, 7)


def test_a_cursor_past_the_head_stays_where_it_is():
    record_venues(2)
    page = outbox.read(50)
    assert (page.changes, page.next, page.head) == ([], 50, 2)


def test_the_limit_is_capped(monkeypatch):
    monkeypatch.setattr(outbox, "MAX_LIMIT", 4)
    record_venues(6)
    page = outbox.read(0, limit=10_000)
    assert len(page.changes) == 4 and page.more
    assert len(outbox.read(0, limit=0).changes) == 1  # at least one


def test_a_page_stops_near_the_byte_cap_but_never_empty(monkeypatch):
    monkeypatch.setattr(outbox, "MAX_PAGE_BYTES", 2_500)
    record_venues(5, notes="x" * 1_000)
    page = outbox.read(0, limit=100)
    assert len(page.changes) == 2 and page.more and page.next == 2
    monkeypatch.setattr(outbox, "MAX_PAGE_BYTES", 10)
    page = outbox.read(0, limit=100)
    assert len(page.changes) == 1 and page.more  # an entry larger than the cap still goes, alone


def test_private_entries_reach_their_peer_only():
    peer_b, _ = make_peer("http://127.0.0.1:8001")
    peer_c, _ = make_peer("http://127.0.0.1:8002")
    (public,) = record_venues(1)
    mine = str(uuid.uuid4())
    outbox.record(ChangeKind.BOOKING, mine, {"status": "confirmed"}, peer=peer_b)
    (later,) = record_venues(1)
    assert [e["uid"] for e in outbox.read(0, peer=peer_b).changes] == [public, mine, later]
    for reader in (peer_c, None):
        page = outbox.read(0, peer=reader)
        assert [e["uid"] for e in page.changes] == [public, later]
        assert page.next == page.head == 3  # the cursor moves past what the reader may not see


def test_rebuild_writes_every_published_object(make_resource):
    resource = make_resource()
    Change.objects.all().delete()
    count = outbox.rebuild()
    kinds = sorted(Change.objects.values_list("kind", flat=True))
    assert count == len(kinds) and kinds == ["resource", "venue"]
    assert Change.objects.get(kind="resource").uid == resource.uid


def test_the_rebuild_command_writes_and_stamps(make_resource):
    make_resource()
    Change.objects.all().delete()
    out = io.StringIO()
    call_command("federation_outbox_rebuild", stdout=out)
    assert "2 entries written" in out.getvalue()
    assert Change.objects.filter(position__isnull=True).count() == 0
