"""Publishing a page's schedule: ``Event`` rows and their seats, and registrations that follow.

``event_sync`` turns a published page (an event, or a programme's sessions) into ``Event`` rows
and their seats in the booking engine, bumps ``sequence`` when something visible changed, and
makes registrations follow: a cancelled event or date cancels and refunds its bookings and says
why; a moved date moves them; seats added go to the people waiting.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from bookings import services as booking_services
from bookings.models import PricingUnit, Resource, ResourceKind
from core import money
from core.deferred import after_commit
from core.locking import lock_objects
from core.signals import rows_changed
from events import selectors, tasks
from events.models import Event, EventPage, EventStatus, ProgrammePage, ProgrammeSession, WaitlistStatus
from events.services.common import canonical, now_or, texts
from events.services.schedule import _schedule_of
from events.services.waitlist import waitlist_close


def _fingerprint(values: dict) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


VISIBLE = (
    "titles",
    "summaries",
    "start",
    "end",
    "rule",
    "changes",
    "venue_id",
    "attendance_mode",
    "online_url",
    "status",
    "cancel_reason",
    "price_minor",
    "currency",
    "capacity",
)


def _write_event(*, lookup: dict, values: dict, now: datetime) -> tuple[Event, dict | None]:
    """Create or update one schedule row; returns it and its previous visible values (None if new)."""
    found = Event.objects.filter(**lookup).values_list("pk", "seats_id").first()
    previous = None
    if found is None:
        event = Event(**lookup)
    else:
        # Its seats, then the event (the global order), so a registration counting the seats waits.
        pk, seats_id = found
        locked = lock_objects([Resource(pk=seats_id) if seats_id else None, Event(pk=pk)])
        event = locked[(Event, pk)]
        previous = {name: getattr(event, name) for name in VISIBLE}
    for name, value in values.items():
        setattr(event, name, value)
    fingerprint = _fingerprint({name: getattr(event, name) for name in VISIBLE})
    if previous is not None and fingerprint != event.fingerprint:
        event.sequence += 1
    event.fingerprint = fingerprint
    _seats_sync(event)
    event.save()
    return event, previous


def _seats_sync(event: Event) -> None:
    """The event's seats in the booking engine: one pooled resource, capacity and price of the event."""
    seats = event.seats or Resource(venue=event.venue, kind=ResourceKind.EVENT_SEATS, pricing_unit=PricingUnit.BOOKING)
    seats.venue = event.venue
    seats.name = (event.titles.get(settings.LANGUAGE_CODE) or next(iter(event.titles.values()), ""))[:120]
    seats.capacity = event.capacity
    seats.price_minor = event.price_minor
    seats.currency = event.currency
    seats.pricing_unit = PricingUnit.BOOKING
    seats.horizon_days = 730
    seats.max_minutes = max(seats.min_minutes, int((event.end - event.start).total_seconds() // 60) or 30)
    seats.is_active = event.live and event.status == EventStatus.SCHEDULED
    seats.save()
    event.seats = seats


def _common(item, *, venue, now: datetime) -> dict:
    currency = item.currency.upper()
    return {
        "venue": venue,
        "timezone": venue.timezone,
        "capacity": item.capacity,
        "price_minor": money.to_minor(item.price, currency),
        "currency": currency,
        "registration_closes_hours": item.registration_closes_hours,
        "attendance_mode": item.attendance_mode,
        "online_url": item.online_url,
        "status": EventStatus.CANCELLED if item.cancelled else EventStatus.SCHEDULED,
        "cancel_reason": item.cancel_reason if item.cancelled else "",
    }


@transaction.atomic
def event_sync(*, page: Page, actor=None, now: datetime | None = None) -> list[Event]:
    """Publish a page's schedule (called when any translation of an event or programme page is
    published): write its ``Event`` rows and seats, then bring registrations in line."""
    now = now_or(now)
    source = canonical(page).specific
    live = source.live
    if isinstance(source, EventPage):
        venue = canonical(source.get_parent()).specific
        tz = ZoneInfo(venue.timezone)
        values = _common(source, venue=venue, now=now)
        values.update(_schedule_of(source, tz, source.rule, source.date_changes.all(), now))
        values.update(
            titles=texts(source, lambda p: p.title),
            summaries=texts(source, lambda p: p.summary),
            live=live,
            language="",
        )
        event, previous = _write_event(lookup={"page": source, "session_key": None}, values=values, now=now)
        _follow(event, previous, actor=actor, now=now)
        return [event]
    if isinstance(source, ProgrammePage):
        return _programme_sync(source, actor=actor, now=now)
    return []


def _session_texts(programme: ProgrammePage, session: ProgrammeSession, field: str) -> dict[str, str]:
    """A session's title (or description) in every live translation of its programme: its
    translations share its ``translation_key`` (wagtail-localize writes them so)."""
    found = {}
    translations = session.get_translations(inclusive=True).select_related("page", "locale").order_by("page_id")
    for match in translations:
        if match.page.translation_key != programme.translation_key:
            continue
        if not (match.page.live or match.page_id == programme.pk):
            continue
        value = getattr(match, field, "")
        if value:
            found[match.locale.language_code[:2]] = value
    return found


def _programme_sync(programme: ProgrammePage, *, actor, now: datetime) -> list[Event]:
    events = []
    keys = []
    for session in programme.sessions.all().select_related("venue"):
        venue = canonical(session.venue).specific
        values = _common(session, venue=venue, now=now)
        values.update(_schedule_of(session, ZoneInfo(venue.timezone), "", [], now))
        values.update(
            programme=programme,
            titles=_session_texts(programme, session, "title"),
            summaries=_session_texts(programme, session, "description"),
            live=programme.live,
            language=session.language,
        )
        event, previous = _write_event(
            lookup={"page": programme, "session_key": session.translation_key}, values=values, now=now
        )
        _follow(event, previous, actor=actor, now=now)
        events.append(event)
        keys.append(session.translation_key)
    # A session taken out of the programme is cancelled, not deleted: its registrants are told.
    for gone in Event.objects.filter(page=programme).exclude(session_key__in=keys).exclude(session_key__isnull=True):
        previous = {name: getattr(gone, name) for name in VISIBLE}
        if gone.status != EventStatus.CANCELLED or gone.live:
            gone.status = EventStatus.CANCELLED
            gone.cancel_reason = gone.cancel_reason or str(_("This session was taken out of the programme."))
            gone.live = False
            gone.sequence += 1
            _seats_sync(gone)
            gone.save()
            _follow(gone, previous, actor=actor, now=now)
    return events


def event_unpublish(*, page: Page, now: datetime | None = None) -> int:
    """The page left the site: its events leave the agenda and feeds (registrations stand; cancelling is explicit)."""
    source = canonical(page)
    if Page.objects.filter(translation_key=source.translation_key, live=True).exists():
        return 0  # another translation is still published
    count = 0
    for event in Event.objects.filter(page=source).select_related("seats"):
        event.live = False
        event.sequence += 1
        event.save(update_fields=["live", "sequence", "updated_at"])
        if event.seats:
            Resource.objects.filter(pk=event.seats_id).update(is_active=False)
            rows_changed.send(sender=Resource, pks=[event.seats_id])
        count += 1
    return count


def _follow(event: Event, previous: dict | None, *, actor, now: datetime) -> None:
    """Make registrations follow the schedule: cancel (and refund) those whose date is gone or
    cancelled, move those whose date moved, close the waitlists of dates that are gone."""
    if previous is None:
        return
    standing = list(selectors.registrations_standing(event).filter(booking__end__gt=now))
    if not standing and not event.waitlist.filter(status__in=[WaitlistStatus.WAITING]).exists():
        return
    occurrences = {
        o.recurrence_id.astimezone(UTC): o
        for o in selectors.occurrences(
            event, start=now - timedelta(days=1), end=event.last_end + timedelta(days=1), now=now
        )
    }
    for registration in standing:
        occurrence = occurrences.get(registration.recurrence_id)
        booking = registration.booking
        if event.status == EventStatus.CANCELLED or occurrence is None or occurrence.cancelled:
            reason = event.cancel_reason or str(_("The organisers have cancelled this date."))
            booking_services.booking_cancel_for_event(booking=booking, reason=reason, actor=actor, now=now)
        elif (occurrence.start, occurrence.end) != (booking.start, booking.end):
            booking_services.booking_reschedule(
                booking=booking, start=occurrence.start.astimezone(UTC), end=occurrence.end.astimezone(UTC), now=now
            )
    gone = [
        entry
        for entry in event.waitlist.filter(status=WaitlistStatus.WAITING)
        if event.status == EventStatus.CANCELLED
        or entry.recurrence_id not in occurrences
        or occurrences[entry.recurrence_id].cancelled
    ]
    waitlist_close(entries=gone, now=now)
    # More seats (a larger capacity) or a moved date: offer what is free to those still waiting,
    # after the commit. A promotion locks the person first, then the seats this transaction holds;
    # run here, it would take them in the reverse order of a registration and could deadlock.
    event_id = event.pk
    for recurrence_id in set(
        event.waitlist.filter(status=WaitlistStatus.WAITING).values_list("recurrence_id", flat=True)
    ):
        moment = recurrence_id.isoformat()
        after_commit(tasks.waitlist_promote_task, event_id, moment)


def events_extend_horizon(*, now: datetime | None = None) -> int:
    """Re-publish open-ended series whose published end nears: the horizon moves with time."""
    now = now_or(now)
    soon = now + timedelta(days=settings.ESSAIM_EVENT_HORIZON_DAYS // 2)
    count = 0
    for event in Event.objects.filter(live=True, session_key__isnull=True, last_end__lt=soon, last_end__gt=now).exclude(
        rule=""
    ):
        page = EventPage.objects.filter(pk=event.page_id).first()
        if page is not None and not page.repeat_until:
            event_sync(page=page, now=now)
            count += 1
    return count
