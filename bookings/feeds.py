"""iCalendar feeds: a person's bookings and a venue team's (private, behind a secret URL), a resource's
busy time as events and as free/busy (public).

A feed is a handful of queries turned into plain rows, then into bytes by ``bookings.ics``. The
bytes are a pure function of the rows, the language's wording and the writer's format, so a hash
of those inputs is a strong ETag, the same in every web process, and known before any iCalendar
is rendered: a poll that changed nothing costs the queries only (a 304 through Django's own
conditional logic, ``get_conditional_response``, as the open data files use), and a calendar
that several clients poll is rendered once and then served from the cache under that key.
"""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from wagtail.models import Page

from bookings import availability as av
from bookings import ics, remote, selectors
from bookings.admin.common import booker_label, booking_detail_url
from bookings.models import Resource, ResourceKind
from core import identity
from core.ical_writer import FreeBusy, merged_periods

#: How far back a person's feed reaches; cancelled bookings in that range stay, marked CANCELLED.
PERSON_PAST = timedelta(days=90)
#: How far back a resource's feed reaches; it runs forward to the resource's booking horizon.
RESOURCE_PAST = timedelta(days=30)
#: Calendars poll on their own schedule; a short max-age spares a burst of identical requests.
MAX_AGE = 300
#: How long a rendered calendar stays in the cache under its version key.
CACHE_SECONDS = 6 * 3600
CONTENT_TYPE = "text/calendar; charset=utf-8"
#: Bump when the builders' output changes for the same rows, so that clients fetch it again
#: (3: written by ``core.ical_writer`` instead of icalendar).
FORMAT = 3


def _language(code: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return code if code in codes else settings.LANGUAGE_CODE


def _version(*parts) -> str:
    """A hash of everything a calendar's bytes depend on (call it in the calendar's language)."""
    inputs = (FORMAT, settings.ESSAIM_NODE_URL, timezone.now().year, ics.wording_key(), parts)
    return hashlib.sha256(repr(inputs).encode()).hexdigest()[:40]


def calendar_response(
    request, *, version: str, render: Callable[[], bytes], last_modified: datetime, filename: str, private: bool
) -> HttpResponse:
    """The conditional answer every feed gives (the events feeds too): a 304 when the client holds
    ``version``, else the bytes cached under it, rendered on the first request."""
    etag = quote_etag(version)
    # HTTP dates have whole seconds: a fractional timestamp would never compare equal to
    # If-Modified-Since, and the client would never get its 304.
    modified = int(last_modified.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        key = f"bookings:ics:{version}"
        body = cache.get(key)
        if body is None:
            body = render()
            cache.set(key, body, CACHE_SECONDS)
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    if private:
        patch_cache_control(response, private=True, max_age=MAX_AGE)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
    else:
        patch_cache_control(response, public=True, max_age=MAX_AGE)
        response["Access-Control-Allow-Origin"] = "*"
    return response


def _venue_changed(venue) -> datetime | None:
    return venue.last_published_at or venue.latest_revision_created_at


def _registered_events(bookings, language: str) -> dict[int, tuple[str, str | None, datetime]]:
    """For each event-seats resource booked (a registration): the event's title in ``language``,
    its page's URL in that language (the canonical page's without a translation) and when it last
    changed, in two queries. The event is read through the seats' reverse one-to-one
    (``Resource.event``), so the booking engine needs no import of the events app."""
    seat_ids = {booking.resource_id for booking in bookings if booking.resource.kind == ResourceKind.EVENT_SEATS}
    if not seat_ids:
        return {}
    resources = [
        resource
        for resource in Resource.objects.filter(pk__in=seat_ids).select_related("event__page")
        if getattr(resource, "event", None) is not None
    ]
    keys = {resource.event.page.translation_key for resource in resources}
    paths = dict(
        Page.objects.filter(translation_key__in=keys, locale__language_code=language, live=True).values_list(
            "translation_key", "url_path"
        )
    )
    urls = ics.page_urls({*paths.values(), *(resource.event.page.url_path for resource in resources)})
    found = {}
    for resource in resources:
        event = resource.event
        path = paths.get(event.page.translation_key, event.page.url_path)
        found[resource.pk] = (event.title(language), urls.get(path), event.updated_at)
    return found


@require_safe
def person_feed(request, secret: str) -> HttpResponse:
    """``/feeds/me/<secret>.ics``: the person's bookings from 90 days ago on, in ``?lang=``, else the
    language they chose, else the one they last booked in; an unknown (or regenerated) secret is a 404."""
    feed = selectors.calendar_feed_get(secret=secret)
    if feed is None:
        raise Http404
    now = timezone.now()
    bookings = selectors.bookings_for_person_feed(user_id=feed.user_id, since=now - PERSON_PAST)
    latest = max(bookings, key=lambda booking: booking.created_at, default=None)
    asked = request.GET.get("lang")
    if asked not in dict(settings.LANGUAGES):
        asked = identity.preferred_language(feed.user)
    language = _language(asked or (latest.language if latest else None))
    events = _registered_events(bookings, language)
    with translation.override(language):
        links = ics.Links()
        entries = []
        for booking in bookings:
            title, url, _changed = events.get(booking.resource_id, ("", None, None))
            entries.append(
                ics.booking_entry(
                    booking,
                    url=url or links.booking(booking),
                    address=links.address(booking.resource.venue),
                    title=title,
                )
            )
        elsewhere = remote.feed_entries(user_id=feed.user_id, since=now - PERSON_PAST)  # on other nodes
        entries += elsewhere
        name = _("My bookings (%(node)s)") % {"node": settings.ESSAIM_NODE_NAME}
        version = _version("person", name, entries)

    def render() -> bytes:
        with translation.override(language):
            return ics.person_calendar(entries, name=name)

    changes = [feed.created_at, *(changed for _title, _url, changed in events.values())]
    changes += [entry.last_modified for entry in elsewhere]
    for booking in bookings:
        changes += [booking.updated_at, booking.resource.updated_at, _venue_changed(booking.resource.venue)]
    return calendar_response(
        request,
        version=version,
        render=render,
        last_modified=max(change for change in changes if change is not None),
        filename="bookings.ics",
        private=True,
    )


@require_safe
def resource_feed(request, pk: int) -> HttpResponse:
    """``/feeds/resources/<id>.ics``: when the resource is taken, from 30 days ago to its booking
    horizon, saying "Booked" or "Held" and nothing about who. ``?lang=en`` picks the language."""
    resource = selectors.resource_for_feed(pk=pk)
    if resource is None:
        raise Http404
    now = timezone.now()
    window = av.Interval(now - RESOURCE_PAST, now + timedelta(days=resource.horizon_days))
    venue = resource.venue
    bookings = list(selectors.resource_busy_bookings(resource=resource, window=window, now=now))
    blocks = list(selectors.resource_busy_blocks(resource=resource, window=window))
    changes = [resource.updated_at, _venue_changed(venue), *(booking.updated_at for booking in bookings)]
    last_modified = max(change for change in changes if change is not None)
    language = _language(request.GET.get("lang"))
    with translation.override(language):
        entries = [ics.busy_entry_for_booking(booking) for booking in bookings]
        entries += [ics.busy_entry_for_block(block, stamp=last_modified) for block in blocks]
        entries.sort(key=lambda entry: (entry.start, entry.uid))
        calendar = {
            "name": f"{resource.name} — {venue.title}",
            "tzid": venue.timezone,
            "location": f"{resource.name}, {venue.title}, {ics.venue_address(venue)}",
            "url": ics.Links().venue(venue),
        }
        version = _version("resource", calendar, entries)

    def render() -> bytes:
        with translation.override(language):
            return ics.resource_calendar(entries, **calendar)

    if blocks:
        # Busy blocks record no time of change: only the ETag can tell whether they did.
        last_modified = now
    return calendar_response(
        request,
        version=version,
        render=render,
        last_modified=last_modified,
        filename=f"resource-{resource.pk}.ics",
        private=False,
    )


def _whole_days(start: datetime, end: datetime) -> av.Interval:
    """``start``–``end`` widened to whole UTC days: a free/busy calendar states its window
    (``DTSTART``/``DTEND``), and a window that moved with the clock would change the calendar,
    and its ETag, on every poll."""
    first = start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    last = end.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return av.Interval(first, last)


@require_safe
def resource_freebusy_feed(request, pk: int) -> HttpResponse:
    """``/feeds/resources/<id>/freebusy.ics``: the resource feed's window and busy time as one
    ``VFREEBUSY`` (RFC 5545 3.6.4): periods in UTC, ``BUSY`` or ``BUSY-TENTATIVE`` (a hold
    awaiting payment, a request awaiting approval), merged; no titles, nothing about who."""
    resource = selectors.resource_for_feed(pk=pk)
    if resource is None:
        raise Http404
    now = timezone.now()
    window = _whole_days(now - RESOURCE_PAST, now + timedelta(days=resource.horizon_days))
    venue = resource.venue
    bookings = list(selectors.resource_standing_bookings(resource=resource, window=window, now=now))
    blocks = list(selectors.resource_busy_blocks(resource=resource, window=window))
    changes = [
        resource.updated_at,
        _venue_changed(venue),
        selectors.resource_bookings_changed(resource=resource, window=window),
        *(block.updated_at for block in blocks),
    ]
    last_modified = max(change for change in changes if change is not None)
    with translation.override(_language(request.GET.get("lang"))):
        url = ics.named_url("bookings:resource", pk=resource.pk) or ics.Links().venue(venue)
    periods = ics.busy_periods(bookings, blocks, capacity=resource.capacity)
    freebusy = FreeBusy(
        uid=ics.freebusy_uid(resource.pk),
        stamp=last_modified,
        start=window.start,
        end=window.end,
        periods=tuple(merged_periods(periods, within=(window.start, window.end))),
        url=url,
    )
    name = f"{resource.name} — {venue.title}"
    version = _version("freebusy", name, freebusy)
    return calendar_response(
        request,
        version=version,
        render=lambda: ics.resource_freebusy(freebusy, name=name),
        last_modified=last_modified,
        filename=f"resource-{resource.pk}-freebusy.ics",
        private=False,
    )


def _booker(user) -> tuple[str, str]:
    """Who booked, as a name (a calendar's summary) and as the admin shows them (with the e-mail,
    or the node a person from another node came through)."""
    label = remote.booker_label(user)
    if label:
        return label, label
    return user.get_full_name().strip() or user.email or user.get_username(), booker_label(user)


@require_safe
def venue_team_feed(request, secret: str) -> HttpResponse:
    """``/feeds/venues/team/<secret>.ics``: every booking of the venue's resources from 30 days ago to
    the longest booking horizon, with who booked, its status and quantity and a link to it in the
    admin; holds and requests awaiting approval are tentative. Private: an unknown (or renewed)
    secret is a 404. ``?lang=en`` picks the language."""
    feed = selectors.venue_feed_get(secret=secret)
    if feed is None:
        raise Http404
    venue = feed.venue
    now = timezone.now()
    days = selectors.venue_feed_window_days(venue=venue)
    window = av.Interval(now - RESOURCE_PAST, now + timedelta(days=days))
    bookings = selectors.bookings_for_venue_feed(venue=venue, window=window, now=now)
    language = _language(request.GET.get("lang"))
    with translation.override(language):
        events = []
        for booking in bookings:
            name, label = _booker(booking.user)
            url = ics.site_url(booking_detail_url(booking))
            entry = ics.team_entry(booking, tzid=venue.timezone, booker_name=name, booker=label, url=url)
            events.append(ics.team_event(entry))
        name = _("%(venue)s — team bookings") % {"venue": venue.title}
        version = _version("venue-team", venue.pk, venue.timezone, name, events)
    changes = [
        feed.created_at,
        _venue_changed(venue),
        selectors.venue_bookings_changed(venue=venue, window=window),
    ]
    return calendar_response(
        request,
        version=version,
        render=lambda: ics.team_calendar(events, name=name, tzid=venue.timezone),
        last_modified=max(change for change in changes if change is not None),
        filename="team-bookings.ics",
        private=True,
    )
