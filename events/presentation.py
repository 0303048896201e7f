"""How the public pages show events: agenda rows, seats and prices in words, feed links and the
single-date .ics download (schema.org JSON-LD is ``structured_data``).

Rows are built for one page of results at a time, with a fixed number of queries whatever the
number of rows: localised venues (one), localised page URLs (one), seats taken (one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from babel.dates import format_skeleton, get_datetime_format
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from wagtail.models import Page

from bookings import remote
from core import ical_writer, money, origins
from core import recurrence as rec
from core.formatting import active_language
from events import selectors
from events.models import Event, occurrence_key
from venues.selectors import venues_localized

#: Under this many seats left, a date shows as "few seats left" (and ``LimitedAvailability``).
FEW_SEATS = 5


# Words ----------------------------------------------------------------------------------------


def price_label(event: Event, language: str) -> str:
    if event.is_free:
        return pgettext("price", "Free")
    return money.format_money(event.price_minor, event.currency, language)


def seats_label(*, remaining: int, cancelled: bool) -> str:
    if cancelled:
        return pgettext("event date", "Cancelled")
    if remaining <= 0:
        return _("Full — waitlist")
    return ngettext("%(n)s seat left", "%(n)s seats left", remaining) % {"n": remaining}


def day_label(moment: datetime) -> str:
    """``mardi 8 décembre 2026`` in the moment's own zone (no conversion to the visitor's)."""
    return formats.date_format(moment, "l j F Y")


def time_label(moment: datetime) -> str:
    return formats.time_format(moment, "H:i")


def short_day_label(moment: datetime) -> str:
    """``mar. 15 déc. 2026`` (``Tue, Dec 15, 2026``): the active language's own abbreviated date
    from CLDR (Django's ``D j M`` gave "Mar 15 Déc"), in the moment's own zone."""
    return format_skeleton("yMMMEd", moment, tzinfo=moment.tzinfo, locale=active_language())


def with_time(day: str, times: str) -> str:
    """A date and a time (or span) joined as the active language joins them: ``mar. 15 déc. 2026, 18:30``."""
    return get_datetime_format("medium", locale=active_language()).replace("{1}", day).replace("{0}", times)


def zone_shown(tzname: str) -> bool:
    """The zone is named only when it is not the one the site speaks in (Paris)."""
    return tzname != settings.TIME_ZONE


# Links -----------------------------------------------------------------------------------------


def feed_path(name: str, fallback: str, **kwargs) -> str:
    """A feed's path by its URL name, or the contract's path while the feeds are not installed."""
    try:
        return reverse(f"feeds:{name}", kwargs=kwargs or None)
    except NoReverseMatch:
        return fallback


def events_feed_url(request, query: dict[str, str]) -> str:
    path = feed_path("events", "/feeds/events.ics")
    return request.build_absolute_uri(path + (f"?{urlencode(query)}" if query else ""))


def venue_feed_url(request, slug: str) -> str:
    return request.build_absolute_uri(feed_path("venue", f"/feeds/venues/{slug}.ics", slug=slug))


def programme_feed_url(request, slug: str) -> str:
    return request.build_absolute_uri(feed_path("programme", f"/feeds/programmes/{slug}.ics", slug=slug))


def webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[-1]


def page_urls(events: list[Event], request, language: str) -> dict[int, str]:
    """Each event's page URL in ``language`` (its translation when published), in one query; a
    peer's event's page on its own node."""
    urls = {event.pk: origins.localized_url(event.origin_urls, language) for event in events if event.origin}
    events = [event for event in events if event.page_id is not None]
    pages = {event.page.translation_key: event.page for event in events}
    translated = (
        {
            page.translation_key: page
            for page in Page.objects.filter(
                translation_key__in=list(pages), locale__language_code=language, live=True
            ).only("id", "url_path", "translation_key", "locale_id", "depth", "path")
        }
        if pages
        else {}
    )
    for event in events:
        page = translated.get(event.page.translation_key, event.page)
        urls[event.pk] = page.get_url(request) or ""
    return urls


# Rows ------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One date of one event, as a list shows it."""

    event: Event
    occurrence: rec.Occurrence
    title: str
    venue: object
    url: str
    price: str
    remaining: int = 0
    cancelled: bool = False
    tzname: str = ""
    extra: dict = field(default_factory=dict)
    #: The language ``title`` is written in (the node's when the event is not translated).
    title_language: str = ""

    @property
    def key(self) -> str:
        return occurrence_key(self.occurrence.recurrence_id)

    @property
    def origin_label(self) -> str:
        """ "on <node>" for a peer's event (its link leads to that node), empty for ours."""
        return origins.origin_label(self.event.origin)

    @property
    def start(self) -> datetime:
        return self.occurrence.start

    @property
    def end(self) -> datetime:
        return self.occurrence.end

    @property
    def day(self) -> date:
        return self.occurrence.start.date()

    @property
    def day_label(self) -> str:
        return day_label(self.occurrence.start)

    @property
    def time_label(self) -> str:
        start, end = self.occurrence.start, self.occurrence.end
        if start.date() == end.date():
            return f"{time_label(start)}–{time_label(end)}"
        return f"{time_label(start)} – {formats.date_format(end, 'j F')} {time_label(end)}"

    @property
    def short_label(self) -> str:
        """``mar. 8 déc. 2026, 18:30``: the start, short enough for a phone's line."""
        return with_time(short_day_label(self.occurrence.start), time_label(self.occurrence.start))

    @property
    def when_label(self) -> str:
        """``mar. 8 déc. 2026, 18:30–20:30``: a date row of the event page."""
        return with_time(short_day_label(self.occurrence.start), self.time_label)

    @property
    def start_time(self) -> str:
        return time_label(self.occurrence.start)

    @property
    def zone(self) -> str:
        return self.tzname if zone_shown(self.tzname) else ""

    @property
    def full(self) -> bool:
        return not self.cancelled and self.remaining <= 0

    @property
    def few(self) -> bool:
        return not self.cancelled and 0 < self.remaining <= FEW_SEATS

    @property
    def seats(self) -> str:
        return seats_label(remaining=self.remaining, cancelled=self.cancelled)

    @property
    def register_url(self) -> str | None:
        """A peer's event date with seats left: registered from here, through that node."""
        if not self.event.origin or self.cancelled or self.full or not self.event.seats_id:
            return None
        return remote.register_url(self.event)

    @property
    def link(self) -> str:
        if self.event.programme_id:
            return f"{self.url}#session-{self.event.pk}"
        return f"{self.url}?{urlencode({'date': self.key})}"


def expand(events, *, start: datetime, end: datetime, now: datetime) -> list[tuple[Event, rec.Occurrence]]:
    """Every occurrence of ``events`` starting in ``[start, end)``, in time order."""
    found = []
    for event in events:
        for occurrence in selectors.occurrences(event, start=start, end=end, now=now):
            if start <= occurrence.start.astimezone(UTC) < end:
                found.append((event, occurrence))
    found.sort(key=lambda pair: (pair[1].start.astimezone(UTC), pair[0].title(), pair[0].pk))
    return found


def rows_for(pairs: list[tuple[Event, rec.Occurrence]], *, request, language: str, now: datetime) -> list[Row]:
    """Rows for these occurrences: localised titles, venues and links, seats left (three queries)."""
    events = list({event.pk: event for event, _occurrence in pairs}.values())
    urls = page_urls(events, request, language)
    canonical = {event.venue_id: event.venue for event in events}
    venues = dict(zip(canonical, venues_localized(canonical.values(), language), strict=True))
    taken = selectors.seats_taken_many(
        [(event.seats_id, occurrence.start.astimezone(UTC)) for event, occurrence in pairs],
        now=now,
        mirrored={event.seats_id for event in events if event.origin},
    )
    rows = []
    for event, occurrence in pairs:
        start = occurrence.start.astimezone(UTC)
        rows.append(
            Row(
                event=event,
                occurrence=occurrence,
                title=event.title(language),
                title_language=language if event.titles.get(language) else settings.LANGUAGE_CODE,
                venue=venues.get(event.venue_id, event.venue),
                url=urls.get(event.pk, ""),
                price=price_label(event, language),
                remaining=max(0, event.capacity - taken.get((event.seats_id, start), 0)),
                cancelled=selectors.is_cancelled(event, occurrence),
                tzname=event.timezone,
            )
        )
    return rows


def by_day(rows: list[Row]) -> list[tuple[str, date, list[Row]]]:
    """``[(day label, day, rows)]``, days in the venues' own zones, in order."""
    days: dict[date, list[Row]] = {}
    for row in rows:
        days.setdefault(row.day, []).append(row)
    return [(day_label(group[0].start), day, group) for day, group in days.items()]


def month_grid(first: date, rows: list[Row], today: date) -> list[list[dict]]:
    """Weeks (Monday first) covering the month of ``first``; each day with its rows."""
    by_date: dict[date, list[Row]] = {}
    for row in rows:
        by_date.setdefault(row.day, []).append(row)
    cursor = first - timedelta(days=first.weekday())
    next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    weeks = []
    while cursor < next_month:
        week = []
        for _n in range(7):
            week.append(
                {
                    "day": cursor,
                    "label": formats.date_format(cursor, "l j F"),
                    "in_month": cursor.month == first.month,
                    "today": cursor == today,
                    "rows": by_date.get(cursor, []),
                }
            )
            cursor += timedelta(days=1)
        weeks.append(week)
    return weeks


# The single date in a calendar file ------------------------------------------------------------


def occurrence_ics(event: Event, occurrence: rec.Occurrence, *, url: str, language: str, location: str) -> str:
    """One date as an iCalendar file to open in a calendar app (its UID is the series' own, with
    its ``RECURRENCE-ID`` for a repeating event, so a later subscription does not duplicate it)."""
    cancelled = selectors.is_cancelled(event, occurrence)
    item = ical_writer.FeedEvent(
        uid=f"{event.uid}@essaim",
        sequence=event.sequence,
        summary=event.title(language),
        start=occurrence.start,
        end=occurrence.end,
        tz=event.timezone,
        stamp=event.updated_at,
        description=event.summary(language),
        location=location,
        url=url,
        status="CANCELLED" if cancelled else "CONFIRMED",
        recurrence_id=occurrence.recurrence_id if event.rule else None,
        geo=(event.venue.latitude, event.venue.longitude) if event.venue.has_coordinates else None,
        organizer=event.venue.title,
    )
    year = occurrence.start.year
    return ical_writer.calendar([item], name=event.title(language), first_year=year, last_year=year + 1)
