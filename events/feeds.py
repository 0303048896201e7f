"""Public iCalendar feeds of the published schedule: every event (with the agenda's filters), a
venue's events, a programme's sessions.

Each ``Event`` row is one master ``VEVENT`` (its ``RRULE`` as published, already bounded) plus one
override per changed date (``RECURRENCE-ID``: moved, or ``STATUS:CANCELLED``), in the venue's
zone with a ``VTIMEZONE`` per zone used, written by ``core.ical_writer`` (a feed of ten
thousand events renders in well under a second).

As with the booking feeds (``bookings.feeds``), a cheap version key comes first: one aggregate
query over the feed's rows (how many, the latest change, the highest ``SEQUENCE``, the venues'
latest publication) with the request's filters and language. It is the ETag, it answers
``If-None-Match`` / ``If-Modified-Since`` with a 304 before anything is rendered, and the
rendered bytes are cached under it, so clients polling the same feed share one rendering.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, Count, Max, Q, QuerySet, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from wagtail.models import Page

from bookings import feeds as booking_feeds
from bookings import ics
from core import ical_writer, ical_zones, origins
from core.ical_writer import FeedEvent
from events import selectors
from events.feed_filters import BadRequest, Filters, parse_filters, parse_language, window_days
from events.models import Event, EventStatus, ProgrammePage, parse_occurrence_key
from venues import vocabulary
from venues.models import VenuePage
from venues.selectors import venue_kind_for_content_type

#: How far back the feeds reach: last month's events stay in subscribed calendars.
PAST = timedelta(days=30)
#: Bump when the output changes for the same rows, so that clients fetch the feeds again
#: (2: time zones cover only the years the events use).
FORMAT = 2
#: Set on a feed cut at ``ESSAIM_FEED_MAX_EVENTS``: ``<events written>/<events chosen>``.
TRUNCATED_HEADER = "Essaim-Feed-Truncated"

#: The columns a feed writes, read as plain rows (no model instances: a feed of 10,000 events
#: would spend a third of its time building them); titles and summaries come out of their JSON in
#: the database, in the feed's language.
ROW_FIELDS = (
    "uid",
    "page_id",
    "origin",
    "origin_urls",
    "venue_id",
    "timezone",
    "start",
    "end",
    "rule",
    "changes",
    "online_url",
    "status",
    "cancel_reason",
    "sequence",
    "updated_at",
    "last_end",
)


@dataclass(frozen=True)
class Row:
    uid: object
    page_id: int | None
    origin: str
    origin_urls: dict
    venue_id: int
    timezone: str
    start: datetime
    end: datetime
    rule: str
    changes: dict
    online_url: str
    status: str
    cancel_reason: str
    sequence: int
    updated_at: datetime
    last_end: datetime
    title: str
    summary: str


def _in_language(field: str, language: str):
    """``field`` (a ``{language: text}`` JSON) in ``language``, else in the default language."""
    wanted = NullIf(KT(f"{field}__{language}"), Value(""))
    return Coalesce(wanted, KT(f"{field}__{settings.LANGUAGE_CODE}"), Value(""), output_field=CharField())


def feed_rows(rows: QuerySet[Event], language: str, *, limit: int | None = None) -> list[Row]:
    """The live rows of a feed, in time order, as ``Row`` values (the first ``limit`` of them)."""
    found = (
        rows.filter(live=True)
        .annotate(title_text=_in_language("titles", language), summary_text=_in_language("summaries", language))
        .order_by("start", "id")
        .values_list(*ROW_FIELDS, "title_text", "summary_text")
    )
    return [Row(*values) for values in (found[:limit] if limit is not None else found)]


VENUE_FIELDS = (
    "title",
    "content_type_id",
    "street_address",
    "postcode",
    "city",
    "country",
    "latitude",
    "longitude",
    "email",
)


def _window(filters: Filters, now: datetime) -> tuple[datetime, datetime]:
    """The whole days (in the site's zone) asked for, from 30 days ago to the horizon by default,
    bounded whichever of ``start`` and ``end`` is given (``feed_filters.LIMITS``)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    first, last = window_days(
        filters.start,
        filters.end,
        default_start=(now - PAST).astimezone(zone).date(),
        default_end=selectors.horizon(now).astimezone(zone).date(),
    )
    return datetime.combine(first, time(), zone), datetime.combine(last + timedelta(days=1), time(), zone)


# ---------------------------------------------------------------------------------------------
# Rows to FeedEvents
# ---------------------------------------------------------------------------------------------


class _Context:
    """What the rows share, loaded once per feed: venues and page URLs in the feed's language."""

    def __init__(self, rows: QuerySet[Event], language: str):
        self.language = language
        self.host = ics.node_host()
        live = rows.filter(live=True)
        self.venues = {
            venue.pk: venue for venue in VenuePage.objects.filter(pk__in=live.values("venue_id")).only(*VENUE_FIELDS)
        }
        self._venue_facts: dict[int, tuple] = {}
        self.urls = _page_urls(live.values("page_id"), language)

    def url(self, event: Row) -> str:
        """Our event's page, or a peer's event's page on its own node, in the feed's language."""
        if event.origin:
            return origins.localized_url(event.origin_urls, self.language)
        return self.urls.get(event.page_id, "")

    def venue(self, venue_id: int) -> tuple[str, str, tuple[float, float] | None, tuple[str, ...], str]:
        """Name, location line, GEO, categories and e-mail of a venue (computed once per venue)."""
        if venue_id not in self._venue_facts:
            venue = self.venues.get(venue_id)
            if venue is None:
                self._venue_facts[venue_id] = ("", "", None, (), "")
            else:
                address = ics.venue_address(venue)
                kind = dict(vocabulary.KINDS).get(venue_kind_for_content_type(venue.content_type_id), "")
                geo = (venue.latitude, venue.longitude) if venue.has_coordinates else None
                self._venue_facts[venue_id] = (
                    venue.title,
                    f"{venue.title}, {address}" if address else venue.title,
                    geo,
                    (str(kind),) if kind else (),
                    venue.email,
                )
        return self._venue_facts[venue_id]


def _page_urls(page_ids, language: str) -> dict[int, str]:
    """The public URL of each (canonical) page of ``page_ids`` (ids or a subquery) in ``language``
    (the canonical page's when it has no live translation): a query or two, no ``reverse`` per page."""
    pages = Page.objects.filter(pk__in=page_ids)
    paths = dict(pages.values_list("pk", "url_path"))
    if language != settings.LANGUAGE_CODE and paths:
        translated = dict(
            Page.objects.filter(
                translation_key__in=pages.values("translation_key"), live=True, locale__language_code=language
            ).values_list("translation_key", "url_path")
        )
        keys = dict(pages.values_list("pk", "translation_key"))
        paths = {pk: translated.get(keys[pk], path) for pk, path in paths.items()}
    urls = ics.page_urls(set(paths.values()))
    return {pk: urls[path] for pk, path in paths.items() if path in urls}


def _description(event: Row) -> str:
    lines = [event.summary]
    if event.status == EventStatus.CANCELLED and event.cancel_reason:
        lines.append(_("Cancelled: %(reason)s") % {"reason": event.cancel_reason})
    if event.online_url:
        lines.append(_("Online: %(url)s") % {"url": event.online_url})
    return "\n".join(line for line in lines if line)


def feed_events(event: Row, context: _Context) -> list[FeedEvent]:
    """One event's master ``VEVENT`` and its overrides (moved or cancelled dates)."""
    name, location, geo, categories, email = context.venue(event.venue_id)
    cancelled = event.status == EventStatus.CANCELLED
    master = FeedEvent(
        # A peer's event keeps its owner's UID: a calendar that subscribes to both nodes shows it once.
        uid=f"{event.uid}@{urlsplit(event.origin).hostname if event.origin else context.host}",
        sequence=event.sequence,
        summary=event.title,
        start=event.start,
        end=event.end,
        tz=event.timezone,
        stamp=event.updated_at,
        description=_description(event),
        location=location,
        url=context.url(event),
        status="CANCELLED" if cancelled else "CONFIRMED",
        rule=event.rule,
        categories=categories,
        geo=geo,
        organizer=name,
        organizer_email=email,
    )
    duration = event.end - event.start
    changes = []
    for key, change in sorted((event.changes or {}).items()):
        original = parse_occurrence_key(key)
        if original is None:
            continue
        if change.get("cancelled"):
            start, end, status = original, original + duration, "CANCELLED"
        else:
            start = datetime.fromisoformat(change["start"]) if change.get("start") else original
            end = datetime.fromisoformat(change["end"]) if change.get("end") else start + duration
            status = master.status
        changes.append((original, start, end, status))
    if not event.rule:
        # A one-off event whose only date changed: the master itself says so (readers ignore a
        # RECURRENCE-ID override of an event that does not repeat).
        for original, start, end, status in changes:
            if original == event.start:
                master = replace(master, start=start, end=end, status=status)
        return [master]
    return [master] + [
        replace(master, start=start, end=end, status=status, recurrence_id=original, rule="")
        for original, start, end, status in changes
    ]


# ---------------------------------------------------------------------------------------------
# Serving
# ---------------------------------------------------------------------------------------------


def _version_of(rows: QuerySet[Event], *parts) -> tuple[str, datetime | None, int]:
    """The feed's version key, Last-Modified and number of live rows, from one aggregate over its
    rows (live or not: an event that left the feed changed it too) and the ids of the live ones.

    The key names the rows themselves, not the window that chose them: ``?end=2027-05-01`` and
    ``?end=2027-05-02`` that choose the same events share one rendering, so a new parameter value
    costs these two queries, not a calendar."""
    live_ids = rows.filter(live=True).order_by("pk").values_list("pk", flat=True)
    ids = hashlib.sha256(",".join(map(str, live_ids)).encode())
    found = rows.aggregate(
        count=Count("pk", filter=Q(live=True)),
        changed=Max("updated_at"),
        sequence=Max("sequence", filter=Q(live=True)),
        venues=Max("venue__last_published_at", filter=Q(live=True)),
    )
    changed = max((value for value in (found["changed"], found["venues"]) if value is not None), default=None)
    inputs = (
        FORMAT,
        settings.ESSAIM_NODE_URL,
        ical_writer.PRODID,
        found["count"],
        found["changed"],
        found["sequence"],
        found["venues"],
        ids.hexdigest(),
        settings.ESSAIM_FEED_MAX_EVENTS,
        parts,
    )
    return hashlib.sha256(repr(inputs).encode()).hexdigest()[:40], changed, found["count"]


def _serve(
    request, *, rows: QuerySet[Event], window: tuple[datetime, datetime] | None, language: str, name, filename, parts
) -> HttpResponse:
    """Answer with the calendar of the live ``rows`` (within ``window`` if given): 304 when the
    client holds this version, the cached bytes when another client asked first, else render."""
    now = timezone.now()
    if window is not None:
        rows = rows.filter(start__lt=window[1], last_end__gt=window[0])
    with translation.override(language):
        wording = (
            str(name),
            _("Online: %(url)s"),
            _("Cancelled: %(reason)s"),
            tuple(map(str, dict(vocabulary.KINDS).values())),
        )
    version, changed, count = _version_of(rows, language, wording, parts)
    cap = settings.ESSAIM_FEED_MAX_EVENTS
    truncated = count > cap

    def render() -> bytes:
        events = feed_rows(rows, language, limit=cap)
        # Cut: venues and page URLs of the events written only, not of every event chosen.
        written = Event.objects.filter(uid__in=[event.uid for event in events]) if truncated else rows
        with translation.override(language):
            context = _Context(written, language)
            feed = [entry for event in events for entry in feed_events(event, context)]
            description = (
                _("Only the first %(shown)s of %(count)s events: narrow the feed with start, end or a filter.")
                % {"shown": cap, "count": count}
                if truncated
                else ""
            )
        # Zones cover the years the feed's times use: each written time, and a repeating
        # event's every year up to its last end (its rule is bounded there).
        years = ical_zones.years_of(
            (moment for entry in feed for moment in (entry.start, entry.end)),
            ((event.start, event.last_end) for event in events if event.rule),
        )
        return ical_writer.calendar(feed, name=str(name), years=years, description=description).encode("utf-8")

    response = booking_feeds.calendar_response(
        request,
        version=version,
        render=render,
        last_modified=changed or datetime.combine(now.date(), time(), ZoneInfo("UTC")),
        filename=filename,
        private=False,
    )
    if truncated:
        response[TRUNCATED_HEADER] = f"{cap}/{count}"
    return response


def _bad_request(error: BadRequest) -> HttpResponse:
    return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")


@require_safe
def events_feed(request) -> HttpResponse:
    """``/feeds/events.ics``: every live event, with the agenda's filters (``venue``, ``kind``,
    ``city``, ``programme``, ``start``/``end`` dates, ``price=free|paid``) and ``lang``."""
    now = timezone.now()
    try:
        language = parse_language(request.GET)
        with translation.override(language):  # the reason in the language asked for
            filters = parse_filters(request.GET)
            window = _window(filters, now)
    except BadRequest as error:
        return _bad_request(error)
    with translation.override(language):
        name = _("Events — %(node)s") % {"node": settings.ESSAIM_NODE_NAME}
    return _serve(
        request,
        rows=selectors.events_narrowed(Event.objects.all(), filters),
        window=window,
        language=language,
        name=name,
        filename="events.ics",
        parts=("events", filters.key()),
    )


@require_safe
def venue_feed(request, slug: str) -> HttpResponse:
    """``/feeds/venues/<slug>.ics``: a venue's events (the slug of any of its translations)."""
    try:
        language = parse_language(request.GET)
    except BadRequest as error:
        return _bad_request(error)
    venue_id = selectors.canonical_page_id(VenuePage, slug, by_id=False)
    venue = VenuePage.objects.live().filter(pk=venue_id).only("title").first() if venue_id else None
    if venue is None:
        raise Http404
    now = timezone.now()
    return _serve(
        request,
        rows=Event.objects.filter(venue_id=venue.pk),
        window=(now - PAST, selectors.horizon(now)),
        language=language,
        name=venue.title,
        filename=f"{slug}.ics",
        parts=("venue", venue.pk),
    )


@require_safe
def programme_feed(request, slug: str) -> HttpResponse:
    """``/feeds/programmes/<slug>.ics``: every session of a programme, each at its own venue."""
    try:
        language = parse_language(request.GET)
    except BadRequest as error:
        return _bad_request(error)
    programme_id = selectors.canonical_page_id(ProgrammePage, slug, by_id=False)
    programme = ProgrammePage.objects.live().filter(pk=programme_id).first() if programme_id else None
    if programme is None:
        raise Http404
    translated = (
        Page.objects.filter(translation_key=programme.translation_key, locale__language_code=language, live=True)
        .values_list("title", flat=True)
        .first()
    )
    return _serve(
        request,
        rows=Event.objects.filter(programme_id=programme.pk),
        window=None,
        language=language,
        name=translated or programme.title,
        filename=f"{slug}.ics",
        parts=("programme", programme.pk),
    )
