"""The booking API's input and output shapes (the OpenAPI schema is generated from them)."""

from zoneinfo import ZoneInfo

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings import availability as av
from bookings import rule_texts, search, services
from bookings.models import (
    Booking,
    BookingStatus,
    BookingUnit,
    LateCancellation,
    PaymentState,
    PricingUnit,
    Resource,
    ResourceKind,
)
from bookings.payments import ledger, pay_links
from core import money, origins, windows
from core.api import DECIMAL_STRING, ErrorSerializer, InstantField, RangedIntegerField, local_iso
from core.routes import MAX_ID
from core.validators import multi_line
from venues.api import NearField, RadiusField, radius_needs_near

#: The longest window an availability query may span (``core.windows``: both bounds are required).
MAX_WINDOW_DAYS = 62
LIMITS = windows.limits(max_days=MAX_WINDOW_DAYS, default_days=MAX_WINDOW_DAYS)
#: Kinds booked through this API; event seats are booked through their event.
BOOKABLE_KINDS = [ResourceKind.DESK, ResourceKind.DESK_POOL, ResourceKind.ROOM]


# Input -----------------------------------------------------------------------------------------


class WindowQuerySerializer(serializers.Serializer):
    start = InstantField(
        help_text=(
            "Start of the window, ISO 8601 with offset (2026-03-05T09:00:00+01:00), "
            f"between {windows.FIRST_DAY} and {windows.LAST_DAY}"
        )
    )
    end = InstantField(help_text=f"End of the window, after start and at most {MAX_WINDOW_DAYS} days later")

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError(rule_texts.rule_message("end_before_start"), code="end_before_start")
        try:
            windows.bounded(
                attrs["start"], attrs["end"], default_start=attrs["start"], default_end=attrs["end"], limits=LIMITS
            )
        except windows.WindowError as error:
            raise serializers.ValidationError(str(error.message), code=error.code) from None
        return attrs

    def window(self) -> av.Interval:
        return av.Interval(self.validated_data["start"], self.validated_data["end"])


class NetworkAvailabilityQuerySerializer(WindowQuerySerializer):
    near = NearField(help_text="latitude,longitude — nearest venues first")
    radius_km = RadiusField()
    kind = serializers.ChoiceField(choices=[str(k) for k in BOOKABLE_KINDS], required=False)
    quantity = serializers.IntegerField(required=False, default=1, min_value=1, max_value=10_000)
    limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=200)
    part = serializers.ChoiceField(
        choices=["morning", "afternoon", "day"],
        required=False,
        help_text=(
            "Offer each resource its own venue's morning, afternoon or whole day on the day of the "
            "window's middle (half-day desks their presets, rooms cut to their longest booking); "
            "each result then carries its own start and end"
        ),
    )

    def validate(self, attrs):
        return super().validate(radius_needs_near(attrs))


class ResourceFilterSerializer(serializers.Serializer):
    venue = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="A venue's id")
    kind = serializers.ChoiceField(choices=[str(k) for k in BOOKABLE_KINDS], required=False)


class BookingFilterSerializer(serializers.Serializer):
    when = serializers.ChoiceField(
        choices=["upcoming", "past"], required=False, help_text="upcoming: not yet ended, soonest first"
    )
    status = serializers.ChoiceField(choices=[str(s) for s in BookingStatus], required=False)


class BookingInputSerializer(serializers.Serializer):
    resource = RangedIntegerField(range_min=1, range_max=MAX_ID, help_text="The resource's id")
    start = InstantField()
    end = InstantField()
    quantity = RangedIntegerField(
        range_min=1, required=False, default=1, help_text="Units: desks of a pool, at most its capacity; 1 otherwise"
    )
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=500, validators=[multi_line])


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=500, validators=[multi_line]
    )


# Output ----------------------------------------------------------------------------------------


ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}


class RulesOutputSerializer(serializers.Serializer):
    slot_minutes = serializers.IntegerField()
    min_minutes = serializers.IntegerField()
    max_minutes = serializers.IntegerField()
    lead_minutes = serializers.IntegerField()
    horizon_days = serializers.IntegerField()
    buffer_minutes = serializers.IntegerField()
    booking_unit = serializers.ChoiceField(choices=BookingUnit.choices)
    max_per_day = serializers.IntegerField(allow_null=True)
    max_per_week = serializers.IntegerField(allow_null=True)
    approval_required = serializers.BooleanField()
    free_cancel_hours = serializers.IntegerField()
    late_cancellation = serializers.ChoiceField(choices=LateCancellation.choices)


class ResourceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    venue = serializers.IntegerField(source="venue_id")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ResourceKind.choices)
    capacity = serializers.IntegerField()
    seats = serializers.IntegerField(allow_null=True)
    description = serializers.CharField()
    price = serializers.SerializerMethodField()
    currency = serializers.CharField()
    pricing_unit = serializers.ChoiceField(choices=PricingUnit.choices)
    rules = RulesOutputSerializer(source="*")
    timezone = serializers.CharField(source="venue.timezone")
    origin = serializers.SerializerMethodField()
    origin_name = serializers.SerializerMethodField()
    feed_url = serializers.SerializerMethodField()

    @extend_schema_field(DECIMAL_STRING)
    def get_price(self, resource: Resource) -> str:
        return str(money.to_decimal(resource.price_minor, resource.currency))

    def get_origin(self, resource: Resource) -> str:
        return origins.origin_url(resource.origin)

    def get_origin_name(self, resource: Resource) -> str:
        return origins.origin_name(resource.origin)

    def get_feed_url(self, resource: Resource) -> str:
        return self.context["request"].build_absolute_uri(f"/feeds/resources/{resource.pk}.ics")


class FreeIntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    remaining = serializers.IntegerField()


class AvailabilityOutputSerializer(serializers.Serializer):
    resource = serializers.IntegerField()
    timezone = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    booking_unit = serializers.ChoiceField(choices=BookingUnit.choices)
    slot_minutes = serializers.IntegerField(help_text="Bookings start and end on this grid, from local midnight")
    min_minutes = serializers.IntegerField()
    max_minutes = serializers.IntegerField()
    free = FreeIntervalSerializer(many=True, help_text="Free intervals, each with the units that remain")


class ResourceSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ResourceKind.choices)
    capacity = serializers.IntegerField()
    seats = serializers.IntegerField(allow_null=True)
    price = serializers.SerializerMethodField()
    currency = serializers.CharField()
    pricing_unit = serializers.ChoiceField(choices=PricingUnit.choices)
    booking_unit = serializers.ChoiceField(choices=BookingUnit.choices)
    approval_required = serializers.BooleanField()

    @extend_schema_field(DECIMAL_STRING)
    def get_price(self, resource: Resource) -> str:
        return str(money.to_decimal(resource.price_minor, resource.currency))


class VenueSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="title")
    city = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, venue) -> str:
        """Its page: a peer's venue's is on its own node."""
        if venue.origin:
            return venue.origin_page_url
        request = self.context["request"]
        return request.build_absolute_uri(venue.get_url(request))


class FreeResourceSerializer(serializers.Serializer):
    resource = ResourceSummarySerializer()
    venue = VenueSummarySerializer()
    origin = serializers.SerializerMethodField(help_text="The base URL of the node that owns the resource")
    origin_name = serializers.SerializerMethodField()
    distance_km = serializers.SerializerMethodField()
    remaining = serializers.IntegerField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()

    def get_origin(self, hit: search.SearchHit) -> str:
        return origins.origin_url(hit.resource.origin)

    def get_origin_name(self, hit: search.SearchHit) -> str:
        return origins.origin_name(hit.resource.origin)

    def get_distance_km(self, hit: search.SearchHit) -> float | None:
        return None if hit.distance_km is None else round(hit.distance_km, 3)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_start(self, hit: search.SearchHit) -> str:
        return local_iso(hit.start or self.context["window"].start, ZoneInfo(hit.venue.timezone))

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_end(self, hit: search.SearchHit) -> str:
        return local_iso(hit.end or self.context["window"].end, ZoneInfo(hit.venue.timezone))


class NetworkAvailabilityOutputSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    results = FreeResourceSerializer(many=True, help_text="Free for the whole window, nearest venue first")


class CancellationSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    free = serializers.BooleanField(help_text="Cancelling now costs nothing")
    code = serializers.CharField(help_text="free, late, cancel_too_late, already_started or not_cancellable")
    free_until = serializers.DateTimeField(allow_null=True)
    refund = serializers.CharField(help_text="What cancelling now gives back, in the currency's units")


def booking_answer_head(booking, tz: ZoneInfo) -> dict:
    """The fields a booking's answer shares with a booking made on another node
    (``federation.remote_api.row``), from ``reference`` to ``payment_state``, in that order."""
    resource = booking.resource
    venue = resource.venue
    return {
        "reference": booking.reference,
        "resource": resource.pk,
        "resource_name": resource.name,
        "venue": resource.venue_id,
        "venue_name": venue.title,
        "timezone": venue.timezone,
        "start": local_iso(booking.start, tz),
        "end": local_iso(booking.end, tz),
        "quantity": booking.quantity,
        "status": booking.status,
        "expires_at": local_iso(booking.expires_at, tz),
        "amount": str(money.to_decimal(booking.amount_minor, booking.currency)),
        "currency": booking.currency,
        "payment_state": booking.payment_state,
    }


class BookingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    resource = serializers.IntegerField(source="resource_id")
    resource_name = serializers.CharField(source="resource.name")
    venue = serializers.IntegerField(source="resource.venue_id")
    venue_name = serializers.CharField(source="resource.venue.title")
    timezone = serializers.CharField(source="resource.venue.timezone")
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    quantity = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    expires_at = serializers.SerializerMethodField()
    amount = serializers.SerializerMethodField()
    currency = serializers.CharField()
    payment_state = serializers.ChoiceField(choices=PaymentState.choices)
    payment_url = serializers.SerializerMethodField()
    amount_paid = serializers.SerializerMethodField()
    amount_refunded = serializers.SerializerMethodField()
    receipt_url = serializers.SerializerMethodField()
    cancellation = serializers.SerializerMethodField()
    note = serializers.CharField()
    created_at = serializers.SerializerMethodField()

    def _tz(self, booking: Booking) -> ZoneInfo:
        return ZoneInfo(booking.resource.venue.timezone)

    def to_representation(self, booking: Booking) -> dict:
        """The fields above, written out: every booking, registration and waitlist answer goes
        through here, and DRF's loop copies and binds its 22 fields on each use first (a sixth of
        a booking's CPU in the API's own code). ``test_booking_output`` holds it to that loop."""
        tz = ZoneInfo(booking.resource.venue.timezone)
        charged = self._charged(booking)
        totals = ledger.totals(booking) if charged else None
        return {
            "id": booking.pk,
            **booking_answer_head(booking, tz),
            "payment_url": self.get_payment_url(booking),
            "amount_paid": str(money.to_decimal(totals.paid if totals else 0, booking.currency)),
            "amount_refunded": str(money.to_decimal(totals.committed if totals else 0, booking.currency)),
            "receipt_url": (totals.receipt_url or None) if totals else None,
            "cancellation": self.get_cancellation(booking),
            "note": booking.note,
            "created_at": local_iso(booking.created_at, tz),
        }

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_start(self, booking: Booking) -> str:
        return local_iso(booking.start, self._tz(booking))

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_end(self, booking: Booking) -> str:
        return local_iso(booking.end, self._tz(booking))

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_expires_at(self, booking: Booking) -> str | None:
        return local_iso(booking.expires_at, self._tz(booking))

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_created_at(self, booking: Booking) -> str:
        return local_iso(booking.created_at, self._tz(booking))

    @extend_schema_field(DECIMAL_STRING)
    def get_amount(self, booking: Booking) -> str:
        return str(money.to_decimal(booking.amount_minor, booking.currency))

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_payment_url(self, booking: Booking) -> str | None:
        """While the booking is held for payment: the link that opens Stripe Checkout for it."""
        return pay_links.pay_url(booking) if pay_links.awaits_payment(booking, timezone.now()) else None

    def _charged(self, booking: Booking) -> bool:
        return booking.payment_state in (PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED)

    def get_amount_paid(self, booking: Booking) -> str:
        paid = ledger.totals(booking).paid if self._charged(booking) else 0
        return str(money.to_decimal(paid, booking.currency))

    def get_amount_refunded(self, booking: Booking) -> str:
        refunded = ledger.totals(booking).committed if self._charged(booking) else 0
        return str(money.to_decimal(refunded, booking.currency))

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_receipt_url(self, booking: Booking) -> str | None:
        if not self._charged(booking):
            return None
        return ledger.totals(booking).receipt_url or None

    @extend_schema_field(CancellationSerializer)
    def get_cancellation(self, booking: Booking) -> dict:
        terms = services.cancellation_terms(booking, timezone.now())
        return {
            "allowed": terms["allowed"],
            "free": terms["free"],
            "code": terms["code"],
            "free_until": local_iso(terms.get("free_until"), self._tz(booking)),
            "refund": str(money.to_decimal(terms.get("refund_minor", 0), booking.currency)),
        }
