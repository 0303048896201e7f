"""Read queries of the federation (no state changes)."""

from __future__ import annotations

from bookings.models import Booking, Resource
from events.models import Event
from federation import wire
from federation.models import ChangeKind, Peer
from venues.models import VenuePage


def own_object(kind: str, uid, *, peer: Peer) -> dict | None:
    """``{kind, uid, deleted, data}``: the current wire form of one of this node's objects, as a
    change entry carries it; ``deleted`` when it exists but is not shown (an unpublished venue, a
    cancelled booking's time). ``None`` when this node owns no such object; a ``booking`` is found
    only by the peer its booker came through."""
    found = None
    if kind == ChangeKind.VENUE:
        page = VenuePage.objects.filter(translation_key=uid, origin="").first()
        found = wire.venue(page) if page else None
    elif kind == ChangeKind.RESOURCE:
        row = Resource.objects.filter(uid=uid, origin="").first()
        found = wire.resource(row) if row else None
    elif kind == ChangeKind.EVENT:
        row = Event.objects.filter(uid=uid, origin="").first()
        found = wire.event(row) if row else None
    elif kind == ChangeKind.BUSY:
        row = Booking.objects.filter(uid=uid, resource__origin="").select_related("resource").first()
        found = wire.busy(row) if row else None
    elif kind == ChangeKind.BOOKING:
        row = Booking.objects.filter(uid=uid, user__remote_booker__peer=peer).first()
        found = (ChangeKind.BOOKING, str(row.uid), wire.booking(row)) if row else None
    if found is None:
        return None
    kind, uid, data = found
    return {"kind": str(kind), "uid": str(uid), "deleted": data is None, "data": data or {}}
