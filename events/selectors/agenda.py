"""The agenda's reads: events narrowed by the agenda's filters (the agenda page, the events API
and ``/feeds/events.ics`` alike), one row per occurrence, the filter lists, pages in a language."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import QuerySet
from wagtail.models import Page

from core import recurrence as rec
from events.models import Event
from events.selectors.schedule import events_in_window, events_live, occurrences
from venues.selectors import kind_content_type_ids


@dataclass(frozen=True)
class AgendaFilters:
    """What the agenda, the events API and ``/feeds/events.ics`` narrow events by; empty means
    everything. A venue or programme is named by slug (the agenda's lists) or by canonical page
    id (the API, the feed)."""

    venue: str = ""  # a venue's slug
    kind: str = ""  # tiers_lieu, totem, social_business_center
    city: str = ""
    programme: str = ""  # a programme page's slug
    price: str = ""  # "free" or "paid"
    venue_id: int | None = None
    programme_id: int | None = None


def events_narrowed(events: QuerySet[Event], filters: AgendaFilters) -> QuerySet[Event]:
    """``events`` narrowed by ``filters``: the one reading of the agenda's filters. An unknown
    kind narrows nothing (the parsers refuse it first)."""
    if filters.venue:
        events = events.filter(venue__slug=filters.venue)
    if filters.venue_id:
        events = events.filter(venue_id=filters.venue_id)
    if filters.kind in kind_content_type_ids():
        events = events.filter(venue__content_type_id=kind_content_type_ids()[filters.kind])
    if filters.city.strip():
        events = events.filter(venue__city__iexact=filters.city.strip())
    if filters.programme:
        events = events.filter(programme__slug=filters.programme)
    if filters.programme_id:
        events = events.filter(programme_id=filters.programme_id)
    if filters.price == "free":
        events = events.filter(price_minor=0)
    elif filters.price == "paid":
        events = events.filter(price_minor__gt=0)
    return events


def agenda_events(*, filters: AgendaFilters, start: datetime, end: datetime) -> QuerySet[Event]:
    """Live events that may have an occurrence in ``[start, end)``, narrowed by ``filters``,
    with their venue and page (for the link) in the same query."""
    return events_narrowed(events_in_window(start=start, end=end).select_related("page", "programme"), filters)


def agenda_events_by_id(
    *, filters: AgendaFilters, venue_id: int | None, programme_id: int | None, start: datetime, end: datetime
) -> QuerySet[Event]:
    """``agenda_events`` with the venue and programme named by id, as the API names them."""
    return agenda_events(
        filters=replace(
            filters, venue_id=venue_id or filters.venue_id, programme_id=programme_id or filters.programme_id
        ),
        start=start,
        end=end,
    )


def agenda_rows(
    events, *, starts_after: datetime | None, ends_before: datetime, now: datetime
) -> list[tuple[Event, rec.Occurrence]]:
    """``(event, occurrence)`` for every occurrence (cancelled ones flagged) of ``events`` that
    starts at or after ``starts_after`` (without it: has not ended at ``now``) and ends by
    ``ends_before``; in time order."""
    window_start = starts_after or now
    rows = []
    for event in events:
        for occurrence in occurrences(event, start=window_start, end=ends_before, now=now):
            if starts_after is not None and occurrence.start < starts_after:
                continue
            if occurrence.end > ends_before:
                continue
            rows.append((event, occurrence))
    rows.sort(key=lambda row: (row[1].start.astimezone(UTC), row[0].pk))
    return rows


def agenda_choices(*, now: datetime) -> dict[str, list]:
    """Venues, cities and programmes that have something ahead, for the agenda's filter lists."""
    ahead = events_live().filter(last_end__gt=now)
    venues = list(ahead.values_list("venue__slug", "venue__title", "venue__city").distinct().order_by("venue__title"))
    programmes = list(
        ahead.exclude(programme=None)
        .values_list("programme__slug", "programme__title")
        .distinct()
        .order_by("programme__title")
    )
    return {
        "venues": [(slug, title) for slug, title, _city in venues],
        "cities": sorted({city for _slug, _title, city in venues if city}),
        "programmes": programmes,
    }


def pages_in_language(pages, language: str) -> dict[int, object]:
    """``{canonical page id: its live translation in language}`` for these pages, in one query
    (pages without such a translation are left out: show the canonical one)."""
    pages = [page for page in pages if page is not None]
    if not pages or language == settings.LANGUAGE_CODE:
        return {}
    by_key = {page.translation_key: page.pk for page in pages}
    found = Page.objects.live().filter(translation_key__in=list(by_key), locale__language_code=language)
    return {by_key[page.translation_key]: page for page in found}


def canonical_page_id(model, value: str, *, by_id: bool = True) -> int | None:
    """A venue or programme by id or by the slug of any of its translations: the canonical page's id."""
    by_id = by_id and value.isdigit() and len(value) < 19
    pages = model.objects.filter(pk=int(value)) if by_id else model.objects.filter(slug=value)
    page = pages.only("translation_key").first()
    if page is None:
        return None
    canonical = (
        Page.objects.filter(translation_key=page.translation_key, locale__language_code=settings.LANGUAGE_CODE)
        .values_list("pk", flat=True)
        .first()
    )
    return canonical or page.pk
