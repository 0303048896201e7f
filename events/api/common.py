"""What the events API's views share: the event or programme asked for, the date named in a
request, and agenda items (one per date) built in a fixed number of queries."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import money, origins
from core import recurrence as rec
from core.api import local_iso, parse_instant
from core.errors import Conflict, InvalidInput, NotFound
from events import selectors
from events.models import Event, EventStatus, occurrence_key, parse_occurrence_key
from venues.selectors import venues_localized


def recurrence_id_of(event: Event, text: str | None) -> datetime:
    """The occurrence named by ``text`` (its key, or its planned start as an instant)."""
    if not text:
        if event.rule:
            raise InvalidInput(_("occurrence: this event repeats, say which date."), code="occurrence_required")
        return event.start
    found = parse_occurrence_key(text.strip())
    if found is not None:
        return found
    try:
        return parse_instant(text)
    except serializers.ValidationError:
        raise InvalidInput(
            _("occurrence: give the date's key (YYYYMMDDTHHMMSSZ) or its start with offset."),
            code="invalid_occurrence",
        ) from None


def absolute(request, page) -> str:
    return request.build_absolute_uri(page.get_url(request))


def _page_urls(request, pages: dict) -> dict[int, str]:
    """``{canonical page id: absolute URL in the active language}`` (one query for translations)."""
    pages = {pk: page for pk, page in pages.items() if page is not None}
    translated = selectors.pages_in_language(pages.values(), translation.get_language())
    return {pk: absolute(request, translated.get(pk, page)) for pk, page in pages.items()}


def event_url(event: Event, urls: dict[int, str]) -> str:
    """Our event's page (from ``_page_urls``), or a peer's event's page on its own node."""
    if event.origin:
        return origins.localized_url(event.origin_urls, translation.get_language())
    return urls.get(event.page_id, "")


def _venue_names(events) -> dict[int, str]:
    venues = {event.venue_id: event.venue for event in events}
    localized = venues_localized(venues.values())
    return {pk: page.title for pk, page in zip(venues, localized, strict=True)}


def _item(event: Event, occurrence: rec.Occurrence, *, taken: int, url: str, venue_name: str) -> dict:
    tz = ZoneInfo(event.timezone)
    cancelled = selectors.is_cancelled(event, occurrence)
    return {
        "id": event.pk,
        "occurrence": occurrence_key(occurrence.recurrence_id),
        "title": event.title(),
        "venue": event.venue_id,
        "venue_name": venue_name,
        "city": event.venue.city,
        "start": local_iso(occurrence.start, tz),
        "end": local_iso(occurrence.end, tz),
        "timezone": event.timezone,
        "url": url,
        "status": EventStatus.CANCELLED.value if cancelled else EventStatus.SCHEDULED.value,
        "remaining": 0 if cancelled else max(0, event.capacity - taken),
        "capacity": event.capacity,
        "price": str(money.to_decimal(event.price_minor, event.currency)),
        "currency": event.currency,
        "attendance_mode": event.attendance_mode,
        "registration_closes_at": local_iso(occurrence.start - timedelta(hours=event.registration_closes_hours), tz),
        "programme": event.programme_id,
        "recurring": bool(event.rule),
        "origin": origins.origin_url(event.origin),
        "origin_name": origins.origin_name(event.origin),
    }


def event_items(request, rows, *, pages: dict | None = None, now: datetime) -> list[dict]:
    """Agenda items for ``(event, occurrence)`` rows, in a fixed number of queries: seats (one
    grouped query), translated links and venue names (one each outside the default language)."""
    if not rows:
        return []
    events = list({event.pk: event for event, _occurrence in rows}.values())
    taken = selectors.seats_taken_many(
        [(event.seats_id, o.start) for event, o in rows],
        now=now,
        mirrored={event.seats_id for event in events if event.origin},
    )
    pages = pages if pages is not None else {event.page_id: event.page for event in events}
    urls = _page_urls(request, pages)
    names = _venue_names(events)
    return [
        _item(
            event,
            occurrence,
            taken=taken.get((event.seats_id, occurrence.start.astimezone(UTC)), 0),
            url=event_url(event, urls),
            venue_name=names[event.venue_id],
        )
        for event, occurrence in rows
    ]


def event_or_404(pk: int) -> Event:
    event = selectors.event_get(pk=pk) if 0 < pk < 2**63 else None
    if event is None:
        raise NotFound(_("No published event with this id."), code="event_not_found")
    return event


def api_url(request, name: str, pk: int) -> str:
    return request.build_absolute_uri(reverse(f"api:{name}", args=[pk]))


def single_date(event: Event) -> rec.Occurrence:
    """A programme session's one date (sessions do not repeat)."""
    tz = ZoneInfo(event.timezone)
    return rec.Occurrence(
        recurrence_id=event.start.astimezone(tz), start=event.start.astimezone(tz), end=event.end.astimezone(tz)
    )


def with_waitlist(error: Conflict, request, event_id: int) -> Conflict:
    if error.code == "event_full":
        error.extra = {**error.extra, "remaining": 0, "waitlist": api_url(request, "event-waitlist", event_id)}
    return error


def programme_or_404(pk: int):
    programme = selectors.programme_get(pk=pk)
    if programme is None:
        raise NotFound(_("No published programme with this id."), code="programme_not_found")
    return programme
