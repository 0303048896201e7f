"""The outbox: an ordered change feed written in the same transaction as each change.

Writers only insert rows (``record``); positions are stamped after commit, in id order, under a
row lock (``stamp``). A transaction that commits late gets a position *after* everything already
stamped, so a reader paging by position can never skip it — the trap of paging by a sequence
whose values are taken before commit. ``read`` stamps, then reads up to the head it saw."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, transaction
from django.db.models import Q

from federation.models import Change, ChangeKind, OutboxLock, Peer

#: A page of the feed holds at most this many entries and about this many bytes of JSON.
MAX_LIMIT = 500
DEFAULT_LIMIT = 200
MAX_PAGE_BYTES = 1_000_000
#: Set while a nudge waits in the queue: commits meanwhile queue none, since that task stamps what
#: they wrote too (it clears the flag *before* stamping). Its lifetime bounds the delay a lost
#: task could cause; readers stamp for themselves anyway (``read``).
NUDGE_PENDING_KEY = "federation:outbox:nudge-pending"
NUDGE_PENDING_SECONDS = 10


def record(kind: str, uid, data: dict | None = None, *, deleted: bool = False, peer: Peer | None = None) -> Change:
    """Write one entry in the current transaction; peers are nudged once it commits."""
    change = Change.objects.create(
        kind=kind, uid=uuid.UUID(str(uid)), deleted=deleted, data={} if deleted else (data or {}), peer=peer
    )
    published_on_commit()
    return change


def record_many(entries: list[tuple[str, object, dict | None, bool]]) -> None:
    """``record`` for a bulk change: ``(kind, uid, data, deleted)`` tuples in one INSERT."""
    if not entries:
        return
    Change.objects.bulk_create(
        [
            Change(kind=kind, uid=uuid.UUID(str(uid)), deleted=deleted, data={} if deleted else (data or {}))
            for kind, uid, data, deleted in entries
        ],
        batch_size=1000,
    )
    published_on_commit()


def published_on_commit() -> None:
    """``published`` once after the current transaction commits (at once outside one)."""
    conn = transaction.get_connection()
    if conn.in_atomic_block and any(
        func is published or getattr(func, "publishes", False) for _sids, func, _robust in conn.run_on_commit
    ):
        return
    transaction.on_commit(published, robust=True)


def published() -> None:
    """After a commit that wrote entries: stamp them and nudge the peers (a task, so the request
    that made the change never waits for a peer), unless a nudge waits in the queue already. In a
    rush, most commits then cost one Redis ``SET NX`` instead of a Celery publish each."""
    from federation import tasks  # noqa: PLC0415  (tasks import services, which import this)

    if _flag_shared() and not cache.add(NUDGE_PENDING_KEY, 1, NUDGE_PENDING_SECONDS):
        return
    try:
        tasks.outbox_published.delay()
    except BaseException:
        cache.delete(NUDGE_PENDING_KEY)  # nothing queued: the next commit must try again
        raise


def _flag_shared() -> bool:
    """A process's own memory (no ``REDIS_URL``) is no flag a worker elsewhere could clear: there,
    every commit queues its nudge."""
    return not isinstance(cache, LocMemCache)


def nudge_taken() -> None:
    """The queued nudge runs: commits from now on queue their own (called before ``stamp``)."""
    cache.delete(NUDGE_PENDING_KEY)


def stamp(limit: int = 20_000) -> int:
    """Give positions to the committed entries that have none, in id order. Returns how many."""
    if not OutboxLock.objects.filter(pk=1).exists():  # a flushed test database
        OutboxLock.objects.get_or_create(pk=1)
    with transaction.atomic():
        lock = OutboxLock.objects.select_for_update().get(pk=1)
        table = Change._meta.db_table
        with connection.cursor() as cursor:
            # The table name is our model's; the values are parameters.
            sql = f"""
                UPDATE {table} SET position = %s + numbered.n
                FROM (
                    SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM {table}
                    WHERE position IS NULL ORDER BY id LIMIT %s
                ) AS numbered
                WHERE {table}.id = numbered.id
                """  # noqa: S608
            cursor.execute(sql, [lock.stamped, limit])
            count = cursor.rowcount
        if count:
            lock.stamped += count
            lock.save(update_fields=["stamped"])
    return count


def head() -> int:
    return OutboxLock.objects.filter(pk=1).values_list("stamped", flat=True).first() or 0


@dataclass
class Page:
    changes: list[dict]
    next: int
    head: int
    more: bool

    def as_json(self) -> dict:
        return {"changes": self.changes, "next": self.next, "head": self.head, "more": self.more}


def read(after: int, limit: int = DEFAULT_LIMIT, *, peer: Peer | None = None) -> Page:
    """Entries after position ``after`` that ``peer`` may see (everyone's, and its private ones)."""
    stamp()
    top = head()
    limit = max(1, min(limit, MAX_LIMIT))
    visible = Q(peer__isnull=True) | Q(peer=peer) if peer else Q(peer__isnull=True)
    rows = (
        Change.objects.filter(visible, position__gt=after, position__lte=top)
        .order_by("position")
        .values("position", "kind", "uid", "deleted", "data", "created_at")[: limit + 1]
    )
    changes, size, more = [], 0, False
    for row in rows:
        if len(changes) == limit:
            more = True
            break
        entry = {
            "position": row["position"],
            "kind": row["kind"],
            "uid": str(row["uid"]),
            "deleted": row["deleted"],
            "data": row["data"],
            "at": row["created_at"].isoformat(),
        }
        size += len(json.dumps(entry, separators=(",", ":")))
        if changes and size > MAX_PAGE_BYTES:
            more = True
            break
        changes.append(entry)
    next_position = changes[-1]["position"] if more else max(after, top)
    return Page(changes=changes, next=next_position, head=top, more=more)


def rebuild() -> int:
    """Write a fresh entry for every object peers mirror (after bulk loads that bypass the
    producers, such as ``load_demo``). Old entries stay: applying them again changes nothing."""
    from federation import wire  # noqa: PLC0415

    entries = list(wire.everything())
    record_many([(kind, uid, data, False) for kind, uid, data in entries])
    return len(entries)


__all__ = ["ChangeKind", "record", "record_many", "stamp", "read", "head", "rebuild", "Page"]
