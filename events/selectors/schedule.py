"""The published schedule: events, their occurrences, programmes' sessions, closures over them.

An ``Event`` row turns into a ``recurrence.Series`` (wall-clock in the venue's zone) and is
expanded on demand: nothing stores one row per occurrence, so an open rule costs nothing until
someone looks at a window of it.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from wagtail.models import Page

from bookings import availability as av
from bookings.models import Closure, Resource
from core import recurrence as rec
from core.prepared import prepared_cursor
from core.raw_models import ModelColumns
from events.models import Event, EventStatus, ProgrammePage, parse_occurrence_key
from venues.models import VenuePage

_EVENT = ModelColumns(Event, "e")
_VENUE = ModelColumns(VenuePage, "v", parents={Page: "p"})
_SEATS = ModelColumns(Resource, "r")
_STATEMENTS: dict[str, str] = {}


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
    """A live event with its venue and its seats, as ``select_related("venue", "seats")`` would
    give them, in one hand-written statement: every registration reads it, and the ORM spent a
    quarter of a registration's CPU compiling the join of four tables (``core.raw_models``;
    ``test_event_read.py`` holds it to that query)."""
    if not 0 < pk < 2**63:
        return None
    with prepared_cursor() as cursor:
        cursor.execute(_event_statement(), [pk, True])
        row = cursor.fetchone()
    if row is None:
        return None
    event = _EVENT.take(row, 0)
    event.venue = _VENUE.take(row, _EVENT.width)
    seats = _SEATS.take(row, _EVENT.width + _VENUE.width)
    type(event).seats.field.set_cached_value(event, seats)  # ``None`` cached too: no query to learn it
    if seats is not None and seats.venue_id == event.venue_id:
        seats.venue = event.venue  # one object: a booking's answer names it without a query
    return event


def _event_statement() -> str:
    """Written once per database vendor (the quoting differs)."""
    if connection.vendor not in _STATEMENTS:
        _STATEMENTS[connection.vendor] = (
            f"SELECT {_EVENT.sql()}, {_VENUE.sql()}, {_SEATS.sql()} FROM {_EVENT.table()} "  # noqa: S608 — names from our models, values as parameters
            f"{_VENUE.join(_EVENT.column('venue'))} {_SEATS.join(_EVENT.column('seats'), outer=True)} "
            f"WHERE {_EVENT.column('pk')} = %s AND {_EVENT.column('live')} = %s"
        )
    return _STATEMENTS[connection.vendor]


def programme_sessions(programme: ProgrammePage) -> QuerySet[Event]:
    """A programme's sessions (from any translation of its page), in time order."""
    return (
        Event.objects.filter(programme__translation_key=programme.translation_key, live=True)
        .select_related("venue", "seats")
        .order_by("start", "id")
    )


def programme_get(*, pk: int) -> ProgrammePage | None:
    """A live programme by its canonical (default-language) page id."""
    if not 0 < pk < 2**63:
        return None
    return ProgrammePage.objects.live().filter(pk=pk, locale__language_code=settings.LANGUAGE_CODE).first()


def closure_windows(event: Event) -> list[tuple[datetime, datetime]]:
    """The venue's closures over the event's span, as UTC windows (yearly ones repeated)."""
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
