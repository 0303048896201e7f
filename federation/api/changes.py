"""``GET /federation/v1/changes?after=&limit=`` and ``GET /federation/v1/objects/<kind>/<uuid>``:
the change feed a peer pulls, and one object's current wire form (a parent missing from a page)."""

from __future__ import annotations

from federation import outbox, selectors
from federation.api.signed import signed


def _bad(detail: str, code: str) -> tuple[int, dict]:
    return 400, {"detail": detail, "code": code}


def _not_get(request) -> tuple[int, dict] | None:
    if request.method != "GET":
        return 405, {"detail": "Only GET is allowed here.", "code": "method_not_allowed"}
    return None


@signed()
def changes(request, peer):
    """A page of the feed after the peer's cursor: its entries and its private ones, in order."""
    if refusal := _not_get(request):
        return refusal
    try:
        after = int(request.GET.get("after") or 0)
    except ValueError:
        return _bad("`after` must be a position (a whole number, 0 to start).", "invalid_cursor")
    try:
        limit = int(request.GET.get("limit") or outbox.DEFAULT_LIMIT)
    except ValueError:
        return _bad("`limit` must be a whole number.", "invalid_limit")
    if after < 0:
        return _bad("`after` must not be negative.", "invalid_cursor")
    if limit < 1:
        return _bad("`limit` must be at least 1.", "invalid_limit")
    return 200, outbox.read(after, limit, peer=peer).as_json()


@signed()
def objects(request, peer, kind: str, uid):
    if refusal := _not_get(request):
        return refusal
    found = selectors.own_object(kind, uid, peer=peer)
    if found is None:
        return 404, {"detail": "This node has no such object.", "code": "not_found"}
    return 200, found
