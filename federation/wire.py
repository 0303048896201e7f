"""What a change entry carries, per kind: the wire format peers mirror from (and ``objects`` answers).

Every object is named by its UUID (with the node that owns it): a venue by its Wagtail
``translation_key``, a resource by ``Resource.uid``, an event by ``Event.uid``, a busy interval and a
remote booker's booking by ``Booking.uid``. References between objects are UUIDs too. Times are UTC
ISO 8601; wall-clock times ``HH:MM``; days ``YYYY-MM-DD``. Texts that pages translate are maps
``{"fr": …, "en": …}``. No personal data travels in public entries.

``venue``    ``{kind, titles, summaries, accessibility, urls, street_address, postcode, city, region,
               country, latitude, longitude, timezone, wheelchair_accessible, email, phone, website,
               opening_hours: [[weekday, opens, closes]], closures: [{first_day, last_day, yearly,
               reason}]}``
``resource`` ``{venue, name, kind, description, capacity, seats, price_minor, currency, pricing_unit,
               booking_unit, slot_minutes, min_minutes, max_minutes, lead_minutes, horizon_days,
               buffer_minutes, max_per_day, max_per_week, approval_required, free_cancel_hours,
               late_cancellation, late_refund_percent, pay_at_venue, is_active,
               hours: [[weekday, opens, closes]], closures: [...]}``
``event``    ``{venue, seats, titles, summaries, urls, timezone, start, end, rule, changes, last_end,
               capacity, price_minor, currency, registration_closes_hours, attendance_mode,
               language, status, cancel_reason, sequence, programme_titles}``
``busy``     ``{resource, start, end, quantity, expires_at}`` — a booking's occupancy (a hold's until
               ``expires_at``); a tombstone when it stops occupying. An outside calendar's busy block
               on one of our resources is a ``busy`` entry too (no ``expires_at``), named by
               ``outside_busy_uid``; a tombstone when the import removes it.
``booking``  private, to the peer a remote booker came through: ``{status, payment_state, reference,
               amount_minor, currency, start, end, quantity, expires_at, cancel_reason}``

A tombstone (``deleted: true``, empty ``data``) removes the object; an unpublished venue or event
is a tombstone too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC

from django.conf import settings
from django.utils import timezone

from bookings.models import CALENDAR_SOURCE_PREFIX, OCCUPYING, Booking, BookingStatus, BusyBlock, Closure, Resource
from events.models import Event
from federation.models import ChangeKind
from venues.models import VenuePage


def _iso(moment) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _hhmm(t) -> str:
    return t.strftime("%H:%M")


def absolute(url: str) -> str:
    if not url:
        return ""
    return url if url.startswith("http") else settings.ESSAIM_NODE_URL + url


def _closures(rows) -> list[dict]:
    return [
        {
            "first_day": c.first_day.isoformat(),
            "last_day": c.last_day.isoformat(),
            "yearly": c.yearly,
            "reason": c.reason,
        }
        for c in rows
    ]


def venue(page: VenuePage) -> tuple[str, str, dict | None]:
    """``(kind, uid, data)``; ``data`` is ``None`` (a tombstone) when no translation is live."""
    pages = list(
        VenuePage.objects.filter(translation_key=page.translation_key, live=True, origin="")
        .select_related("locale")
        .specific()
    )
    if not pages:
        return ChangeKind.VENUE, str(page.translation_key), None
    canonical = next((p for p in pages if p.locale.language_code == settings.LANGUAGE_CODE), pages[0])
    langs = {p.locale.language_code[:2]: p for p in pages}
    data = {
        "kind": canonical.KIND,
        "titles": {lang: p.title for lang, p in langs.items()},
        "summaries": {lang: p.summary for lang, p in langs.items() if p.summary},
        "accessibility": {lang: p.accessibility for lang, p in langs.items() if p.accessibility},
        "urls": {lang: absolute(p.get_url()) for lang, p in langs.items()},
        "street_address": canonical.street_address,
        "postcode": canonical.postcode,
        "city": canonical.city,
        "region": canonical.region,
        "country": str(canonical.country),
        "latitude": canonical.latitude,
        "longitude": canonical.longitude,
        "timezone": canonical.timezone,
        "wheelchair_accessible": canonical.wheelchair_accessible,
        "email": canonical.email,
        "phone": canonical.phone,
        "website": canonical.website,
        "opening_hours": [
            [h.weekday, _hhmm(h.opens), _hhmm(h.closes)] for h in canonical.opening_hours.order_by("weekday", "opens")
        ],
        "closures": _closures(
            Closure.objects.filter(venue_id=canonical.pk, resource__isnull=True).order_by("first_day")
        ),
    }
    return ChangeKind.VENUE, str(page.translation_key), data


RESOURCE_FIELDS = (
    "name",
    "kind",
    "description",
    "capacity",
    "seats",
    "price_minor",
    "currency",
    "pricing_unit",
    "booking_unit",
    "slot_minutes",
    "min_minutes",
    "max_minutes",
    "lead_minutes",
    "horizon_days",
    "buffer_minutes",
    "max_per_day",
    "max_per_week",
    "approval_required",
    "free_cancel_hours",
    "late_cancellation",
    "late_refund_percent",
    "pay_at_venue",
    "is_active",
)


def resource(row: Resource) -> tuple[str, str, dict | None]:
    """A tombstone when the resource's venue is not live (peers drop what they cannot show)."""
    venue_page = VenuePage.objects.filter(pk=row.venue_id).only("translation_key", "live", "origin").first()
    if row.origin or venue_page is None or not venue_page.live:
        return ChangeKind.RESOURCE, str(row.uid), None
    data = {field: getattr(row, field) for field in RESOURCE_FIELDS}
    data["venue"] = str(venue_page.translation_key)
    data["hours"] = [[h.weekday, _hhmm(h.opens), _hhmm(h.closes)] for h in row.hours.order_by("weekday", "opens")]
    data["closures"] = _closures(row.closures.order_by("first_day")) if hasattr(row, "closures") else []
    return ChangeKind.RESOURCE, str(row.uid), data


def event(row: Event) -> tuple[str, str, dict | None]:
    if row.origin or not row.live:
        return ChangeKind.EVENT, str(row.uid), None
    venue_key = VenuePage.objects.filter(pk=row.venue_id).values_list("translation_key", flat=True).first()
    urls = {}
    if row.page_id:
        for page in row.page.get_translations(inclusive=True).live().select_related("locale"):
            urls[page.locale.language_code[:2]] = absolute(page.get_url())
    data = {
        "venue": str(venue_key),
        "seats": str(row.seats.uid) if row.seats_id else None,
        "titles": row.titles,
        "summaries": row.summaries,
        "urls": urls,
        "timezone": row.timezone,
        "start": _iso(row.start),
        "end": _iso(row.end),
        "rule": row.rule,
        "changes": row.changes,
        "last_end": _iso(row.last_end),
        "capacity": row.capacity,
        "price_minor": row.price_minor,
        "currency": row.currency,
        "registration_closes_hours": row.registration_closes_hours,
        "attendance_mode": row.attendance_mode,
        "language": row.language,
        "status": row.status,
        "cancel_reason": row.cancel_reason,
        "sequence": row.sequence,
        "programme_titles": {},
    }
    if row.programme_id:
        programme = row.programme
        data["programme_titles"] = {
            p.locale.language_code[:2]: p.title
            for p in programme.get_translations(inclusive=True).live().select_related("locale")
        }
    return ChangeKind.EVENT, str(row.uid), data


def busy(booking: Booking) -> tuple[str, str, dict | None]:
    """A booking's occupancy of one of our resources; a tombstone when it no longer occupies."""
    if booking.status not in OCCUPYING or booking.resource.origin:
        return ChangeKind.BUSY, str(booking.uid), None
    if booking.status == BookingStatus.HELD and booking.expires_at and booking.expires_at <= timezone.now():
        return ChangeKind.BUSY, str(booking.uid), None
    data = {
        "resource": str(booking.resource.uid),
        "start": _iso(booking.start),
        "end": _iso(booking.blocked_until or booking.end),
        "quantity": booking.quantity,
        "expires_at": _iso(booking.expires_at) if booking.status == BookingStatus.HELD else None,
    }
    return ChangeKind.BUSY, str(booking.uid), data


#: Outside busy times' wire uids live in this namespace (fixed: a block keeps its uid on every
#: import and every rebuild of the outbox).
OUTSIDE_BUSY_NAMESPACE = uuid.UUID("6ef2f73e-1ca8-4de2-afdb-c67c13eb8807")


def outside_busy_uid(source: str, resource_id: int, uid: str) -> str:
    """The wire uid of an outside busy block: its source, resource and outside uid together (a
    venue-wide calendar writes the same outside uid on several resources)."""
    return str(uuid.uuid5(OUTSIDE_BUSY_NAMESPACE, f"{source}|{resource_id}|{uid}"))


def outside_busy(block: BusyBlock, resource_uid) -> tuple[str, str, dict]:
    """An outside calendar's busy block on one of our resources (``resource_uid``), shaped as a
    booking's occupancy so that peers mirror it unchanged."""
    data = {
        "resource": str(resource_uid),
        "start": _iso(block.start),
        "end": _iso(block.end),
        "quantity": block.quantity,
        "expires_at": None,
    }
    return ChangeKind.BUSY, outside_busy_uid(block.source, block.resource_id, block.uid), data


def booking(row: Booking) -> dict:
    """The private entry a remote booker's node reads about its person's booking."""
    return {
        "status": row.status,
        "payment_state": row.payment_state,
        "reference": row.reference,
        "amount_minor": row.amount_minor,
        "currency": row.currency,
        "start": _iso(row.start),
        "end": _iso(row.end),
        "quantity": row.quantity,
        "expires_at": _iso(row.expires_at),
        "cancel_reason": row.cancel_reason,
    }


def everything() -> Iterator[tuple[str, str, dict]]:
    """Every object this node publishes, parents first (venues, resources, events, busy times:
    bookings', then outside calendars')."""
    for page in VenuePage.objects.filter(live=True, origin="", locale__language_code=settings.LANGUAGE_CODE):
        kind, uid, data = venue(page)
        if data is not None:
            yield kind, uid, data
    for row in Resource.objects.filter(origin="", venue__live=True).select_related("venue"):
        kind, uid, data = resource(row)
        if data is not None:
            yield kind, uid, data
    for row in Event.objects.filter(origin="", live=True).select_related("page", "seats", "programme"):
        kind, uid, data = event(row)
        if data is not None:
            yield kind, uid, data
    now = timezone.now()
    for row in Booking.objects.filter(resource__origin="", status__in=OCCUPYING, blocked_until__gt=now).select_related(
        "resource"
    ):
        kind, uid, data = busy(row)
        if data is not None:
            yield kind, uid, data
    blocks = (
        BusyBlock.objects.filter(source__startswith=CALENDAR_SOURCE_PREFIX, resource__origin="", end__gt=now)
        .select_related("resource")
        .only("source", "uid", "start", "end", "quantity", "resource_id", "resource__uid")
    )
    for block in blocks.iterator(chunk_size=2000):
        yield outside_busy(block, block.resource.uid)
