"""Everything that changes events: publishing a page's schedule, registering, the waitlist.

* ``event_sync`` turns a published page (an event, or a programme's sessions) into ``Event`` rows
  and their seats in the booking engine, bumps ``sequence`` when something visible changed, and
  makes registrations follow: a cancelled event or date cancels and refunds its bookings and says
  why; a moved date moves them.
* ``registration_create`` checks the event's own rules (the date exists and is not cancelled,
  registration is open, once per person) and books seats through
  ``bookings.services.booking_place_seats``, under the engine's locks; a full date is a
  ``Conflict`` that offers the waitlist.
* The waitlist is first come, first offered: when a seat frees, ``waitlist_promote`` holds it for
  the first person waiting (a held booking with a time limit) and e-mails them; an offer not
  taken expires like any hold, which frees the seat for the next one.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page

from bookings import services as booking_services
from bookings.models import BookingStatus, PricingUnit, Resource, ResourceKind
from core import money
from core import recurrence as rec
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from events import selectors
from events.models import (
    Event,
    EventPage,
    EventStatus,
    ProgrammePage,
    ProgrammeSession,
    Registration,
    RegistrationMode,
    WaitlistEntry,
    WaitlistStatus,
    occurrence_key,
)

logger = logging.getLogger(__name__)

RECURRENCE_MESSAGES = {
    "rule_syntax": _("This repeat rule cannot be read."),
    "rule_part": _("This repeat rule uses a part we do not support."),
    "rule_frequency": _("Events repeat daily, weekly, monthly or yearly."),
    "until_before_start": _("The last repeat must not be before the first date."),
    "start_not_in_rule": _("The first date is not one of the days the event repeats on."),
}


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _canonical(page: Page) -> Page:
    """The default-locale version of a page (the one schedules and seats hang on)."""
    default = Locale.get_default()
    if page.locale_id == default.pk:
        return page
    return page.get_translation_or_none(default) or page


def _texts(page: Page, read) -> dict[str, str]:
    """``read(translation)`` for every live translation, by language (the canonical one always)."""
    found = {}
    for translation in Page.objects.filter(translation_key=page.translation_key).select_related("locale").specific():
        if translation.live or translation.pk == page.pk:
            value = read(translation)
            if value:
                found[translation.locale.language_code[:2]] = value
    return found


# ---------------------------------------------------------------------------------------------
# Publishing a schedule
# ---------------------------------------------------------------------------------------------


def _published_rule(rule: str, tz: ZoneInfo, until_horizon: datetime) -> str:
    """The rule as feeds publish it: ``UNTIL`` in UTC (RFC 5545 wants it so with a ``TZID`` start),
    and an open rule bounded at the horizon."""
    if not rule:
        return ""
    parts = rec.rule_parts(rule)
    if "UNTIL" in parts and not parts["UNTIL"].endswith("Z"):
        local = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%S")
        parts["UNTIL"] = rec.wall(local, tz).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = ";".join(f"{name}={value}" for name, value in parts.items())
    return rec.bounded_rule(text, horizon=until_horizon)


def _schedule_of(item, tz: ZoneInfo, rule: str, date_changes, now: datetime, *, strict: bool = False) -> dict:
    """UTC start/end, published rule, changes and last end of an ``EventPage`` or a session."""
    start_naive, end_naive = item.local_bounds()
    start, end = rec.wall(start_naive, tz), rec.wall(end_naive, tz)
    published = _published_rule(rule, tz, selectors.horizon(now))
    series = rec.Series(start=start, duration=end.astimezone(UTC) - start.astimezone(UTC), tz=tz, rule=published)
    starts = rec.starts(series, horizon=selectors.horizon(now) if published else start)
    planned = {s.astimezone(UTC) for s in starts}
    changes = {}
    for change in date_changes:
        original = rec.wall(datetime.combine(change.original_date, start_naive.time()), tz).astimezone(UTC)
        if original not in planned:
            if not strict:
                logger.warning("date change %s is not a planned date: ignored", change.original_date)
                continue
            raise ValidationError(
                _("%(date)s is not one of the event's dates: only a planned date can be changed.")
                % {"date": change.original_date.isoformat()}
            )
        if change.cancelled:
            changes[occurrence_key(original)] = {"cancelled": True}
            continue
        day = change.new_date or change.original_date
        new_start = rec.wall(datetime.combine(day, change.new_start_time or start_naive.time()), tz)
        if change.new_end_time:
            new_end = rec.wall(datetime.combine(day, change.new_end_time), tz)
        else:
            new_end = (new_start.astimezone(UTC) + series.duration).astimezone(tz)
        changes[occurrence_key(original)] = {
            "start": new_start.astimezone(UTC).isoformat(),
            "end": new_end.astimezone(UTC).isoformat(),
        }
    last_start = max(starts) if starts else start
    last_end = (last_start.astimezone(UTC) + series.duration).astimezone(UTC)
    for change in changes.values():
        if change.get("end"):
            last_end = max(last_end, datetime.fromisoformat(change["end"]))
    return {
        "start": start.astimezone(UTC),
        "end": end.astimezone(UTC),
        "rule": published,
        "changes": changes,
        "last_end": last_end,
    }


def schedule_check(page: EventPage, *, venue_timezone: str, date_changes=None, now: datetime | None = None) -> None:
    """Raise ``ValidationError`` if the page's dates cannot be published (called by the page's
    ``clean`` so the manager sees why before anything is saved)."""
    try:
        _schedule_of(
            page,
            ZoneInfo(venue_timezone),
            page.rule,
            page.date_changes.all() if date_changes is None else date_changes,
            _now(now),
            strict=True,
        )
    except rec.RecurrenceError as error:
        raise ValidationError({"repeat": RECURRENCE_MESSAGES.get(error.code, error.code)}) from None


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
    event = Event.objects.select_for_update().filter(**lookup).first()
    previous = None
    if event is None:
        event = Event(**lookup)
    else:
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
    now = _now(now)
    canonical = _canonical(page).specific
    live = canonical.live
    if isinstance(canonical, EventPage):
        venue = _canonical(canonical.get_parent()).specific
        tz = ZoneInfo(venue.timezone)
        values = _common(canonical, venue=venue, now=now)
        values.update(_schedule_of(canonical, tz, canonical.rule, canonical.date_changes.all(), now))
        values.update(
            titles=_texts(canonical, lambda p: p.title),
            summaries=_texts(canonical, lambda p: p.summary),
            live=live,
            language="",
        )
        event, previous = _write_event(lookup={"page": canonical, "session_key": None}, values=values, now=now)
        _follow(event, previous, actor=actor, now=now)
        return [event]
    if isinstance(canonical, ProgrammePage):
        return _programme_sync(canonical, actor=actor, now=now)
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
        venue = _canonical(session.venue).specific
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
    canonical = _canonical(page)
    if Page.objects.filter(translation_key=canonical.translation_key, live=True).exists():
        return 0  # another translation is still published
    count = 0
    for event in Event.objects.filter(page=canonical).select_related("seats"):
        event.live = False
        event.sequence += 1
        event.save(update_fields=["live", "sequence", "updated_at"])
        if event.seats:
            Resource.objects.filter(pk=event.seats_id).update(is_active=False)
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
        entry.pk
        for entry in event.waitlist.filter(status=WaitlistStatus.WAITING)
        if event.status == EventStatus.CANCELLED
        or entry.recurrence_id not in occurrences
        or occurrences[entry.recurrence_id].cancelled
    ]
    WaitlistEntry.objects.filter(pk__in=gone).update(status=WaitlistStatus.CLOSED, updated_at=now)
    # More seats (a larger capacity) or a moved date: offer what is free to those still waiting.
    for recurrence_id in set(
        event.waitlist.filter(status=WaitlistStatus.WAITING).values_list("recurrence_id", flat=True)
    ):
        waitlist_promote(event=event, recurrence_id=recurrence_id, now=now)


def events_extend_horizon(*, now: datetime | None = None) -> int:
    """Re-publish open-ended series whose published end nears: the horizon moves with time."""
    now = _now(now)
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


# ---------------------------------------------------------------------------------------------
# Registrations
# ---------------------------------------------------------------------------------------------


def _registrable(event: Event, recurrence_id: datetime, now: datetime) -> rec.Occurrence:
    """The occurrence, if people may register for it now; otherwise ``InvalidInput`` with a reason."""
    if not event.live:
        raise NotFound(_("This event is not published."))
    if event.status == EventStatus.CANCELLED:
        raise InvalidInput(_("This event is cancelled."), code="event_cancelled")
    occurrence = selectors.occurrence_get(event, recurrence_id, now=now)
    if occurrence is None:
        raise InvalidInput(_("The event has no date at that time."), code="no_such_date")
    if occurrence.cancelled:
        raise InvalidInput(_("This date is cancelled."), code="occurrence_cancelled")
    if occurrence.start <= now:
        raise InvalidInput(_("This date has already started."), code="already_started")
    closes = occurrence.start - timedelta(hours=event.registration_closes_hours)
    if now >= closes:
        raise InvalidInput(_("Registration for this date is closed."), code="registration_closed")
    return occurrence


def _lock_person(user) -> None:
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _full() -> Conflict:
    return Conflict(
        _("This date is full. Join the waitlist: the next seat that frees is offered to the first person waiting."),
        code="event_full",
        extra={"remaining": 0, "waitlist": True},
    )


def registration_create(
    *,
    user,
    event: Event,
    recurrence_id: datetime,
    quantity: int = 1,
    whole_programme: bool = False,
    language: str = "",
    now: datetime | None = None,
):
    """Register ``user`` for one occurrence: a booking on the event's seats (confirmed, or held
    until paid). ``InvalidInput`` when the date cannot be registered for or the person already
    is; ``Conflict`` (``event_full``, with the waitlist offered) when no seat is left."""
    now = _now(now)
    recurrence_id = recurrence_id.astimezone(UTC)
    if event.programme_id and not whole_programme:
        mode = ProgrammePage.objects.filter(pk=event.programme_id).values_list("registration_mode", flat=True).first()
        if mode == RegistrationMode.WHOLE:
            raise InvalidInput(_("Registration is for the whole programme only."), code="whole_programme_only")
    if not 1 <= quantity <= 10:
        raise InvalidInput(_("Choose between 1 and 10 seats."), code="bad_quantity")
    occurrence = _registrable(event, recurrence_id, now)
    with transaction.atomic():
        _lock_person(user)
        if selectors.registration_open(user=user, event=event, recurrence_id=recurrence_id, now=now):
            raise InvalidInput(_("You are already registered for this date."), code="already_registered")
        if selectors.waitlist_waiting(event, recurrence_id).exclude(user=user).exists():
            raise _full()  # a seat that frees goes to the people already waiting, in their order
        request = booking_services.BookingRequest(
            resource=event.seats,
            start=occurrence.start.astimezone(UTC),
            end=occurrence.end.astimezone(UTC),
            quantity=quantity,
        )
        try:
            booking = booking_services.booking_place_seats(user=user, request=request, language=language, now=now)
        except Conflict as error:
            if error.code != "no_room":
                raise
            raise _full() from None
        Registration.objects.create(
            booking=booking, event=event, recurrence_id=recurrence_id, whole_programme=whole_programme
        )
        entry = selectors.waitlist_entry_open(user=user, event=event, recurrence_id=recurrence_id)
        if entry is not None and entry.status == WaitlistStatus.WAITING:
            entry.status = WaitlistStatus.ACCEPTED
            entry.save(update_fields=["status", "updated_at"])
    return booking


def programme_register(*, user, programme: ProgrammePage, language: str = "", now: datetime | None = None) -> list:
    """Register for every upcoming session of a programme at once: all or nothing."""
    now = _now(now)
    programme = _canonical(programme).specific
    if programme.registration_mode == RegistrationMode.SESSIONS:
        raise InvalidInput(_("This programme is registered for session by session."), code="sessions_only")
    sessions = [
        event
        for event in selectors.programme_sessions(programme)
        if event.start > now and event.status == EventStatus.SCHEDULED
    ]
    if not sessions:
        raise InvalidInput(_("This programme has no session left to register for."), code="nothing_to_register")
    bookings = []
    with transaction.atomic():
        for event in sessions:
            if selectors.registration_open(user=user, event=event, recurrence_id=event.start, now=now):
                continue  # already in this session: the rest still counts
            try:
                bookings.append(
                    registration_create(
                        user=user,
                        event=event,
                        recurrence_id=event.start,
                        whole_programme=True,
                        language=language,
                        now=now,
                    )
                )
            except (InvalidInput, Conflict) as error:
                error.message = _("%(session)s: %(reason)s") % {"session": event.title(), "reason": error.message}
                error.extra = {**error.extra, "session": event.pk}
                raise
    if not bookings:
        raise InvalidInput(_("You are already registered for every session."), code="already_registered")
    return bookings


# ---------------------------------------------------------------------------------------------
# Waitlist
# ---------------------------------------------------------------------------------------------


def waitlist_join(*, user, event: Event, recurrence_id: datetime, language: str = "", now: datetime | None = None):
    """Queue for a full date. Refused when a seat is free (register instead) or when already queued or registered."""
    now = _now(now)
    recurrence_id = recurrence_id.astimezone(UTC)
    occurrence = _registrable(event, recurrence_id, now)
    with transaction.atomic():
        _lock_person(user)
        if selectors.registration_open(user=user, event=event, recurrence_id=recurrence_id, now=now):
            raise InvalidInput(_("You are already registered for this date."), code="already_registered")
        if selectors.waitlist_entry_open(user=user, event=event, recurrence_id=recurrence_id):
            raise InvalidInput(_("You are already on the waitlist for this date."), code="already_waiting")
        waiting = selectors.waitlist_waiting(event, recurrence_id).exists()
        if selectors.seats_for(event, occurrence, now=now).remaining > 0 and not waiting:
            raise InvalidInput(_("Seats are still free: register instead."), code="seats_left")
        entry = WaitlistEntry.objects.create(
            event=event, recurrence_id=recurrence_id, user=user, language=language or settings.LANGUAGE_CODE
        )
    return entry


def waitlist_leave(*, entry: WaitlistEntry, user, now: datetime | None = None) -> WaitlistEntry:
    """Leave the queue; a seat already offered goes to the next person."""
    now = _now(now)
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.user_id != user.pk:
            raise PermissionDenied(_("This is not your place on the waitlist."))
        if entry.status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
            return entry
        if entry.status == WaitlistStatus.OFFERED and entry.offer_id:
            booking_services.hold_release(
                booking=entry.offer, to_status=BookingStatus.CANCELLED, reason="waitlist offer declined", now=now
            )
        entry.status = WaitlistStatus.LEFT
        entry.save(update_fields=["status", "updated_at"])
    return entry


def _offer_until(event: Event, occurrence: rec.Occurrence, now: datetime) -> datetime:
    closes = occurrence.start - timedelta(hours=event.registration_closes_hours)
    return max(now + timedelta(minutes=5), min(now + timedelta(hours=settings.ESSAIM_WAITLIST_OFFER_HOURS), closes))


def waitlist_promote(*, event: Event, recurrence_id: datetime, now: datetime | None = None) -> int:
    """Offer free seats to the people waiting, first come first offered; returns how many were offered.

    Each offer is a held booking that expires at the offer's limit: if it lapses, the release
    calls this again for the next person. Safe to call any number of times.
    """
    now = _now(now)
    recurrence_id = recurrence_id.astimezone(UTC)
    try:
        occurrence = _registrable(event, recurrence_id, now)
    except (InvalidInput, NotFound):
        selectors.waitlist_waiting(event, recurrence_id).update(status=WaitlistStatus.CLOSED, updated_at=now)
        return 0
    offered = 0
    for pk in list(
        selectors.waitlist_waiting(event, recurrence_id).order_by("created_at", "id").values_list("pk", flat=True)
    ):
        with transaction.atomic():
            entry = (
                WaitlistEntry.objects.select_for_update()
                .select_related("user")
                .filter(pk=pk, status=WaitlistStatus.WAITING)
                .first()
            )
            if entry is None:
                continue
            if selectors.registration_open(user=entry.user, event=event, recurrence_id=recurrence_id, now=now):
                entry.status = WaitlistStatus.ACCEPTED
                entry.save(update_fields=["status", "updated_at"])
                continue
            until = _offer_until(event, occurrence, now)
            request = booking_services.BookingRequest(
                resource=event.seats,
                start=occurrence.start.astimezone(UTC),
                end=occurrence.end.astimezone(UTC),
                quantity=1,
            )
            try:
                booking = booking_services.booking_place_seats(
                    user=entry.user,
                    request=request,
                    hold_until=until,
                    announce="waitlist_offer",
                    language=entry.language,
                    now=now,
                )
            except Conflict:
                break  # no seat left: the others keep waiting
            Registration.objects.create(booking=booking, event=event, recurrence_id=recurrence_id)
            entry.status = WaitlistStatus.OFFERED
            entry.offer = booking
            entry.offer_expires_at = until
            entry.save(update_fields=["status", "offer", "offer_expires_at", "updated_at"])
            offered += 1
    if offered:
        logger.info("event %s %s: %s waitlist offer(s)", event.pk, occurrence_key(recurrence_id), offered)
    return offered


def waitlist_accept(*, entry: WaitlistEntry, user, now: datetime | None = None):
    """Take the seat offered: a free seat is confirmed at once; a paid one stays held until paid
    (the booking's pay link). Returns the booking."""
    now = _now(now)
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update(of=("self",)).select_related("offer").get(pk=entry.pk)
        if entry.user_id != user.pk:
            raise PermissionDenied(_("This is not your place on the waitlist."))
        booking = entry.offer
        if entry.status != WaitlistStatus.OFFERED or booking is None:
            raise InvalidInput(_("No seat is offered to you for this date."), code="no_offer")
        if booking.status != BookingStatus.HELD or (booking.expires_at and booking.expires_at <= now):
            raise InvalidInput(_("The offer has lapsed and the seat went to the next person."), code="offer_lapsed")
        if booking.payment_state == "pending":
            return booking  # paid when the pay link is followed; the payment confirms it
        booking = booking_services.booking_confirm(
            booking=booking, actor=user, reason="waitlist offer accepted", now=now
        )
        entry.status = WaitlistStatus.ACCEPTED
        entry.save(update_fields=["status", "updated_at"])
    return booking


def seats_released(*, booking_id: int, resource_id: int, now: datetime | None = None) -> int:
    """A booking on an event's seats ended (cancelled, expired, rejected): settle the waitlist
    entry it was offered to, then offer the seat to the next person waiting."""
    now = _now(now)
    event = Event.objects.filter(seats_id=resource_id).first()
    if event is None:
        return 0
    registration = Registration.objects.filter(booking_id=booking_id).first()
    if registration is None:
        return 0
    entry = WaitlistEntry.objects.filter(offer_id=booking_id, status=WaitlistStatus.OFFERED).first()
    if entry is not None:
        WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.OFFERED).update(
            status=WaitlistStatus.EXPIRED, updated_at=now
        )
    return waitlist_promote(event=event, recurrence_id=registration.recurrence_id, now=now)


# ---------------------------------------------------------------------------------------------
# Creating pages (the demo, tests, imports): through Wagtail's own revision and publish path
# ---------------------------------------------------------------------------------------------


def event_page_create(*, venue, changes=(), publish: bool = True, user=None, **fields) -> EventPage:
    """Add an event page under ``venue`` (a canonical venue page) and publish it like the admin does.

    ``changes`` are ``EventDateChange`` field dicts; ``fields`` are ``EventPage`` fields.
    """
    from events.models import EventDateChange

    fields.setdefault("slug", None)
    page = EventPage(**{k: v for k, v in fields.items() if v is not None or k != "slug"})
    if not page.slug:
        from django.utils.text import slugify

        page.slug = slugify(page.title)[:80] or "evenement"
    page.live = publish
    page.date_changes = [EventDateChange(**change) for change in changes]
    schedule_check(page, venue_timezone=venue.specific.timezone, date_changes=list(page.date_changes.all()))
    venue.add_child(instance=page)
    revision = page.save_revision(user=user)
    if publish:
        revision.publish(user=user)
        page.refresh_from_db()
    return page


def programme_page_create(*, hub, sessions, publish: bool = True, user=None, **fields) -> ProgrammePage:
    """Add a programme under a social business centre; ``sessions`` are ``ProgrammeSession`` field dicts."""
    from django.utils.text import slugify

    page = ProgrammePage(**fields)
    page.slug = page.slug or slugify(page.title)[:80]
    page.live = publish
    # In the given order, as the editor's inline panel numbers them (unnumbered rows have no order).
    page.sessions = [ProgrammeSession(**{"sort_order": index, **session}) for index, session in enumerate(sessions)]
    hub.add_child(instance=page)
    revision = page.save_revision(user=user)
    if publish:
        revision.publish(user=user)
        page.refresh_from_db()
    return page
