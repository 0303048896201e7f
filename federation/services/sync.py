"""Pulling a peer's change feed: page after page from our cursor, each page applied in one
transaction with the cursor, so a crash between pages loses nothing and repeats nothing.

The network is never called inside a transaction: a page is fetched, checked (``entries``), its
missing parents fetched by id, and only then applied. A page that fails anywhere is refused whole
(the mirror stays as it was, the cursor does not move) and the reason becomes the peer's
``last_error``; the next try waits with exponential backoff and jitter. A run stops after
``MAX_PAGES`` pages: the next (beat, nudge) carries on from the cursor."""

from __future__ import annotations

import datetime
import logging
import random
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from federation import client
from federation.models import ChangeKind, Peer, PeerState
from federation.services import entries as feed
from federation.services import mirrors
from federation.services.entries import MirrorError

logger = logging.getLogger("essaim.federation")

#: Entries asked per page (the peer caps it too) and bytes accepted per answer.
PAGE_LIMIT = 500
MAX_PAGE_BYTES = 4 * 1024 * 1024
#: Pages per run: a peer far ahead is caught up over several runs, never in one endless one.
MAX_PAGES = 40
#: Parents fetched by id per page at most (a page naming more is refused: it is not a feed).
MAX_PARENTS = 200
#: Backoff after the n-th failure in a row: BASE·2^(n−1), capped, half of it random.
BACKOFF_BASE = datetime.timedelta(seconds=30)
BACKOFF_CAP = datetime.timedelta(hours=6)


@dataclass
class SyncResult:
    peer: Peer
    applied: int = 0
    changed: int = 0
    pages: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def backoff(failures: int, *, rand: random.Random | None = None) -> datetime.timedelta:
    """How long to wait after ``failures`` failures in a row: exponential, capped, with "equal
    jitter" (half fixed, half random), so peers that failed together do not retry together."""
    rand = rand or random.SystemRandom()
    delay = min(BACKOFF_BASE * 2 ** max(failures - 1, 0), BACKOFF_CAP)
    return delay / 2 + delay / 2 * rand.random()


def peers_due(now: datetime.datetime | None = None):
    """Active peers whose next try has come (a peer that failed waits for its backoff)."""
    now = now or timezone.now()
    return Peer.objects.filter(state=PeerState.ACTIVE).filter(Q(next_retry_at__isnull=True) | Q(next_retry_at__lte=now))


def sync_peer(peer: Peer, *, max_pages: int = MAX_PAGES, limit: int = PAGE_LIMIT) -> SyncResult:
    """Pull and apply ``peer``'s changes after its cursor; record the outcome on the peer."""
    result = SyncResult(peer=peer)
    if peer.state != PeerState.ACTIVE:
        result.error = f"{peer.url} is not an active peer ({peer.state})."
        return result
    Peer.objects.filter(pk=peer.pk).update(last_sync_at=timezone.now())
    try:
        for _page in range(max_pages):
            more = _one_page(peer, limit, result)
            if not more:
                break
    except (client.PeerError, MirrorError) as exc:
        result.error = str(exc)
    except DatabaseError as exc:  # a constraint the checks did not foresee: the page rolled back
        result.error = f"A page could not be stored ({exc.__class__.__name__}: {str(exc)[:300]})."
    _record(peer, result)
    return result


def _one_page(peer: Peer, limit: int, result: SyncResult) -> bool:
    after = peer.cursor
    reply = client.call(peer, "GET", f"/federation/v1/changes?after={after}&limit={limit}", max_bytes=MAX_PAGE_BYTES)
    if reply.status != 200:
        raise MirrorError(_refusal(reply, "the change feed"))
    page = feed.read_page(reply.data, after=after)
    parents = _fetch_parents(peer, page.entries)
    with transaction.atomic():
        locked = Peer.objects.select_for_update().get(pk=peer.pk)
        if locked.cursor != after:  # another run applied this page meanwhile
            peer.cursor, peer.head = locked.cursor, locked.head
            return locked.cursor < locked.head
        result.changed += mirrors.apply(peer, parents + page.entries)
        Peer.objects.filter(pk=peer.pk).update(cursor=page.next, head=page.head)
    peer.cursor, peer.head = page.next, page.head
    result.applied += len(page.entries)
    result.pages += 1
    return page.more


def _fetch_parents(peer: Peer, entries: list[feed.Entry]) -> list[feed.Entry]:
    """Entries for the parents a page names but neither carries nor has here yet, fetched by id
    (``/federation/v1/objects/<kind>/<uuid>``): a resource's venue, an event's seats. A parent
    the peer no longer has is left out (its child is skipped; the child's tombstone follows)."""
    fetched: list[feed.Entry] = []
    seen: set[tuple[str, str]] = set()
    missing = mirrors.missing_parents(peer, entries)
    while missing:
        if len(seen) + len(missing) > MAX_PARENTS:
            raise MirrorError(f"The page names more than {MAX_PARENTS} objects it does not carry.")
        found = []
        for kind, uid in missing:
            seen.add((kind, uid))
            entry = _fetch_object(peer, kind, uid)
            if entry is not None:
                found.append(entry)
        fetched = found + fetched  # a resource's venue goes before the resource
        missing = [ref for ref in mirrors.missing_parents(peer, found) if ref not in seen]
    return fetched


def _fetch_object(peer: Peer, kind: str, uid: str) -> feed.Entry | None:
    reply = client.call(peer, "GET", f"/federation/v1/objects/{kind}/{uid}", max_bytes=MAX_PAGE_BYTES)
    if reply.status in (404, 410):
        return None
    if reply.status != 200:
        raise MirrorError(_refusal(reply, f"the {kind} {uid}"))
    body = reply.data
    if body.get("deleted"):
        return None
    data = body.get("data", body) if isinstance(body.get("data"), dict) else body
    raw = {"position": 1, "kind": kind, "uid": uid, "deleted": False, "data": data}
    entry = feed.read_entry(raw)
    entry.position = 0
    return entry


def _refusal(reply: client.Reply, what: str) -> str:
    detail = str(reply.data.get("detail") or reply.data.get("code") or "")[:300]
    return f"The peer answered HTTP {reply.status} for {what}{': ' + detail if detail else ''}."


def _record(peer: Peer, result: SyncResult) -> None:
    """The outcome on the peer's row (its admin screen): success resets the backoff."""
    now = timezone.now()
    if result.ok:
        fields = {"last_success_at": now, "last_error": "", "failures": 0, "next_retry_at": None}
        peer.failures = 0
    else:
        failures = Peer.objects.filter(pk=peer.pk).values_list("failures", flat=True).first() or 0
        failures += 1
        fields = {
            "last_error": result.error[:2000],
            "last_error_at": now,
            "failures": failures,
            "next_retry_at": now + backoff(failures),
        }
        logger.warning("sync of %s failed (%d in a row): %s", peer.url, failures, result.error)
    Peer.objects.filter(pk=peer.pk).update(**fields)
    for name, value in fields.items():
        setattr(peer, name, value)


def sync_peer_by_id(peer_id: int) -> SyncResult | None:
    peer = Peer.objects.filter(pk=peer_id, state=PeerState.ACTIVE).first()
    return sync_peer(peer) if peer else None


def notify_peer(peer: Peer) -> bool:
    """Nudge ``peer`` to pull from us now (``POST /federation/v1/notify``). A failure is logged
    and noted on the peer, never raised: the peer's beat catches up anyway."""
    try:
        reply = client.call(peer, "POST", "/federation/v1/notify", json={}, timeout=5.0, max_bytes=64 * 1024)
    except client.PeerError as exc:
        error = str(exc)
    else:
        if reply.ok:
            return True
        error = _refusal(reply, "our nudge")
    logger.info("nudge to %s failed: %s", peer.url, error)
    Peer.objects.filter(pk=peer.pk).update(last_error=f"Nudge: {error}"[:2000], last_error_at=timezone.now())
    return False


__all__ = ["sync_peer", "sync_peer_by_id", "notify_peer", "peers_due", "backoff", "SyncResult", "ChangeKind"]
