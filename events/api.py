"""``/api/v1/events/``, registrations, waitlists and programmes: the agenda and its seats over HTTP.

The list has one item per **occurrence** (an agenda row): a repeating event appears once per
date, each with its own ``occurrence`` key (the iCalendar ``RECURRENCE-ID`` in UTC,
``YYYYMMDDTHHMMSSZ``) that the registration and waitlist calls take, and its own remaining
seats. Seats of a whole page are counted in one grouped query.

Thin views, as in ``bookings.api``: check the input, call one selector or service, render.
Times go out in the venue's zone with their offset, prices as decimal strings. A registration is
a booking, answered with the bookings API's own serializer (``payment_url``, ``held`` /
``confirmed``), and cancelled with ``POST /api/v1/bookings/{id}/cancel/``. POSTs and DELETEs
honour ``Idempotency-Key`` and share the ``booking`` rate. ``/api/v1/`` is outside the language
prefixes, so the language (titles, links, messages) is the ``lang`` query parameter, French by
default. The online link of an online event is never public: registrants get it by e-mail.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.rich_text import expand_db_html

from bookings.api import BookingOutputSerializer, BookingWriteThrottle
from core import money
from core import recurrence as rec
from core.api import DECIMAL_STRING, ErrorSerializer, Pagination, local_iso, parse_instant, validated
from core.errors import Conflict, InvalidInput, NotFound
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from events import selectors, services
from events.models import (
    AttendanceMode,
    Event,
    EventPage,
    EventStatus,
    RegistrationMode,
    WaitlistEntry,
    WaitlistStatus,
    occurrence_key,
    parse_occurrence_key,
)
from venues import vocabulary
from venues.selectors import venues_localized

#: The longest window the list may span, and the one it shows without ``ends_before``.
MAX_WINDOW_DAYS = 400
DEFAULT_WINDOW_DAYS = 90
#: How many upcoming dates an event's detail lists.
DETAIL_OCCURRENCES = 50
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]

LANG_PARAMETER = OpenApiParameter(
    name="lang",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.QUERY,
    required=False,
    enum=LANGUAGE_CODES,
    description=f"Language of titles, links and messages (default {settings.LANGUAGE_CODE}).",
)


# Language --------------------------------------------------------------------------------------


class LanguageMixin:
    """Run the view in the ``lang`` query parameter's language: the API's paths carry no
    language prefix, and Django's ``LocaleMiddleware`` answers them in the default language."""

    def dispatch(self, request, *args, **kwargs):
        code = request.GET.get("lang", "")
        with translation.override(code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE):
            response = super().dispatch(request, *args, **kwargs)
            response.headers.setdefault("Content-Language", translation.get_language())
            return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        code = request.query_params.get("lang")
        if code is not None and code not in LANGUAGE_CODES:
            raise InvalidInput(
                _("lang: use one of %(codes)s.") % {"codes": ", ".join(LANGUAGE_CODES)}, code="unknown_language"
            )


# Input -----------------------------------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "example": "2026-03-05", "description": "A date, or a date and time with its offset"}
)
class DayOrInstantField(serializers.Field):
    """An ISO 8601 date (a whole day in the node's zone) or instant with its offset, as UTC.

    ``end=True`` reads a date as the end of that day: ``ends_before=2026-03-31`` includes the
    31st, so that ``starts_after=2026-03-01&ends_before=2026-03-31`` is March."""

    def __init__(self, *, end: bool = False, **kwargs):
        self.end = end
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and len(data.strip()) == 10:
            try:
                day = date.fromisoformat(data.strip())
            except ValueError:
                day = None
            if day is not None:
                if not 1900 <= day.year <= 2999:
                    raise serializers.ValidationError(_("Not a date."), code="invalid_datetime")
                day += timedelta(days=1) if self.end else timedelta(0)
                local = datetime.combine(day, datetime.min.time()).replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
                return local.astimezone(UTC)
        return parse_instant(data)

    def to_representation(self, value):
        return value.isoformat()


class EventFilterSerializer(serializers.Serializer):
    venue = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="A venue's id")
    programme = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="A programme's id: its sessions"
    )
    starts_after = DayOrInstantField(
        required=False, help_text="Dates starting at or after this (default: those not yet ended)"
    )
    ends_before = DayOrInstantField(
        end=True,
        required=False,
        help_text=(
            f"Dates ending by this (a date includes its day); default {DEFAULT_WINDOW_DAYS} days ahead, "
            f"at most {MAX_WINDOW_DAYS} days after starts_after"
        ),
    )
    kind = serializers.ChoiceField(
        choices=[code for code, _label in vocabulary.KINDS], required=False, help_text="The venue's kind"
    )
    city = serializers.CharField(required=False, max_length=120, help_text="The venue's city")
    price = serializers.ChoiceField(choices=["free", "paid"], required=False)

    def validate(self, attrs):
        now = timezone.now()
        start = attrs.get("starts_after") or now
        end = attrs.get("ends_before") or start + timedelta(days=DEFAULT_WINDOW_DAYS)
        if end <= start:
            raise serializers.ValidationError(
                _("ends_before must be after starts_after (now when not given)."), code="end_before_start"
            )
        if end - start > timedelta(days=MAX_WINDOW_DAYS):
            raise serializers.ValidationError(
                _("Ask for at most %(days)s days at a time.") % {"days": MAX_WINDOW_DAYS}, code="window_too_long"
            )
        attrs["ends_before"] = end
        return attrs


class OccurrenceInputSerializer(serializers.Serializer):
    occurrence = serializers.CharField(
        required=False,
        max_length=64,
        help_text=(
            "The date: its occurrence key (YYYYMMDDTHHMMSSZ, from the event's list or detail) or its "
            "planned start with offset; may be left out for an event that does not repeat"
        ),
    )


class RegistrationInputSerializer(OccurrenceInputSerializer):
    quantity = serializers.IntegerField(required=False, default=1, help_text="Seats, 1 to 10")


def _recurrence_id(event: Event, text: str | None) -> datetime:
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


# Output ----------------------------------------------------------------------------------------


@extend_schema_field(DECIMAL_STRING)
class DecimalStringField(serializers.CharField):
    pass


class StatusField(serializers.CharField):
    """A status as a plain string in the schema, its values in the help text: an enum named
    ``status`` beside the bookings' would need a settings override to be named."""


class EventErrorSerializer(ErrorSerializer):
    waitlist = serializers.URLField(required=False, help_text="With event_full: where to join the waitlist")
    session = serializers.IntegerField(required=False, help_text="With a programme: the session (event) refused")


class EventItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The event's id")
    occurrence = serializers.CharField(help_text="This date's key (YYYYMMDDTHHMMSSZ): give it to register")
    title = serializers.CharField()
    venue = serializers.IntegerField(help_text="The venue's id")
    venue_name = serializers.CharField()
    city = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    timezone = serializers.CharField()
    url = serializers.URLField(help_text="The public page")
    status = StatusField(help_text="scheduled, or cancelled (the event or this date)")
    remaining = serializers.IntegerField(help_text="Seats left at this date")
    capacity = serializers.IntegerField()
    price = DecimalStringField(help_text="Per seat, in the currency's units; 0 when free")
    currency = serializers.CharField()
    attendance_mode = serializers.ChoiceField(choices=AttendanceMode.choices)
    registration_closes_at = serializers.DateTimeField()
    programme = serializers.IntegerField(allow_null=True, help_text="The programme's id for a session")
    recurring = serializers.BooleanField()


class OccurrenceOutputSerializer(serializers.Serializer):
    occurrence = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = StatusField(help_text="scheduled or cancelled")
    remaining = serializers.IntegerField()


class EventDetailSerializer(EventItemSerializer):
    summary = serializers.CharField()
    description = serializers.CharField(help_text="HTML")
    rule = serializers.CharField(help_text="RFC 5545 RRULE (UNTIL in UTC); empty when the event does not repeat")
    cancel_reason = serializers.CharField()
    registration_closes_hours = serializers.IntegerField(help_text="Registration closes this long before a date")
    occurrences = OccurrenceOutputSerializer(many=True, help_text=f"The next {DETAIL_OCCURRENCES} dates")
    registrations_url = serializers.URLField()
    waitlist_url = serializers.URLField()


class ProgrammeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    intro = serializers.CharField(help_text="HTML")
    url = serializers.URLField()
    hub = serializers.IntegerField(help_text="The social business centre (venue) that publishes it")
    hub_name = serializers.CharField()
    registration_mode = serializers.ChoiceField(choices=RegistrationMode.choices)
    sessions = EventItemSerializer(many=True, help_text="Every session, each at its own venue")
    registrations_url = serializers.URLField(help_text="Register for the whole programme (when its mode allows)")


class ProgrammeRegistrationSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    bookings = BookingOutputSerializer(many=True, help_text="One booking per session")


class WaitlistEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.IntegerField(source="event_id")
    occurrence = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    timezone = serializers.CharField(source="event.timezone")
    status = StatusField(help_text=", ".join(str(s) for s in WaitlistStatus))
    position = serializers.SerializerMethodField()
    offer = serializers.IntegerField(source="offer_id", allow_null=True, help_text="The booking offered, if any")
    offer_expires_at = serializers.SerializerMethodField()

    def get_occurrence(self, entry: WaitlistEntry) -> str:
        return occurrence_key(entry.recurrence_id)

    def get_title(self, entry: WaitlistEntry) -> str:
        return entry.event.title()

    def _bounds(self, entry: WaitlistEntry) -> tuple[datetime, datetime]:
        return occurrence_bounds(entry.event, entry.recurrence_id)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_start(self, entry: WaitlistEntry) -> str:
        return local_iso(self._bounds(entry)[0], ZoneInfo(entry.event.timezone))

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_end(self, entry: WaitlistEntry) -> str:
        return local_iso(self._bounds(entry)[1], ZoneInfo(entry.event.timezone))

    @extend_schema_field({"type": "integer", "nullable": True, "description": "1 for the first person waiting"})
    def get_position(self, entry: WaitlistEntry) -> int | None:
        if entry.status != WaitlistStatus.WAITING:
            return None
        position = getattr(entry, "position", None)
        return position if position is not None else selectors.waitlist_position(entry)

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_offer_expires_at(self, entry: WaitlistEntry) -> str | None:
        return local_iso(entry.offer_expires_at, ZoneInfo(entry.event.timezone))


def occurrence_bounds(event: Event, recurrence_id: datetime) -> tuple[datetime, datetime]:
    """Where a date is now (a change may have moved it): its start and end, UTC."""
    change = (event.changes or {}).get(occurrence_key(recurrence_id)) or {}
    if change.get("start"):
        return datetime.fromisoformat(change["start"]), datetime.fromisoformat(change["end"])
    return recurrence_id, recurrence_id + (event.end - event.start)


def _absolute(request, page) -> str:
    return request.build_absolute_uri(page.get_url(request))


def _page_urls(request, pages: dict) -> dict[int, str]:
    """``{canonical page id: absolute URL in the active language}`` (one query for translations)."""
    translated = selectors.pages_in_language(pages.values(), translation.get_language())
    return {pk: _absolute(request, translated.get(pk, page)) for pk, page in pages.items()}


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
    }


def event_items(request, rows, *, pages: dict | None = None, now: datetime) -> list[dict]:
    """Agenda items for ``(event, occurrence)`` rows, in a fixed number of queries: seats (one
    grouped query), translated links and venue names (one each outside the default language)."""
    if not rows:
        return []
    events = list({event.pk: event for event, _occurrence in rows}.values())
    taken = selectors.seats_taken_many([(event.seats_id, o.start) for event, o in rows], now=now)
    pages = pages if pages is not None else {event.page_id: event.page for event in events}
    urls = _page_urls(request, pages)
    names = _venue_names(events)
    return [
        _item(
            event,
            occurrence,
            taken=taken.get((event.seats_id, occurrence.start.astimezone(UTC)), 0),
            url=urls[event.page_id],
            venue_name=names[event.venue_id],
        )
        for event, occurrence in rows
    ]


def _event_or_404(pk: int) -> Event:
    event = selectors.event_get(pk=pk) if 0 < pk < 2**63 else None
    if event is None:
        raise NotFound(_("No published event with this id."), code="event_not_found")
    return event


def _api_url(request, name: str, pk: int) -> str:
    return request.build_absolute_uri(reverse(f"api:{name}", args=[pk]))


def _description(event: Event) -> str:
    """The event page's description (HTML, in the active language), or a session's text."""
    if event.programme_id:
        text = event.summary()
        return linebreaks(escape(text)) if text else ""
    page = selectors.pages_in_language([event.page], translation.get_language()).get(event.page_id, event.page)
    page = page.specific
    return expand_db_html(page.body) if isinstance(page, EventPage) and page.body else ""


def _single(event: Event) -> rec.Occurrence:
    """A programme session's one date (sessions do not repeat)."""
    tz = ZoneInfo(event.timezone)
    return rec.Occurrence(
        recurrence_id=event.start.astimezone(tz), start=event.start.astimezone(tz), end=event.end.astimezone(tz)
    )


# Views -----------------------------------------------------------------------------------------


class EventListApi(LanguageMixin, generics.ListAPIView):
    """Published dates in a window, one item per date (a repeating event once per date), soonest
    first, each with its remaining seats; cancelled dates are listed as ``cancelled``."""

    permission_classes = [AllowAny]
    serializer_class = EventItemSerializer
    pagination_class = Pagination

    @extend_schema(
        parameters=[EventFilterSerializer, LANG_PARAMETER],
        responses={200: EventItemSerializer(many=True), 400: ErrorSerializer},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        data = validated(EventFilterSerializer(data=request.query_params))
        now = timezone.now()
        starts_after = data.get("starts_after")
        events = selectors.agenda_events_by_id(
            filters=selectors.AgendaFilters(
                kind=data.get("kind", ""), city=data.get("city", ""), price=data.get("price", "")
            ),
            venue_id=data.get("venue"),
            programme_id=data.get("programme"),
            start=starts_after or now,
            end=data["ends_before"],
        )
        rows = selectors.agenda_rows(events, starts_after=starts_after, ends_before=data["ends_before"], now=now)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(EventItemSerializer(event_items(request, page, now=now), many=True).data)


class EventDetailApi(LanguageMixin, APIView):
    """One event: its next date's figures, its description, its rule and its next dates with seats."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[LANG_PARAMETER], responses={200: EventDetailSerializer, 404: ErrorSerializer})
    def get(self, request, pk: int):
        event = _event_or_404(pk)
        now = timezone.now()
        dates = selectors.upcoming(event, now=now, limit=DETAIL_OCCURRENCES)
        # Nothing ahead: the figures of the first date, and no list.
        shown = dates or [selectors.occurrence_get(event, event.start, now=now) or _single(event)]
        items = event_items(request, [(event, o) for o in shown], pages={event.page_id: event.page}, now=now)
        body = {
            **items[0],
            "summary": event.summary(),
            "description": _description(event),
            "rule": event.rule,
            "cancel_reason": event.cancel_reason,
            "registration_closes_hours": event.registration_closes_hours,
            "occurrences": [
                {key: item[key] for key in ("occurrence", "start", "end", "status", "remaining")}
                for item in (items if dates else [])
            ],
            "registrations_url": _api_url(request, "event-registrations", event.pk),
            "waitlist_url": _api_url(request, "event-waitlist", event.pk),
        }
        return Response(EventDetailSerializer(body).data)


def _with_waitlist(error: Conflict, request, event_id: int) -> Conflict:
    if error.code == "event_full":
        error.extra = {**error.extra, "remaining": 0, "waitlist": _api_url(request, "event-waitlist", event_id)}
    return error


class EventRegistrationApi(LanguageMixin, APIView):
    """Register for one date: a booking on the event's seats, ``confirmed`` (free, or paid at the
    venue) or ``held`` with a ``payment_url``. A full date is a 409 ``event_full`` with the
    waitlist's URL. Cancel with ``POST /api/v1/bookings/{id}/cancel/``."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [BookingWriteThrottle]
    throttle_scope = "booking"

    @extend_schema(
        request=RegistrationInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, LANG_PARAMETER],
        responses={201: BookingOutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: EventErrorSerializer},
    )
    @idempotent
    def post(self, request, pk: int):
        data = validated(RegistrationInputSerializer(data=request.data))
        event = _event_or_404(pk)
        try:
            booking = services.registration_create(
                user=request.user,
                event=event,
                recurrence_id=_recurrence_id(event, data.get("occurrence")),
                quantity=data["quantity"],
                language=translation.get_language(),
            )
        except Conflict as error:
            raise _with_waitlist(error, request, event.pk) from None
        return Response(BookingOutputSerializer(booking).data, status=status.HTTP_201_CREATED)


class EventWaitlistApi(LanguageMixin, APIView):
    """Queue for a full date: the next seat that frees is held for the first person waiting,
    who confirms it (``POST /api/v1/waitlist/{id}/accept/``) before ``offer_expires_at``."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [BookingWriteThrottle]
    throttle_scope = "booking"

    @extend_schema(
        request=OccurrenceInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, LANG_PARAMETER],
        responses={201: WaitlistEntryOutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    @idempotent
    def post(self, request, pk: int):
        data = validated(OccurrenceInputSerializer(data=request.data))
        event = _event_or_404(pk)
        entry = services.waitlist_join(
            user=request.user,
            event=event,
            recurrence_id=_recurrence_id(event, data.get("occurrence")),
            language=translation.get_language(),
        )
        return Response(WaitlistEntryOutputSerializer(entry).data, status=status.HTTP_201_CREATED)


class WaitlistListApi(LanguageMixin, generics.ListAPIView):
    """The caller's open places on waitlists (waiting, or a seat offered), soonest date first."""

    permission_classes = [IsAuthenticated]
    serializer_class = WaitlistEntryOutputSerializer
    pagination_class = Pagination

    @extend_schema(parameters=[LANG_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.waitlist_for_user_positioned(user=self.request.user)


def _own_entry_or_404(request, pk: int) -> WaitlistEntry:
    entry = selectors.waitlist_entry_of_user(user=request.user, pk=pk)
    if entry is None:
        raise NotFound(_("You have no place on a waitlist with this id."), code="waitlist_entry_not_found")
    return entry


class WaitlistEntryApi(LanguageMixin, APIView):
    """``DELETE``: leave the waitlist (a seat offered to you goes to the next person)."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [BookingWriteThrottle]
    throttle_scope = "booking"

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY_PARAMETER, LANG_PARAMETER],
        responses={200: WaitlistEntryOutputSerializer, 404: ErrorSerializer},
    )
    @idempotent
    def delete(self, request, pk: int):
        entry = services.waitlist_leave(entry=_own_entry_or_404(request, pk), user=request.user)
        return Response(WaitlistEntryOutputSerializer(entry).data)


class WaitlistAcceptApi(LanguageMixin, APIView):
    """Take the seat offered: confirmed at once when free; held with a ``payment_url`` when paid."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [BookingWriteThrottle]
    throttle_scope = "booking"

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, LANG_PARAMETER],
        responses={200: BookingOutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    @idempotent
    def post(self, request, pk: int):
        booking = services.waitlist_accept(entry=_own_entry_or_404(request, pk), user=request.user)
        return Response(BookingOutputSerializer(booking).data)


def _programme_or_404(pk: int):
    programme = selectors.programme_get(pk=pk)
    if programme is None:
        raise NotFound(_("No published programme with this id."), code="programme_not_found")
    return programme


class ProgrammeDetailApi(LanguageMixin, APIView):
    """A programme and every session, each at its own venue with its remaining seats."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[LANG_PARAMETER], responses={200: ProgrammeOutputSerializer, 404: ErrorSerializer})
    def get(self, request, pk: int):
        programme = _programme_or_404(pk)
        language = translation.get_language()
        shown = selectors.pages_in_language([programme], language).get(programme.pk)
        shown = shown.specific if shown is not None else programme
        sessions = [(event, _single(event)) for event in selectors.programme_sessions(programme)]
        hub = programme.get_parent()
        body = {
            "id": programme.pk,
            "title": shown.title,
            "summary": shown.summary,
            "intro": expand_db_html(shown.intro) if shown.intro else "",
            "url": _absolute(request, shown),
            "hub": hub.pk,
            "hub_name": venues_localized([hub.specific])[0].title,
            "registration_mode": programme.registration_mode,
            "sessions": event_items(request, sessions, pages={programme.pk: shown}, now=timezone.now()),
            "registrations_url": _api_url(request, "programme-registrations", programme.pk),
        }
        return Response(ProgrammeOutputSerializer(body).data)


class ProgrammeRegistrationApi(LanguageMixin, APIView):
    """Register for every upcoming session of a programme at once: all of them or none (a
    refusal names the session, with its id in ``session``)."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [BookingWriteThrottle]
    throttle_scope = "booking"

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, LANG_PARAMETER],
        responses={
            201: ProgrammeRegistrationSerializer,
            400: EventErrorSerializer,
            404: ErrorSerializer,
            409: EventErrorSerializer,
        },
    )
    @idempotent
    def post(self, request, pk: int):
        programme = _programme_or_404(pk)
        try:
            bookings = services.programme_register(
                user=request.user, programme=programme, language=translation.get_language()
            )
        except Conflict as error:
            session = error.extra.get("session")  # the session refused, as the service names it
            raise (_with_waitlist(error, request, session) if session else error) from None
        body = {"programme": programme.pk, "bookings": BookingOutputSerializer(bookings, many=True).data}
        return Response(body, status=status.HTTP_201_CREATED)
