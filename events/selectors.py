"""Read queries over the published schedule: occurrences, remaining seats, registrations, waitlists.

An ``Event`` row turns into a ``recurrence.Series`` (wall-clock in the venue's zone) and is
expanded on demand: nothing stores one row per occurrence, so an open rule costs nothing until
someone looks at a window of it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from bookings.models import OCCUPYING, Booking, BookingStatus, Closure
from core import recurrence as rec
from events.models import (
    WAITLIST_OPEN,
    Event,
    EventStatus,
    ProgrammePage,
    Registration,
    WaitlistEntry,
    WaitlistStatus,
    parse_occurrence_key,
)


def horizon(now: datetime | None = None) -> datetime:
    """How far ahead open rules are expanded and published."""
    return (now or timezone.now()) + timedelta(days=settings.ESSAIM_EVENT_HORIZON_DAYS)


def _moment(text: str | None, tz: ZoneInfo) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text).astimezone(tz)


def series(event: Event) -> rec.Series:
    tz = ZoneInfo(event.timezone)
    changes = {}
    for key, change in (event.changes or {}).items():
        recurrence_id = parse_occurrence_key(key)
        if recurrence_id is None:
            continue
        changes[recurrence_id.astimezone(tz)] = rec.Change(
            start=_moment(change.get("start"), tz),
            end=_moment(change.get("end"), tz),
            cancelled=bool(change.get("cancelled")),
        )
    return rec.Series(
        start=event.start.astimezone(tz), duration=event.end - event.start, tz=tz, rule=event.rule, changes=changes
    )


def occurrences(event: Event, *, start: datetime, end: datetime, now: datetime | None = None) -> list[rec.Occurrence]:
    """The event's occurrences overlapping ``[start, end)``, cancelled ones included and flagged."""
    if event.start >= end or event.last_end <= start:
        return []
    return rec.occurrences(series(event), window_start=start, window_end=end, horizon=min(end, horizon(now)))


def occurrence_get(event: Event, recurrence_id: datetime, *, now: datetime | None = None) -> rec.Occurrence | None:
    """The occurrence the rule gives at ``recurrence_id`` (wherever a change moved it), or ``None``."""
    key = recurrence_id.astimezone(UTC)
    found = rec.occurrences(
        series(event),
        window_start=datetime.min.replace(tzinfo=UTC) + timedelta(days=1),
        window_end=datetime.max.replace(tzinfo=UTC) - timedelta(days=1),
        horizon=max(key + timedelta(seconds=1), min(event.last_end, horizon(now))),
    )
    return next((o for o in found if o.recurrence_id.astimezone(UTC) == key), None)


def upcoming(event: Event, *, now: datetime, limit: int = 50) -> list[rec.Occurrence]:
    """The next occurrences, not yet ended (cancelled ones flagged), at most ``limit``."""
    found = occurrences(event, start=now, end=min(event.last_end, horizon(now)) + timedelta(seconds=1), now=now)
    return found[:limit]


@dataclass(frozen=True)
class Seats:
    """Seats taken and left at one occurrence."""

    capacity: int
    taken: int

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.taken)


def _occupying(now: datetime) -> Q:
    return Q(status__in=[BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN]) | Q(
        status=BookingStatus.HELD, expires_at__gt=now
    )


def seats_taken(event: Event, starts: list[datetime], *, now: datetime) -> Counter:
    """Seats taken at each of ``starts`` (an occurrence's actual start), in one query."""
    if not event.seats_id or not starts:
        return Counter()
    rows = (
        Booking.objects.filter(_occupying(now), resource_id=event.seats_id, start__in=starts)
        .values("start")
        .annotate(taken=Sum("quantity"))
    )
    return Counter({row["start"]: row["taken"] for row in rows})


def seats_for(event: Event, occurrence: rec.Occurrence, *, now: datetime) -> Seats:
    taken = seats_taken(event, [occurrence.start.astimezone(UTC)], now=now)
    return Seats(capacity=event.capacity, taken=taken.get(occurrence.start.astimezone(UTC), 0))


def events_live() -> QuerySet[Event]:
    return Event.objects.filter(live=True).select_related("venue")


def events_in_window(*, start: datetime, end: datetime) -> QuerySet[Event]:
    """Live events with at least one occurrence that may overlap ``[start, end)``."""
    return events_live().filter(start__lt=end, last_end__gt=start)


def event_for_page(page) -> Event | None:
    """The schedule row of an event page (any of its translations)."""
    return (
        Event.objects.filter(page__translation_key=page.translation_key, session_key__isnull=True)
        .select_related("venue", "seats")
        .first()
    )


def event_get(*, pk: int) -> Event | None:
    return Event.objects.filter(pk=pk, live=True).select_related("venue", "seats", "programme").first()


def programme_sessions(programme: ProgrammePage) -> QuerySet[Event]:
    """A programme's sessions (from any translation of its page), in time order."""
    return (
        Event.objects.filter(programme__translation_key=programme.translation_key, live=True)
        .select_related("venue", "seats")
        .order_by("start", "id")
    )


def registration_open(*, user, event: Event, recurrence_id: datetime, now: datetime) -> Registration | None:
    """The person's registration for that occurrence that still stands (a live hold counts)."""
    return (
        Registration.objects.filter(event=event, recurrence_id=recurrence_id, booking__user=user)
        .filter(
            Q(booking__status__in=[BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.PENDING_APPROVAL])
            | Q(booking__status=BookingStatus.HELD, booking__expires_at__gt=now)
        )
        .select_related("booking")
        .first()
    )


def registrations_standing(event: Event) -> QuerySet[Registration]:
    """Registrations whose booking still lies ahead or is held: those a change must reach."""
    return Registration.objects.filter(event=event, booking__status__in=list(OCCUPYING)).select_related(
        "booking__resource__venue", "booking__user"
    )


def waitlist_entry_open(*, user, event: Event, recurrence_id: datetime) -> WaitlistEntry | None:
    return WaitlistEntry.objects.filter(
        user=user, event=event, recurrence_id=recurrence_id, status__in=WAITLIST_OPEN
    ).first()


def waitlist_position(entry: WaitlistEntry) -> int:
    """1 for the first person waiting."""
    return (
        WaitlistEntry.objects.filter(
            event_id=entry.event_id,
            recurrence_id=entry.recurrence_id,
            status=WaitlistStatus.WAITING,
            created_at__lte=entry.created_at,
        )
        .exclude(Q(created_at=entry.created_at) & Q(pk__gt=entry.pk))
        .count()
    )


def waitlist_waiting(event: Event, recurrence_id: datetime) -> QuerySet[WaitlistEntry]:
    return WaitlistEntry.objects.filter(event=event, recurrence_id=recurrence_id, status=WaitlistStatus.WAITING)


def waitlist_for_user(*, user) -> QuerySet[WaitlistEntry]:
    return (
        WaitlistEntry.objects.filter(user=user, status__in=WAITLIST_OPEN)
        .select_related("event__venue", "offer")
        .order_by("recurrence_id")
    )


def closure_windows(event: Event) -> list[tuple[datetime, datetime]]:
    """The venue's closures over the event's span, as UTC windows (yearly ones repeated)."""
    from bookings import availability as av

    tz = ZoneInfo(event.timezone)
    first, last = event.start.astimezone(tz).date(), event.last_end.astimezone(tz).date()
    windows = []
    for closure in Closure.objects.filter(venue_id=event.venue_id, resource__isnull=True):
        span = closure.last_day - closure.first_day
        # A yearly closure over New Year (24 December – 1 January) starts the year before.
        years = range(first.year - 1, last.year + 1) if closure.yearly else [None]
        for year in years:
            try:
                begin = closure.first_day if year is None else closure.first_day.replace(year=year)
            except ValueError:  # 29 February
                continue
            finish = begin + span
            if finish < first or begin > last:
                continue
            windows.append(
                (
                    av.wall_clock(begin, datetime.min.time(), tz),
                    av.wall_clock(finish + timedelta(days=1), datetime.min.time(), tz),
                )
            )
    return windows


def occurrences_in_closures(event: Event, *, now: datetime | None = None) -> list[rec.Occurrence]:
    """Upcoming occurrences that fall on a day the venue is closed: flagged to the manager."""
    now = now or timezone.now()
    windows = closure_windows(event)
    if not windows:
        return []
    return [o for o in rec.in_windows(upcoming(event, now=now, limit=1000), windows) if not o.cancelled]


def is_cancelled(event: Event, occurrence: rec.Occurrence) -> bool:
    return event.status == EventStatus.CANCELLED or occurrence.cancelled


# --- added by pages: the agenda's reads (filters shared with the events feed), seats for many rows


@dataclass(frozen=True)
class AgendaFilters:
    """What the agenda (and ``/feeds/events.ics``) narrow events by; empty means everything."""

    venue: str = ""  # a venue's slug
    kind: str = ""  # tiers_lieu, totem, social_business_center
    city: str = ""
    programme: str = ""  # a programme page's slug
    price: str = ""  # "free" or "paid"


def agenda_events(*, filters: AgendaFilters, start: datetime, end: datetime) -> QuerySet[Event]:
    """Live events that may have an occurrence in ``[start, end)``, narrowed by ``filters``,
    with their venue and page (for the link) in the same query."""
    from venues.selectors import kind_content_type_ids

    events = events_in_window(start=start, end=end).select_related("page", "programme")
    if filters.venue:
        events = events.filter(venue__slug=filters.venue)
    if filters.kind in kind_content_type_ids():
        events = events.filter(venue__content_type_id=kind_content_type_ids()[filters.kind])
    if filters.city:
        events = events.filter(venue__city__iexact=filters.city.strip())
    if filters.programme:
        events = events.filter(programme__slug=filters.programme)
    if filters.price == "free":
        events = events.filter(price_minor=0)
    elif filters.price == "paid":
        events = events.filter(price_minor__gt=0)
    return events


def seats_taken_many(pairs: list[tuple[int, datetime]], *, now: datetime) -> Counter:
    """Seats taken at many ``(seats resource id, occurrence start)`` pairs, in one query."""
    pairs = [(resource_id, start) for resource_id, start in pairs if resource_id]
    if not pairs:
        return Counter()
    rows = (
        Booking.objects.filter(
            _occupying(now),
            resource_id__in={resource_id for resource_id, _start in pairs},
            start__in={start.astimezone(UTC) for _resource_id, start in pairs},
        )
        .values("resource_id", "start")
        .annotate(taken=Sum("quantity"))
    )
    return Counter({(row["resource_id"], row["start"]): row["taken"] for row in rows})


def registrations_of_user(*, user, events: list[Event], now: datetime) -> dict[tuple[int, datetime], Registration]:
    """The person's standing registrations for these events, by ``(event id, recurrence id)``."""
    if not getattr(user, "is_authenticated", False) or not events:
        return {}
    rows = (
        Registration.objects.filter(event__in=events, booking__user=user)
        .filter(
            Q(booking__status__in=[BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.PENDING_APPROVAL])
            | Q(booking__status=BookingStatus.HELD, booking__expires_at__gt=now)
        )
        .select_related("booking")
    )
    return {(row.event_id, row.recurrence_id): row for row in rows}


def waitlist_of_user(*, user, events: list[Event]) -> dict[tuple[int, datetime], WaitlistEntry]:
    """The person's open waitlist entries for these events, by ``(event id, recurrence id)``."""
    if not getattr(user, "is_authenticated", False) or not events:
        return {}
    rows = WaitlistEntry.objects.filter(user=user, event__in=events, status__in=WAITLIST_OPEN).select_related("offer")
    return {(row.event_id, row.recurrence_id): row for row in rows}


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


# --- added by api: the agenda as one row per occurrence (the API lists occurrences), the
# person's waitlist with positions, and pages in a language, each in a fixed number of queries.


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


def waitlist_for_user_positioned(*, user) -> QuerySet[WaitlistEntry]:
    """The person's open waitlist entries, each annotated with ``position`` (1 for the first
    person waiting; meaningful while ``waiting``) in the list's own query."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    ahead = (
        WaitlistEntry.objects.filter(
            event_id=OuterRef("event_id"), recurrence_id=OuterRef("recurrence_id"), status=WaitlistStatus.WAITING
        )
        .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lte=OuterRef("pk")))
        .order_by()
        .values("event_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return waitlist_for_user(user=user).select_related("event__page").annotate(position=Coalesce(Subquery(ahead), 0))


def waitlist_entry_of_user(*, user, pk: int) -> WaitlistEntry | None:
    """One of the person's waitlist entries (any status); ``None`` for anyone else's."""
    if not 0 < pk < 2**63:
        return None
    return WaitlistEntry.objects.filter(user=user, pk=pk).select_related("event__venue", "offer").first()


def pages_in_language(pages, language: str) -> dict[int, object]:
    """``{canonical page id: its live translation in language}`` for these pages, in one query
    (pages without such a translation are left out: show the canonical one)."""
    from wagtail.models import Page

    pages = [page for page in pages if page is not None]
    if not pages or language == settings.LANGUAGE_CODE:
        return {}
    by_key = {page.translation_key: page.pk for page in pages}
    found = Page.objects.live().filter(translation_key__in=list(by_key), locale__language_code=language)
    return {by_key[page.translation_key]: page for page in found}


def programme_get(*, pk: int) -> ProgrammePage | None:
    """A live programme by its canonical (default-language) page id."""
    if not 0 < pk < 2**63:
        return None
    return ProgrammePage.objects.live().filter(pk=pk, locale__language_code=settings.LANGUAGE_CODE).first()


def agenda_events_by_id(
    *, filters: AgendaFilters, venue_id: int | None, programme_id: int | None, start: datetime, end: datetime
) -> QuerySet[Event]:
    """``agenda_events`` for the API, which names venues and programmes by id rather than slug."""
    events = agenda_events(filters=filters, start=start, end=end)
    if venue_id:
        events = events.filter(venue_id=venue_id)
    if programme_id:
        events = events.filter(programme_id=programme_id)
    return events
