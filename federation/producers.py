"""What each change to a mirrored object writes to the outbox, in the transaction of the change.

The receivers in ``federation.signals`` call these. Each function reads the object's wire form
(``federation.wire``) and writes one entry; a tombstone when the object is gone or no longer
shown. Rows mirrored from a peer (``origin`` set) never write: they belong to another node.

Within one transaction the same object is written once: a second record of it replaces the
first entry (a resource saved, then its hours rows saved, makes one entry with the final hours).
The replaced entry is deleted and a new one inserted, so the object's entry comes after whatever
else the transaction wrote (its new parent venue, say)."""

from __future__ import annotations

import json
import uuid

from django.db import transaction
from django.utils import timezone

from bookings.models import Booking, Closure, Resource
from bookings.services.booking_insert import Rider
from events.models import Event
from federation import outbox, wire
from federation.models import Change, ChangeKind, RemoteBooker
from venues.models import VenuePage

#: ``(kind, uid, data | None)``: ``None`` data is a tombstone.
Entry = tuple[str, str, dict | None]


class _Batch:
    """The entries this transaction wrote, by object; registered with ``on_commit``, so it lives
    exactly as long as the transaction (Django drops it on rollback, and runs it on commit)."""

    #: It stamps and nudges after the commit as ``outbox.published`` does (one call per transaction).
    publishes = True

    def __init__(self):
        self.written: dict[tuple[str, str, int | None], int] = {}

    def __call__(self):
        outbox.published()


def _batch() -> _Batch | None:
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        return None
    for _sids, func, _robust in conn.run_on_commit:
        if isinstance(func, _Batch):
            return func
    batch = _Batch()
    transaction.on_commit(batch, robust=True)
    return batch


def write(entries: list[Entry], *, peer_id: int | None = None, private: list[Entry] = (), booker_of=None) -> None:
    """Insert ``entries`` (everyone's) and ``private`` ones in one statement, replacing entries
    this transaction already wrote for the same objects.

    ``private`` entries go to ``peer_id``; or, with ``booker_of`` (a user id), to the peer that
    user is a remote booker of, found by the INSERT itself (none for this node's own people):
    a booking costs one statement whoever made it."""
    rows = [(kind, str(uid), data, None) for kind, uid, data in entries]
    rows += [(kind, str(uid), data, peer_id) for kind, uid, data in private]
    if not rows:
        return
    batch = _batch()
    if batch is not None:
        stale = [batch.written.pop((kind, uid)) for kind, uid, _d, _p in rows if (kind, uid) in batch.written]
        if stale:  # one DELETE: a plain ``delete()`` would SELECT first (some app listens to every delete)
            Change.objects.filter(pk__in=stale, position__isnull=True)._raw_delete(Change.objects.db)
    if booker_of is not None and private:
        written = _insert_for_booker(rows[: len(entries)], rows[len(entries) :], booker_of)
    else:
        changes = [
            Change(kind=kind, uid=uuid.UUID(uid), deleted=data is None, data=data or {}, peer_id=peer)
            for kind, uid, data, peer in rows
        ]
        if len(changes) == 1:
            changes[0].save(force_insert=True)
        else:
            Change.objects.bulk_create(changes)
        written = [(change.pk, kind, uid) for change, (kind, uid, _d, _p) in zip(changes, rows, strict=True)]
    if batch is None:
        outbox.published_on_commit()
        return
    for pk, kind, uid in written:
        batch.written[(kind, uid)] = pk


def _insert_for_booker(public: list, private: list, user_id: int) -> list[tuple[int, str, str]]:
    """``INSERT … SELECT``: the public rows as they are, the private ones once per remote-booker
    row of ``user_id`` (zero or one). Returns ``(id, kind, uid)`` of what was inserted."""
    sql, params = _entries_sql(public, private, booker_of=user_id)
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return [(pk, kind, str(uuid.UUID(str(uid)))) for pk, kind, uid in cursor.fetchall()]


def _entries_sql(
    public: list, private: list, *, booker_of: int | None = None, peer_id: int | None = None, with_booking=False
) -> tuple[str, list]:
    """``INSERT … SELECT … RETURNING id, kind, uid`` of ``public`` rows and ``private`` ones: to
    ``peer_id``, or once per remote-booker row of ``booker_of`` (zero or one). ``with_booking``:
    every row is selected from ``b`` too, the new booking of ``bookings.services.booking_insert``'s
    statement (nothing is written when it was not)."""
    conn = transaction.get_connection()
    pg = conn.vendor == "postgresql"
    cast = {"uid": "::uuid", "deleted": "::boolean", "data": "::jsonb", "at": "::timestamptz"} if pg else {}
    fields = {f.name: f for f in Change._meta.concrete_fields}
    now = timezone.now()

    def values(kind, uid, data, *peer):
        return [
            kind,
            fields["uid"].get_db_prep_value(uuid.UUID(uid), conn),
            data is None,
            json.dumps(data or {}, separators=(",", ":")),
            *peer,
            fields["created_at"].get_db_prep_value(now, conn),
        ]

    row = "%s, %s{uid}, %s{deleted}, %s{data}, {{peer}}, %s{at}".format(
        uid=cast.get("uid", ""), deleted=cast.get("deleted", ""), data=cast.get("data", ""), at=cast.get("at", "")
    )
    table, booker = Change._meta.db_table, RemoteBooker._meta.db_table
    with_b = " FROM b" if with_booking else ""
    selects, params = [], []
    for kind, uid, data, _peer in public:
        selects.append(f"SELECT {row.format(peer='NULL')}{with_b}")
        params += values(kind, uid, data)
    for kind, uid, data, _peer in private:
        if booker_of is None:
            selects.append(f"SELECT {row.format(peer='%s')}{with_b}")
            params += values(kind, uid, data, peer_id)
        else:
            joined = ", b" if with_booking else ""
            selects.append(f"SELECT {row.format(peer='rb.peer_id')} FROM {booker} rb{joined} WHERE rb.user_id = %s")  # noqa: S608
            params += [*values(kind, uid, data), booker_of]
    # Table names are our models'; every value is a parameter.
    sql = (
        f"INSERT INTO {table} (kind, uid, deleted, data, peer_id, created_at) "  # noqa: S608
        f"{' UNION ALL '.join(selects)} RETURNING id, kind, uid"
    )
    return sql, params


def tombstone(kind: str, uid) -> None:
    write([(kind, str(uid), None)])


# Venues ------------------------------------------------------------------------------------


def venue_changed(page: VenuePage, *, with_resources: bool = False) -> None:
    """A venue page (any translation) was published, unpublished, moved, deleted or geocoded.

    ``with_resources``: its resources are written too (they are tombstones while no translation
    of the venue is live, and come back when one is)."""
    if page.origin:
        return
    entries = [wire.venue(page)]
    if with_resources:
        rows = Resource.objects.filter(venue__translation_key=page.translation_key, origin="")
        entries += [wire.resource(row) for row in rows]
    write(entries)


def venues_changed(pks) -> None:
    """Several venue pages (translations collapse to one entry each)."""
    seen = set()
    for page in VenuePage.objects.filter(pk__in=pks, origin=""):
        if page.translation_key not in seen:
            seen.add(page.translation_key)
            venue_changed(page)


def venue_deleted(page: VenuePage) -> None:
    """A translation was deleted: the venue is a tombstone unless another one is still live."""
    if not page.origin:
        write([wire.venue(page)])


def venue_closures_changed(venue_id: int) -> None:
    page = VenuePage.objects.filter(pk=venue_id).first()
    if page is not None:
        venue_changed(page)


# Resources ---------------------------------------------------------------------------------


def resource_changed(row: Resource) -> None:
    if not row.origin:
        write([wire.resource(row)])


def resources_changed(pks) -> None:
    rows = Resource.objects.filter(pk__in=pks, origin="")
    write([wire.resource(row) for row in rows])


def resource_deleted(row: Resource) -> None:
    if not row.origin:
        tombstone(ChangeKind.RESOURCE, row.uid)


def resource_part_changed(resource_id: int | None) -> None:
    """One of a resource's hours or closures changed: the resource's entry carries them."""
    row = Resource.objects.filter(pk=resource_id, origin="").first() if resource_id else None
    if row is not None:
        write([wire.resource(row)])


def closure_changed(closure: Closure) -> None:
    if closure.resource_id:
        resource_part_changed(closure.resource_id)
    else:
        venue_closures_changed(closure.venue_id)


# Events ------------------------------------------------------------------------------------


def event_changed(row: Event) -> None:
    if not row.origin:
        write([wire.event(row)])


def events_changed(rows) -> None:
    write([wire.event(row) for row in rows if not row.origin])


def event_deleted(row: Event) -> None:
    if not row.origin:
        tombstone(ChangeKind.EVENT, row.uid)


# Occupancy ---------------------------------------------------------------------------------


def _resource_of(booking: Booking) -> Resource:
    if Booking.resource.is_cached(booking):
        return booking.resource
    return Resource.objects.only("origin", "uid").get(pk=booking.resource_id)


def _remote_peer_id(booking: Booking) -> tuple[bool, int | None]:
    """``(known, peer id)``: the peer a remote booker came through (``None`` for this node's own
    people), when already read with the user (``select_related("user__remote_booker")``);
    ``(False, None)`` otherwise, and the INSERT finds it."""
    if Booking.user.is_cached(booking):
        cached = booking.user._state.fields_cache
        if "remote_booker" in cached:
            return True, cached["remote_booker"].peer_id if cached["remote_booker"] is not None else None
    return False, None


#: The booking fields a ``busy`` entry shows; a save that touches none of them writes no new one.
BUSY_FIELDS = frozenset({"status", "start", "end", "blocked_until", "quantity", "expires_at", "resource"})


def booking_changed(booking: Booking, *, deleted: bool = False, update_fields=None) -> None:
    """Every booking transition: its occupancy (``busy``) for everyone, and for a remote
    booker's booking the ``booking`` entry their node reads (its payment state too)."""
    resource = _resource_of(booking)
    if resource.origin:
        return
    booking.resource = resource
    entries = []
    if deleted:
        entries.append((ChangeKind.BUSY, str(booking.uid), None))
    elif update_fields is None or BUSY_FIELDS.intersection(update_fields):
        entries.append(wire.busy(booking))
    private = [(ChangeKind.BOOKING, str(booking.uid), None if deleted else wire.booking(booking))]
    known, peer_id = _remote_peer_id(booking)
    if known:
        write(entries, peer_id=peer_id, private=private if peer_id is not None else [])
    else:
        write(entries, private=private, booker_of=booking.user_id)


#: Set on a new booking whose entries its ``INSERT`` wrote (``booking_rider``): its ``post_save``
#: has nothing left to write.
_WRITTEN_WITH_INSERT = "_federation_written_with_insert"


def booking_rider(booking: Booking) -> Rider | None:
    """``booking_changed`` for a new booking, written by the booking's own statement (a round trip
    fewer on every booking and registration); ``None`` when it writes nothing here (a mirrored
    resource, no transaction, an entry this transaction wrote already): ``post_save`` then does."""
    resource = _resource_of(booking)
    if resource.origin:
        return None
    batch = _batch()
    if batch is None:
        return None
    booking.resource = resource
    public = [(*wire.busy(booking), None)]
    private = [(ChangeKind.BOOKING, str(booking.uid), wire.booking(booking), None)]
    if any((kind, uid) in batch.written for kind, uid, _data, _peer in public + private):
        return None
    known, peer_id = _remote_peer_id(booking)
    if known and peer_id is None:
        private = []  # one of this node's own people: no peer reads about it
    sql, params = _entries_sql(
        public, private, booker_of=None if known else booking.user_id, peer_id=peer_id, with_booking=True
    )

    def written(booking: Booking, rows: list[dict]) -> None:
        for row in rows:
            batch.written[(row["kind"], str(uuid.UUID(str(row["uid"]))))] = row["id"]
        booking.__dict__[_WRITTEN_WITH_INSERT] = True

    return Rider(sql=sql, params=params, written=written)


def written_with_insert(booking: Booking) -> bool:
    """Whether ``booking``'s entries were written with it (once: a later save writes its own)."""
    return booking.__dict__.pop(_WRITTEN_WITH_INSERT, False)


def outside_blocks_changed(source: str, written, deleted) -> None:
    """An outside calendar's import (or removal) wrote ``written`` blocks and removed ``deleted``
    ones (``(resource_id, uid)``): their ``busy`` entries and tombstones in one write, the
    resources read in one query (only our own resources publish), whatever the import's size."""
    ids = {block.resource_id for block in written} | {resource_id for resource_id, _uid in deleted}
    if not ids:
        return
    uids = dict(Resource.objects.filter(pk__in=ids, origin="").values_list("pk", "uid"))
    entries = [wire.outside_busy(block, uids[block.resource_id]) for block in written if block.resource_id in uids]
    entries += [
        (ChangeKind.BUSY, wire.outside_busy_uid(source, resource_id, uid), None)
        for resource_id, uid in deleted
        if resource_id in uids
    ]
    write(entries)
