"""Applying a peer's checked change entries to our mirrors: rows of the ordinary tables with
``origin`` set to the peer's URL (venue pages under the peer's ``MirrorIndexPage``, resources,
their hours and closures, events without a page, busy blocks).

Applying is idempotent: each object is compared with what the entry says and written only when it
differs, so a page applied twice changes nothing (``updated_at`` included). A peer may never touch
an object whose UUID belongs to another origin or to us: the page is refused (``MirrorError``) and
the caller's transaction rolls it back whole. Mirrors are never geocoded, have no venue team and
send no page-publish signal, so neither our producers nor the geocoder run for them.

Entries of a page are collapsed to the last one per object (each carries the whole state), then
applied parents first (venues, resources, events, busy times) and deletions children first."""

from __future__ import annotations

import logging
import re
import uuid
from collections import Counter, defaultdict
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Page
from wagtail.signal_handlers import disable_reference_index_auto_update

from bookings.models import BusyBlock, Closure, Resource, ResourceHours
from events.models import Event
from federation.models import ChangeKind, Peer
from federation.services.entries import Entry, MirrorError
from federation.wire import RESOURCE_FIELDS
from venues.models import VENUE_MODELS, GeocodeStatus, MirrorIndexPage, OpeningHours, VenueIndexPage, VenuePage
from venues.text import normalise

logger = logging.getLogger("essaim.federation")

UPSERT_ORDER = (ChangeKind.VENUE, ChangeKind.RESOURCE, ChangeKind.EVENT, ChangeKind.BUSY)
DELETE_ORDER = (ChangeKind.BUSY, ChangeKind.EVENT, ChangeKind.RESOURCE, ChangeKind.VENUE)

EVENT_FIELDS = (
    "titles",
    "summaries",
    "timezone",
    "start",
    "end",
    "rule",
    "changes",
    "last_end",
    "capacity",
    "price_minor",
    "currency",
    "registration_closes_hours",
    "attendance_mode",
    "language",
    "status",
    "cancel_reason",
    "sequence",
)


def mirror_index(peer: Peer) -> MirrorIndexPage:
    """The peer's container page under our directory, made on first need."""
    index = MirrorIndexPage.objects.filter(origin=peer.url).first()
    if index is not None:
        return index
    directory = VenueIndexPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()
    if directory is None:
        directory = VenueIndexPage.objects.first()
    if directory is None:
        raise MirrorError("This node has no venue directory to put the peer's venues in.")
    host = urlsplit(peer.url).netloc or peer.url
    slug = _unique_slug(directory, slugify(re.sub(r"[.:]", "-", host)) or "peer")
    index = MirrorIndexPage(title=(peer.name or host)[:255], slug=slug)
    index.origin = peer.url
    directory.add_child(instance=index)
    return index


def _unique_slug(parent, base: str) -> str:
    base = base[:60] or "node"
    taken = set(parent.get_children().values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def references(entries: list[Entry]) -> set[tuple[str, str]]:
    """The parents ``(kind, uid)`` that the entries' upserts point at and the page itself does
    not carry."""
    carried = {(e.kind, str(e.uid)) for e in entries if not e.deleted}
    wanted = set()
    for e in entries:
        if e.deleted:
            continue
        if e.kind in (ChangeKind.RESOURCE, ChangeKind.EVENT):
            wanted.add((ChangeKind.VENUE, e.data["venue"]))
        if e.kind == ChangeKind.EVENT and e.data.get("seats"):
            wanted.add((ChangeKind.RESOURCE, e.data["seats"]))
        if e.kind == ChangeKind.BUSY:
            wanted.add((ChangeKind.RESOURCE, e.data["resource"]))
    return wanted - carried


def missing_parents(peer: Peer, entries: list[Entry]) -> list[tuple[str, str]]:
    """Parents neither in the page nor mirrored yet: the caller fetches them by id first (outside
    any transaction), venues before resources."""
    wanted = references(entries)
    venues = {uid for kind, uid in wanted if kind == ChangeKind.VENUE}
    resources = {uid for kind, uid in wanted if kind == ChangeKind.RESOURCE}
    have_venues = {
        str(k) for k in VenuePage.objects.filter(translation_key__in=venues).values_list("translation_key", flat=True)
    }
    have_resources = {str(k) for k in Resource.objects.filter(uid__in=resources).values_list("uid", flat=True)}
    missing = [(ChangeKind.VENUE, uid) for uid in sorted(venues - have_venues)]
    missing += [(ChangeKind.RESOURCE, uid) for uid in sorted(resources - have_resources)]
    return missing


def _collapse(entries: list[Entry]) -> dict[str, dict[uuid.UUID, Entry]]:
    last: dict[str, dict[uuid.UUID, Entry]] = {kind: {} for kind in ChangeKind.values}
    for entry in entries:
        last[entry.kind].pop(entry.uid, None)  # keep the order of the last occurrence
        last[entry.kind][entry.uid] = entry
    return last


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return "; ".join(error.messages)


def _hour_rows(resource_id: int, wanted: list[tuple]) -> list[ResourceHours]:
    return [ResourceHours(resource_id=resource_id, weekday=w, opens=o, closes=c) for w, o, c in wanted]


def _closure_rows(venue_id: int, resource_id: int | None, wanted: list[tuple]) -> list[Closure]:
    return [
        Closure(venue_id=venue_id, resource_id=resource_id, first_day=f, last_day=last, yearly=y, reason=r)
        for f, last, y, r in wanted
    ]


def _diff(row, fields: dict) -> list[str]:
    """The fields whose stored value differs (a country compares by its code)."""
    return [name for name, value in fields.items() if _stored(getattr(row, name)) != value]


def _stored(value):
    code = getattr(value, "code", None)
    return code if isinstance(code, str) else value


def _validate_wire_fields_only(page: VenuePage) -> None:
    """Wagtail validates a page on save: for a mirror, only the fields the wire carries, without
    the queries of relation checks (its parent, locale and type are ours) and without its kind's
    own fields (a totem's French Tech community does not travel). The slug carries the venue's
    UUID, so it cannot clash under the peer's container."""
    skipped = [f.name for f in type(page)._meta.local_fields]
    skipped += [f.name for f in Page._meta.get_fields() if f.is_relation]
    # Checked with the entry, faster: the zone validator lists the zone files, the country field
    # normalises its 250 choices, each time.
    skipped += ["timezone", "country"]
    skipped += ["path", "depth", "numchild", "url_path"]  # the tree's: placed when inserted

    def full_clean(*args, exclude=None, **kwargs):
        page._set_core_field_defaults()
        page.clean_fields(exclude=[*(exclude or []), *skipped])

    page.full_clean = full_clean


class Mirror:
    """One page of one peer, applied in the caller's transaction. ``changed`` counts the objects
    written (0 when the page was applied before). New rows are inserted in bulk and what exists
    is loaded in a few queries per page, so 10,000 entries cost far fewer than 10,000 queries."""

    def __init__(self, peer: Peer):
        self.peer = peer
        self.origin = peer.url
        self.changed = Counter()
        self._index: MirrorIndexPage | None = None
        self._venues: dict[str, VenuePage] = {}
        self._resources: dict[str, Resource] = {}
        #: Existing weekly hours and closures, by owner: compared without a query each.
        self._hours_of: dict[tuple[str, int], list[tuple]] = defaultdict(list)
        self._closures_of: dict[tuple[str, int], list[tuple]] = defaultdict(list)

    def apply(self, entries: list[Entry]) -> int:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Mirror.apply runs inside the transaction that moves the cursor.")
        by_kind = _collapse(entries)
        self._load_parents(by_kind)
        try:
            with disable_reference_index_auto_update():  # mirrors reference nothing of ours
                for kind in UPSERT_ORDER:
                    upserts = [e for e in by_kind[kind].values() if not e.deleted]
                    if upserts:
                        getattr(self, f"_{kind}_upsert")(upserts)
                for kind in DELETE_ORDER:
                    deletions = [e for e in by_kind[kind].values() if e.deleted]
                    if deletions:
                        getattr(self, f"_{kind}_delete")(deletions)
        except ValidationError as exc:
            raise MirrorError(f"An entry breaks our rules: {_messages(exc)[:500]}") from exc
        bookings = [e for e in entries if e.kind == ChangeKind.BOOKING]
        if bookings:
            self._bookings(bookings)
        if self.changed[ChangeKind.VENUE]:
            from venues.services import venue_map_cache_clear  # noqa: PLC0415 (wired late: venues' tasks)

            transaction.on_commit(venue_map_cache_clear)
        return sum(self.changed.values())

    # -- lookups -------------------------------------------------------------------------------

    def _load_parents(self, by_kind) -> None:
        """Every venue and resource the page names, with their hours and closures, in a few
        queries."""
        venue_keys = {str(u) for u in by_kind[ChangeKind.VENUE]}
        resource_keys = {str(u) for u in by_kind[ChangeKind.RESOURCE]}
        for e in (*by_kind[ChangeKind.RESOURCE].values(), *by_kind[ChangeKind.EVENT].values()):
            if not e.deleted:
                venue_keys.add(e.data["venue"])
        for e in (*by_kind[ChangeKind.EVENT].values(), *by_kind[ChangeKind.BUSY].values()):
            ref = e.data.get("seats" if e.kind == ChangeKind.EVENT else "resource") if not e.deleted else None
            if ref:
                resource_keys.add(ref)
        if venue_keys:
            for page in VenuePage.objects.filter(translation_key__in=venue_keys).specific():
                key = str(page.translation_key)
                if page.origin != self.origin or key not in self._venues:
                    self._venues[key] = page  # a foreign translation wins: it must be refused
        if resource_keys:
            for row in Resource.objects.filter(uid__in=resource_keys):
                self._resources[str(row.uid)] = row
        venue_ids = [p.pk for p in self._venues.values() if p.origin == self.origin]
        resource_ids = [r.pk for r in self._resources.values() if r.origin == self.origin]
        if venue_ids:
            for h in OpeningHours.objects.filter(page_id__in=venue_ids):
                self._hours_of[("page", h.page_id)].append((h.weekday, h.opens, h.closes))
            for c in Closure.objects.filter(venue_id__in=venue_ids, resource__isnull=True):
                self._closures_of[("venue", c.venue_id)].append((c.first_day, c.last_day, c.yearly, c.reason))
        if resource_ids:
            for h in ResourceHours.objects.filter(resource_id__in=resource_ids):
                self._hours_of[("resource", h.resource_id)].append((h.weekday, h.opens, h.closes))
            for c in Closure.objects.filter(resource_id__in=resource_ids):
                self._closures_of[("resource", c.resource_id)].append((c.first_day, c.last_day, c.yearly, c.reason))

    def _own(self, row, what: str, uid) -> None:
        if row is not None and getattr(row, "origin", self.origin) != self.origin:
            owner = row.origin or "this node"
            raise MirrorError(f"The {what} {uid} belongs to {owner}: {self.origin} may not change it.")

    def _venue(self, key: str, label: str) -> VenuePage | None:
        page = self._venues.get(key)
        self._own(page, "venue", key)
        if page is None:
            logger.warning("%s: %s names venue %s, which it no longer has; skipped", self.origin, label, key)
        return page

    def _resource(self, key: str, label: str) -> Resource | None:
        row = self._resources.get(key)
        self._own(row, "resource", key)
        if row is None:
            logger.warning("%s: %s names resource %s, which it no longer has; skipped", self.origin, label, key)
        return row

    # -- venues --------------------------------------------------------------------------------

    def _venue_fields(self, data: dict) -> dict:
        lang = settings.LANGUAGE_CODE[:2]
        titles = {k: v.strip() for k, v in data["titles"].items() if v.strip()}
        has_coordinates = data["latitude"] is not None and data["longitude"] is not None
        return {
            "title": (titles.get(lang) or next(iter(titles.values())))[:255],
            "summary": (data["summaries"].get(lang) or next(iter(data["summaries"].values()), ""))[:280],
            "accessibility": data["accessibility"].get(lang) or next(iter(data["accessibility"].values()), ""),
            "origin_urls": data["urls"],
            "street_address": data["street_address"],
            "postcode": data["postcode"],
            "city": data["city"],
            "region": data["region"],
            "country": data["country"],
            "latitude": data["latitude"] if has_coordinates else None,
            "longitude": data["longitude"] if has_coordinates else None,
            "coordinates_set_by_hand": has_coordinates,
            "geocode_status": GeocodeStatus.MANUAL,
            "timezone": data["timezone"],
            "wheelchair_accessible": data["wheelchair_accessible"],
            "email": data["email"],
            "phone": data["phone"],
            "website": data["website"],
            "live": True,
        }

    def _venue_upsert(self, entries: list[Entry]) -> None:
        new = []
        for entry in entries:
            key = str(entry.uid)
            page = self._venues.get(key)
            self._own(page, "venue", key)
            if page is None:
                page = self._venue_new(VENUE_MODELS[entry.data["kind"]], key, self._venue_fields(entry.data))
                self._venues[key] = page
                new.append(page)
        if new:
            self._venues_insert(new)
        new_ids = {id(page) for page in new}
        hours, closures = [], []
        for entry in entries:
            key = str(entry.uid)
            page = self._venues[key]
            fields = self._venue_fields(entry.data)
            model = VENUE_MODELS[entry.data["kind"]]
            if id(page) in new_ids:
                changed = True
            else:
                if not isinstance(page, model):
                    logger.warning("%s: venue %s changed kind; kept as %s", self.origin, key, page.kind)
                names = _diff(page, fields)
                for name in names:
                    setattr(page, name, fields[name])
                if names:
                    _validate_wire_fields_only(page)
                    page.save()
                changed = bool(names)
            wanted_hours = entry.data["opening_hours"]
            if self._replace_hours(OpeningHours, "page", page.pk, wanted_hours):
                hours += [OpeningHours(page_id=page.pk, weekday=w, opens=o, closes=c) for w, o, c in wanted_hours]
                changed = True
            if self._replace_closures(page.pk, None, entry.data["closures"]):
                closures += _closure_rows(page.pk, None, entry.data["closures"])
                changed = True
            self.changed[ChangeKind.VENUE] += changed
        OpeningHours.objects.bulk_create(hours, batch_size=1000)
        Closure.objects.bulk_create(closures, batch_size=1000)

    def _venue_new(self, model, key: str, fields: dict) -> VenuePage:
        """An unsaved mirror page; ``_venues_insert`` writes the page's new ones together."""
        now = timezone.now()
        page = model(
            **fields,
            slug=f"{slugify(fields['title'])[:40] or 'venue'}-{key[:8]}",
            draft_title=fields["title"],
            translation_key=uuid.UUID(key),
            first_published_at=now,
            last_published_at=now,
        )
        page.origin = self.origin
        if self._index is None:
            self._index = mirror_index(self.peer)
        page.locale_id = self._index.locale_id
        # What VenuePage.save derives (the insert below does not call it).
        page.search_text = normalise(" ".join([page.title, page.city, page.region, page.postcode, page.summary]))
        _validate_wire_fields_only(page)
        page.full_clean()
        return page

    def _venues_insert(self, pages: list[VenuePage]) -> None:
        """Insert new mirror pages under the peer's container in a few statements, placed in the
        tree as treebeard's ``add_child`` would place them one by one (path after the last
        child, depth, ``url_path``, the parent's ``numchild``). ``add_child`` costs some twenty
        queries a page (validation, search and reference indexes, log entry), and a peer's first
        sync brings hundreds: mirrors are not in the admin's search nor in the reference index
        (nothing of ours points at them), and their history is the peer's."""
        index = MirrorIndexPage.objects.select_for_update().get(pk=self._index.pk)
        last = index.get_last_child()
        position = last._get_lastpos_in_path() if last else 0
        for page in pages:
            position += 1
            page.depth = index.depth + 1
            page.path = Page._get_path(index.path, page.depth, position)
            page.numchild = 0
            page.url_path = f"{index.url_path}{page.slug}/"
        page_columns = [f for f in Page._meta.local_concrete_fields if f is not Page._meta.pk]
        for start in range(0, len(pages), 500):
            batch = pages[start : start + 500]
            # What bulk_create runs per table; it refuses multi-table models as a whole.
            returned = Page._base_manager._insert(batch, fields=page_columns, returning_fields=[Page._meta.pk])
            for page, (pk,) in zip(batch, returned, strict=True):
                page.id = page.page_ptr_id = page.venuepage_ptr_id = pk
                page._state.adding = False
        for start in range(0, len(pages), 500):
            VenuePage._base_manager._insert(pages[start : start + 500], fields=VenuePage._meta.local_concrete_fields)
        for model in VENUE_MODELS.values():
            mine = [p for p in pages if type(p) is model]
            for start in range(0, len(mine), 500):
                model._base_manager._insert(mine[start : start + 500], fields=model._meta.local_concrete_fields)
        Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + len(pages))

    def _venue_delete(self, entries: list[Entry]) -> None:
        for entry in entries:
            key = str(entry.uid)
            page = self._venues.get(key)
            self._own(page, "venue", key)
            if page is None:
                continue
            kept = self._events_delete(Event.objects.filter(venue=page))
            kept += self._resources_delete(Resource.objects.filter(venue=page))
            if kept:  # our people's bookings still point at it: hide it, keep the rows
                if page.live:
                    VenuePage.objects.filter(pk=page.pk).update(live=False)
                    self.changed[ChangeKind.VENUE] += 1
                continue
            page.delete()
            self._venues.pop(key, None)
            self.changed[ChangeKind.VENUE] += 1

    # -- resources -----------------------------------------------------------------------------

    def _resource_upsert(self, entries: list[Entry]) -> None:
        new: list[tuple[Resource, Entry]] = []
        hours, closures = [], []
        for entry in entries:
            key = str(entry.uid)
            row = self._resources.get(key)
            self._own(row, "resource", key)
            venue = self._venue(entry.data["venue"], entry.label())
            if venue is None:
                continue
            fields = {name: entry.data[name] for name in RESOURCE_FIELDS}
            fields["currency"] = fields["currency"].upper()
            fields["venue_id"] = venue.pk
            if row is None:
                row = Resource(origin=self.origin, uid=uuid.UUID(key), **fields)
                self._resources[key] = row
                new.append((row, entry))
                continue
            names = _diff(row, fields)
            for name in names:
                setattr(row, name, fields[name])
            if names:
                row.save(update_fields=[*names, "updated_at"])
            changed = bool(names)
            if self._replace_hours(ResourceHours, "resource", row.pk, entry.data["hours"]):
                hours += _hour_rows(row.pk, entry.data["hours"])
                changed = True
            if self._replace_closures(venue.pk, row.pk, entry.data["closures"]):
                closures += _closure_rows(venue.pk, row.pk, entry.data["closures"])
                changed = True
            self.changed[ChangeKind.RESOURCE] += changed
        if new:
            Resource.objects.bulk_create([row for row, _ in new], batch_size=500)
            for row, entry in new:
                hours += _hour_rows(row.pk, entry.data["hours"])
                closures += _closure_rows(row.venue_id, row.pk, entry.data["closures"])
            self.changed[ChangeKind.RESOURCE] += len(new)
        ResourceHours.objects.bulk_create(hours, batch_size=1000)
        Closure.objects.bulk_create(closures, batch_size=1000)

    def _resource_delete(self, entries: list[Entry]) -> None:
        keys = []
        for entry in entries:
            row = self._resources.get(str(entry.uid))
            self._own(row, "resource", entry.uid)
            if row is not None:
                keys.append(row.uid)
        if keys:
            self._resources_delete(Resource.objects.filter(uid__in=keys, origin=self.origin))

    def _resources_delete(self, rows) -> int:
        """Delete mirror resources; one still referenced (a booking of ours, an event's seats) is
        made unbookable instead. Returns how many were kept."""
        kept = 0
        for row in rows:
            try:
                row.delete()
                self._resources.pop(str(row.uid), None)
                self.changed[ChangeKind.RESOURCE] += 1
            except ProtectedError:
                kept += 1
                if row.is_active:
                    Resource.objects.filter(pk=row.pk).update(is_active=False, updated_at=timezone.now())
                    self.changed[ChangeKind.RESOURCE] += 1
                BusyBlock.objects.filter(resource=row).delete()
        return kept

    # -- events --------------------------------------------------------------------------------

    def _event_upsert(self, entries: list[Entry]) -> None:
        existing = {str(e.uid): e for e in Event.objects.filter(uid__in=[e.uid for e in entries])}
        new = []
        for entry in entries:
            key = str(entry.uid)
            row = existing.get(key)
            self._own(row, "event", key)
            venue = self._venue(entry.data["venue"], entry.label())
            if venue is None:
                continue
            seats = None
            if entry.data["seats"]:
                seats = self._resource(entry.data["seats"], entry.label())
            fields = {name: entry.data[name] for name in EVENT_FIELDS}
            fields |= {
                "venue_id": venue.pk,
                "seats_id": seats.pk if seats else None,
                "origin_urls": entry.data["urls"],
                "live": True,
            }
            if row is None:
                new.append(Event(uid=entry.uid, origin=self.origin, page=None, **fields))
                continue
            names = _diff(row, fields)
            for name in names:
                setattr(row, name, fields[name])
            if names:
                row.save(update_fields=[*names, "updated_at"])
                self.changed[ChangeKind.EVENT] += 1
        if new:
            Event.objects.bulk_create(new, batch_size=500)
            self.changed[ChangeKind.EVENT] += len(new)

    def _event_delete(self, entries: list[Entry]) -> None:
        rows = list(Event.objects.filter(uid__in=[e.uid for e in entries]))
        for row in rows:
            self._own(row, "event", row.uid)
        self._events_delete(rows)

    def _events_delete(self, rows) -> int:
        kept = 0
        for row in rows:
            try:
                row.delete()
                self.changed[ChangeKind.EVENT] += 1
            except ProtectedError:  # registrations of ours: out of the agenda, rows kept
                kept += 1
                if row.live:
                    Event.objects.filter(pk=row.pk).update(live=False, updated_at=timezone.now())
                    self.changed[ChangeKind.EVENT] += 1
        return kept

    # -- busy times ----------------------------------------------------------------------------

    def _busy_upsert(self, entries: list[Entry]) -> None:
        now = timezone.now()
        existing = {
            b.uid: b for b in BusyBlock.objects.filter(source=self.origin, uid__in=[str(e.uid) for e in entries])
        }
        new, gone = [], []
        for entry in entries:
            key = str(entry.uid)
            resource = self._resource(entry.data["resource"], entry.label())
            block = existing.get(key)
            expires_at = entry.data["expires_at"]
            if resource is None or (expires_at is not None and expires_at <= now):
                if block is not None:
                    gone.append(block.pk)
                continue
            fields = {
                "resource_id": resource.pk,
                "start": entry.data["start"],
                "end": entry.data["end"],
                "quantity": entry.data["quantity"],
            }
            if block is None:
                new.append(BusyBlock(source=self.origin, uid=key, **fields))
                continue
            names = _diff(block, fields)
            for name in names:
                setattr(block, name, fields[name])
            if names:
                block.save(update_fields=[*names, "updated_at"])
                self.changed[ChangeKind.BUSY] += 1
        if new:
            BusyBlock.objects.bulk_create(new, batch_size=500)
            self.changed[ChangeKind.BUSY] += len(new)
        if gone:
            self.changed[ChangeKind.BUSY] += BusyBlock.objects.filter(pk__in=gone).delete()[0]

    def _busy_delete(self, entries: list[Entry]) -> None:
        count, _ = BusyBlock.objects.filter(source=self.origin, uid__in=[str(e.uid) for e in entries]).delete()
        self.changed[ChangeKind.BUSY] += count

    # -- hours and closures --------------------------------------------------------------------

    def _replace_hours(self, model, field: str, owner_id: int, wanted: list[tuple]) -> bool:
        """Whether the weekly hours differ from ``wanted``; if so the old rows are gone and the
        caller inserts the new ones (in bulk, with the page's others)."""
        current = self._hours_of.pop((field, owner_id), [])
        if sorted(current) == sorted(wanted):
            return False
        if current:
            model.objects.filter(**{f"{field}_id": owner_id}).delete()
        return True

    def _replace_closures(self, venue_id: int, resource_id: int | None, wanted: list[tuple]) -> bool:
        """The same for a venue's closures (``resource_id`` None) or a resource's."""
        key = ("resource", resource_id) if resource_id else ("venue", venue_id)
        current = self._closures_of.pop(key, [])
        if sorted(current) == sorted(wanted):
            return False
        if current:
            rows = (
                Closure.objects.filter(resource_id=resource_id)
                if resource_id
                else Closure.objects.filter(venue_id=venue_id, resource__isnull=True)
            )
            rows.delete()
        return True

    # -- private entries -----------------------------------------------------------------------

    def _bookings(self, entries: list[Entry]) -> None:
        try:
            from federation.services.remote_bookings import apply_status  # noqa: PLC0415 (another helper's)
        except ImportError:
            logger.warning("%s: %d booking entries skipped (remote bookings not installed)", self.origin, len(entries))
            return
        for entry in entries:
            apply_status(self.peer, entry.uid, entry.data, entry.deleted)
            self.changed[ChangeKind.BOOKING] += 1


def apply(peer: Peer, entries: list[Entry]) -> int:
    """Apply checked entries in the current transaction; returns how many objects changed."""
    return Mirror(peer).apply(entries)
