"""The events API's input and output shapes (the OpenAPI schema is generated from them)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.api.serializers import BookingOutputSerializer
from core import windows
from core.api import DECIMAL_STRING, ErrorSerializer, RangedIntegerField, local_iso, parse_instant
from events import selectors
from events.models import (
    AttendanceMode,
    Event,
    RegistrationMode,
    WaitlistEntry,
    WaitlistStatus,
    occurrence_key,
)
from venues import vocabulary

#: The longest window the list may span, and the one it shows without ``ends_before``.
MAX_WINDOW_DAYS = 400
DEFAULT_WINDOW_DAYS = 90
LIMITS = windows.limits(max_days=MAX_WINDOW_DAYS, default_days=DEFAULT_WINDOW_DAYS)
#: How many upcoming dates an event's detail lists.
DETAIL_OCCURRENCES = 50


# Input -----------------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "example": "2026-03-05",
        "description": (
            f"A date (YYYY-MM-DD, a whole day in the node's zone) or a date and time with its offset, "
            f"between {windows.FIRST_DAY} and {windows.LAST_DAY}"
        ),
    }
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
                try:
                    windows.in_range(day, self.field_name)
                except windows.WindowError as error:
                    raise serializers.ValidationError(str(error.message), code=error.code) from None
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
        required=False,
        help_text=(
            "Dates starting at or after this (default: those not yet ended; with ends_before alone, "
            f"at most {MAX_WINDOW_DAYS} days before it)"
        ),
    )
    ends_before = DayOrInstantField(
        end=True,
        required=False,
        help_text=(
            f"Dates ending by this (a date includes its day); default {DEFAULT_WINDOW_DAYS} days after "
            f"starts_after (or now), at most {MAX_WINDOW_DAYS} days after it"
        ),
    )
    kind = serializers.ChoiceField(
        choices=[code for code, _label in vocabulary.KINDS], required=False, help_text="The venue's kind"
    )
    city = serializers.CharField(required=False, max_length=120, help_text="The venue's city")
    price = serializers.ChoiceField(choices=["free", "paid"], required=False)

    def validate(self, attrs):
        """The window, bounded whichever bound is given (``core.windows.bounded``); without
        ``starts_after`` it stays "not yet ended" unless ``ends_before`` moves it."""
        now = timezone.now()
        given = attrs.get("starts_after")
        try:
            start, end = windows.bounded(
                given,
                attrs.get("ends_before"),
                default_start=now,
                default_end=(given or now) + LIMITS.default_span,
                limits=LIMITS,
                names=("starts_after", "ends_before"),
            )
        except windows.WindowError as error:
            raise serializers.ValidationError(str(error.message), code=error.code) from None
        if end <= start:
            raise serializers.ValidationError(
                _("ends_before must be after starts_after (now when not given)."), code="end_before_start"
            )
        if given is None and start != now:
            attrs["starts_after"] = start
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
    quantity = RangedIntegerField(range_min=1, range_max=10, required=False, default=1, help_text="Seats, 1 to 10")


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
    origin = serializers.URLField(help_text="The base URL of the node that owns the event (ours for our own)")
    origin_name = serializers.CharField(help_text="That node's name")


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
