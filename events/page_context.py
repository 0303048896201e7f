"""What the event and programme pages (served by Wagtail), a venue's page and the booking pages
show of the events app: dates with seats left and the visitor's place, JSON-LD, the waitlist.

Built once per request from ``events_tags`` (event and programme pages) and ``events.sections``
(the venue page, a booking's page, "My bookings"), so the pages' models stay free of queries.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from wagtail.models import Locale

from core import recurrence as rec
from events import presentation, selectors, structured_data
from events.forms_public import RegistrationForm
from events.models import Event, RegistrationMode, WaitlistEntry, WaitlistStatus, parse_occurrence_key
from venues.models import VenuePage
from venues.selectors import venues_localized

#: How many dates an event page lists (a weekly event: three months ahead).
UPCOMING_LIMIT = 12
#: The home page looks for its next dates over the agenda's first month before going further.
AGENDA_DAYS = 31


def _language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE)[:2]


def _canonical(page):
    default = Locale.get_default()
    if page.locale_id == default.pk:
        return page
    return page.get_translation_or_none(default) or page


def _user_rows(request, event_rows, now: datetime) -> None:
    """Attach the visitor's registration, waitlist place and whether registration is open to each row."""
    events = list({row.event.pk: row.event for row in event_rows}.values())
    registrations = selectors.registrations_of_user(user=request.user, events=events, now=now)
    entries = selectors.waitlist_of_user(user=request.user, events=events)
    for row in event_rows:
        recurrence_id = row.occurrence.recurrence_id.astimezone(UTC)
        entry = entries.get((row.event.pk, recurrence_id))
        closes = row.occurrence.start - timedelta(hours=row.event.registration_closes_hours)
        row.extra = {
            "registration": registrations.get((row.event.pk, recurrence_id)),
            "entry": entry,
            "position": selectors.waitlist_position(entry)
            if entry is not None and entry.status == WaitlistStatus.WAITING
            else None,
            "closed": now >= closes,
        }


def event_page_context(request, page) -> dict:
    """An event page's dates (each with seats left and the visitor's place), the form, JSON-LD."""
    event = selectors.event_for_page(page)
    if event is None or not event.live:
        return {"event": None, "body_shown": _body_beyond_summary(page)}
    now = timezone.now()
    language = _language()
    upcoming = selectors.upcoming(event, now=now, limit=UPCOMING_LIMIT)
    wanted = parse_occurrence_key(request.GET.get("date", ""))
    if wanted is not None and not any(o.recurrence_id.astimezone(UTC) == wanted for o in upcoming):
        extra = selectors.occurrence_get(event, wanted, now=now)
        if extra is not None and extra.end > now:
            upcoming = sorted([*upcoming, extra], key=lambda o: o.start)
    rows = presentation.rows_for([(event, o) for o in upcoming], request=request, language=language, now=now)
    _user_rows(request, rows, now)
    _waitlist_focus(request, rows)
    chosen = next((row for row in rows if wanted and row.occurrence.recurrence_id.astimezone(UTC) == wanted), None)
    chosen = chosen or next((row for row in rows if not row.cancelled), rows[0] if rows else None)
    open_rows = [row for row in rows if not row.cancelled and not row.extra["closed"]]
    venue = rows[0].venue if rows else _localized_venue(event, language)
    venue_url = request.build_absolute_uri(venue.get_url(request) or "/")
    page_url = request.build_absolute_uri(page.get_url(request) or "/")
    data = structured_data.event_data(
        event,
        chosen.occurrence if chosen else None,
        name=page.title,
        description=page.summary or structured_data.plain(page.body)[:500],
        page_url=page_url,
        venue=venue,
        venue_url=venue_url,
        remaining=chosen.remaining if chosen else 0,
        image_url=structured_data.image_url(request, page.image),
        language=language,
    )
    schedule = structured_data.schedule_data(event)
    if schedule:
        data["eventSchedule"] = schedule
    quantity = request.GET.get("quantity", "")
    return {
        "event": event,
        "body_shown": _body_beyond_summary(page),
        "rows": rows,
        "chosen": chosen,
        "open_rows": open_rows,
        "venue": venue,
        "facts": event.venue,
        "price": presentation.price_label(event, language),
        "zone": presentation.zone_shown(event.timezone),
        "form": RegistrationForm(
            initial={"date": chosen.key if chosen else "", "quantity": quantity if quantity.isdigit() else 1}
        ),
        "venue_feed_url": presentation.venue_feed_url(request, event.venue.slug),
        "jsonld": structured_data.json_for_script(data),
        "next_url": _without_waitlist(request),
    }


def _body_beyond_summary(page) -> bool:
    """Whether the body says more than the summary the header already prints (many bodies, the
    demo's among them, only repeat it)."""
    body = structured_data.plain(page.body)
    return bool(body) and body != structured_data.plain(page.summary)


def _waitlist_focus(request, rows) -> None:
    """``?waitlist=<key>`` (a click on "join the waitlist" kept across a log-in, or the join just
    made) puts that date's waitlist block in focus: the position when the visitor is on the list,
    else a form to confirm joining (a POST: nothing is joined by following a link)."""
    key = request.GET.get("waitlist", "") if request.user.is_authenticated else ""
    for row in rows:
        mine = row.extra
        focused = bool(key) and row.key == key and not row.cancelled
        mine["waitlist_focus"] = focused and bool(mine["entry"] or not (mine["registration"] or mine["closed"]))
        mine["waitlist_confirm"] = mine["waitlist_focus"] and mine["entry"] is None and row.full


def _without_waitlist(request) -> str:
    """This page's address for the forms' ``next``, without the waitlist focus (after leaving the
    list, the page must not ask to join again)."""
    query = request.GET.copy()
    query.pop("waitlist", None)
    return request.path + (f"?{query.urlencode()}" if query else "")


def _localized_venue(event: Event, language: str):
    return venues_localized([event.venue], language)[0]


def programme_page_context(request, page) -> dict:
    """A programme's sessions by day (each at its own venue, in its zone), the buttons, JSON-LD."""
    now = timezone.now()
    language = _language()
    canonical = _canonical(page)
    mode = getattr(canonical.specific, "registration_mode", RegistrationMode.EITHER)
    sessions = list(selectors.programme_sessions(page))
    pairs = []
    for event in sessions:
        tz = ZoneInfo(event.timezone)
        start, end = event.start.astimezone(tz), event.end.astimezone(tz)
        pairs.append((event, rec.Occurrence(recurrence_id=start, start=start, end=end)))
    rows = presentation.rows_for(pairs, request=request, language=language, now=now)
    _user_rows(request, rows, now)
    for row in rows:
        row.extra["past"] = row.occurrence.start <= now
        row.extra["language_name"] = dict(settings.LANGUAGES).get(row.event.language, row.event.language)
    page_url = request.build_absolute_uri(page.get_url(request) or "/")
    hub = _hub(page, language)
    hub_url = request.build_absolute_uri(hub.get_url(request) or "/") if hub else page_url
    sub_events = []
    for row in rows:
        venue_url = request.build_absolute_uri(row.venue.get_url(request) or "/")
        sub_events.append(
            structured_data.event_data(
                row.event,
                row.occurrence,
                name=row.title,
                description=row.event.summary(language),
                page_url=f"{page_url}#session-{row.event.pk}",
                venue=row.venue,
                venue_url=venue_url,
                remaining=row.remaining,
                language=language,
            )
        )
    for item in sub_events:
        item.pop("@context", None)
    series = {
        "@context": "https://schema.org",
        "@type": "EventSeries",
        "name": page.title,
        "description": page.summary or structured_data.plain(page.intro)[:500] or None,
        "url": page_url,
        "image": structured_data.image_url(request, page.image) or None,
        "organizer": {"@type": "Organization", "name": hub.title if hub else page.title, "url": hub_url},
        "startDate": sub_events[0]["startDate"] if sub_events else None,
        "endDate": sub_events[-1]["endDate"] if sub_events else None,
        "subEvent": sub_events,
    }
    series = {k: v for k, v in series.items() if v is not None}
    upcoming = [row for row in rows if not row.extra["past"] and not row.cancelled]
    registered = [row for row in rows if row.extra.get("registration")]
    return {
        "rows": rows,
        "days": presentation.by_day(rows),
        "hub": hub,
        "sessions_allowed": mode in (RegistrationMode.SESSIONS, RegistrationMode.EITHER),
        "whole_allowed": mode in (RegistrationMode.WHOLE, RegistrationMode.EITHER) and bool(upcoming),
        "whole_only": mode == RegistrationMode.WHOLE,
        "all_registered": bool(upcoming) and len([r for r in upcoming if r.extra.get("registration")]) == len(upcoming),
        "registered_count": len(registered),
        "programme_pk": canonical.pk,
        "feed_url": presentation.programme_feed_url(request, canonical.slug),
        "jsonld": structured_data.json_for_script(series),
        "next_url": request.get_full_path(),
    }


def _hub(page, language: str):
    parent = page.get_parent()
    hub = VenuePage.objects.filter(pk=parent.pk).first() if parent else None
    return venues_localized([hub], language)[0] if hub else None


def venue_events(request, venue, *, limit: int = 5) -> dict:
    """The venue page's next dates (its own events and programme sessions held there)."""
    now = timezone.now()
    language = _language()
    canonical = _canonical(venue)
    events = selectors.events_live().filter(venue=canonical, last_end__gt=now).select_related("page")
    pairs = []
    for event in events:
        pairs += [(event, o) for o in selectors.upcoming(event, now=now, limit=limit)]
    pairs.sort(key=lambda pair: pair[1].start.astimezone(UTC))
    rows = presentation.rows_for(pairs[:limit], request=request, language=language, now=now)
    feed_url = presentation.venue_feed_url(request, canonical.slug)
    return {"rows": rows, "feed_url": feed_url, "webcal_url": presentation.webcal(feed_url), "venue": canonical}


def network_events(request, *, limit: int = 6) -> list[presentation.Row]:
    """The network's next ``limit`` dates (not cancelled), as the agenda lists them, for the home
    page: the agenda's own selectors, over its first month, then up to the horizon if that is short."""
    now = timezone.now()
    language = _language()
    pairs = []
    for end in (now + timedelta(days=AGENDA_DAYS), selectors.horizon(now)):
        events = selectors.agenda_events(filters=selectors.AgendaFilters(), start=now, end=end)
        pairs = [
            (event, occurrence)
            for event, occurrence in selectors.agenda_rows(events, starts_after=None, ends_before=end, now=now)
            if not selectors.is_cancelled(event, occurrence)
        ]
        if len(pairs) >= limit:
            break
    return presentation.rows_for(pairs[:limit], request=request, language=language, now=now)


def my_waitlist(request) -> list[dict]:
    """The visitor's open waitlist places (waiting, or a seat held for them), for "My bookings"."""
    if not request.user.is_authenticated:
        return []
    language = _language()
    entries = list(selectors.waitlist_for_user_positioned(user=request.user))
    events = list({entry.event.pk: entry.event for entry in entries}.values())
    urls = presentation.page_urls(events, request, language) if events else {}
    items = []
    for entry in entries:
        event = entry.event
        tz = ZoneInfo(event.timezone)
        start = entry.recurrence_id.astimezone(tz)
        if (
            entry.status == WaitlistStatus.OFFERED
            and entry.offer_expires_at
            and entry.offer_expires_at <= timezone.now()
        ):
            continue
        items.append(
            {
                "entry": entry,
                "title": event.title(language),
                "when": f"{presentation.day_label(start)}, {presentation.time_label(start)}",
                "zone": event.timezone if presentation.zone_shown(event.timezone) else "",
                "venue": event.venue.title,
                "url": urls.get(event.pk, ""),
                "position": entry.position if entry.status == WaitlistStatus.WAITING else None,
                "offered": entry.status == WaitlistStatus.OFFERED,
                "until": entry.offer_expires_at.astimezone(tz) if entry.offer_expires_at else None,
                "tzname": event.timezone,
            }
        )
    return items


def offer_for_booking(booking) -> dict | None:
    """A seat held for the visitor from the waitlist, on its booking's page."""
    entry = WaitlistEntry.objects.filter(offer=booking, status=WaitlistStatus.OFFERED).select_related("event").first()
    if entry is None or entry.offer_expires_at is None or entry.offer_expires_at <= timezone.now():
        return None
    tz = ZoneInfo(entry.event.timezone)
    return {"entry": entry, "until": entry.offer_expires_at.astimezone(tz), "tzname": entry.event.timezone}
