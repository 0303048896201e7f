"""``/api/v1/resources/``, availability and ``/api/v1/bookings/``: the booking engine over HTTP.

Thin views: check the input, call one selector or service, render. Times go out in the venue's
time zone with their UTC offset; prices and amounts as decimal strings in the currency's units
("12.50", "1500" for XOF). A broken rule is a 400 whose ``code`` names it, a lost race a 409
``no_room``. POSTs honour ``Idempotency-Key`` (``core.idempotency``) and are throttled per
person (scope ``booking``).
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from bookings import availability as av
from bookings import messages, search, selectors, services
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
from core import money
from core.api import DECIMAL_STRING, ErrorSerializer, InstantField, Pagination, local_iso, validated
from core.errors import InvalidInput, NotFound
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from venues import geo

#: The longest window an availability query may span.
MAX_WINDOW_DAYS = 62
#: Kinds booked through this API; event seats are booked through their event.
BOOKABLE_KINDS = [ResourceKind.DESK, ResourceKind.DESK_POOL, ResourceKind.ROOM]


# Input -----------------------------------------------------------------------------------------


class WindowQuerySerializer(serializers.Serializer):
    start = InstantField(help_text="Start of the window, ISO 8601 with offset (2026-03-05T09:00:00+01:00)")
    end = InstantField(help_text=f"End of the window, after start and at most {MAX_WINDOW_DAYS} days later")

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError(messages.rule_message("end_before_start"), code="end_before_start")
        if attrs["end"] - attrs["start"] > timedelta(days=MAX_WINDOW_DAYS):
            raise serializers.ValidationError(
                _("Ask for at most %(days)s days at a time.") % {"days": MAX_WINDOW_DAYS}, code="window_too_long"
            )
        return attrs

    def window(self) -> av.Interval:
        return av.Interval(self.validated_data["start"], self.validated_data["end"])


class NetworkAvailabilityQuerySerializer(WindowQuerySerializer):
    near = serializers.CharField(required=False, help_text="latitude,longitude — nearest venues first")
    radius_km = serializers.CharField(required=False, help_text=f"Default {geo.DEFAULT_RADIUS_KM:.0f}; only with near")
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

    def validate_near(self, value):
        try:
            return geo.parse_point(value)
        except geo.GeoInputError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate_radius_km(self, value):
        try:
            return geo.parse_radius(value)
        except geo.GeoInputError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate(self, attrs):
        if "radius_km" in attrs and "near" not in attrs:
            raise serializers.ValidationError({"radius_km": _("radius_km needs near=<latitude>,<longitude>.")})
        return super().validate(attrs)


class ResourceFilterSerializer(serializers.Serializer):
    venue = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="A venue's id")
    kind = serializers.ChoiceField(choices=[str(k) for k in BOOKABLE_KINDS], required=False)


class BookingFilterSerializer(serializers.Serializer):
    when = serializers.ChoiceField(
        choices=["upcoming", "past"], required=False, help_text="upcoming: not yet ended, soonest first"
    )
    status = serializers.ChoiceField(choices=[str(s) for s in BookingStatus], required=False)


class BookingInputSerializer(serializers.Serializer):
    resource = serializers.IntegerField(help_text="The resource's id")
    start = InstantField()
    end = InstantField()
    quantity = serializers.IntegerField(required=False, default=1, help_text="Units: desks of a pool; 1 otherwise")
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=500)


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=500)


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
    feed_url = serializers.SerializerMethodField()

    @extend_schema_field(DECIMAL_STRING)
    def get_price(self, resource: Resource) -> str:
        return str(money.to_decimal(resource.price_minor, resource.currency))

    def get_origin(self, resource: Resource) -> str:
        return resource.origin or settings.ESSAIM_NODE_URL

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
        request = self.context["request"]
        return request.build_absolute_uri(venue.get_url(request))


class FreeResourceSerializer(serializers.Serializer):
    resource = ResourceSummarySerializer()
    venue = VenueSummarySerializer()
    distance_km = serializers.SerializerMethodField()
    remaining = serializers.IntegerField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()

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


# Views -----------------------------------------------------------------------------------------


class BookingWriteThrottle(ScopedRateThrottle):
    """The ``booking`` rate (per person) on writes; reading one's bookings is not rationed."""

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class ResourceListApi(generics.ListAPIView):
    """Bookable resources of live venues (not event seats), by venue and kind."""

    permission_classes = [AllowAny]
    serializer_class = ResourceOutputSerializer
    pagination_class = Pagination

    @extend_schema(parameters=[ResourceFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = ResourceFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return search.resources_search(
            venue_id=filters.validated_data.get("venue"), kind=filters.validated_data.get("kind", "")
        )


def _resource_or_404(pk: int) -> Resource:
    resource = search.resource_bookable_get(pk=pk)
    if resource is None:
        raise NotFound(_("No bookable resource with this id."), code="resource_not_found")
    return resource


class ResourceDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ResourceOutputSerializer, 404: ErrorSerializer})
    def get(self, request, pk: int):
        resource = _resource_or_404(pk)
        return Response(ResourceOutputSerializer(resource, context={"request": request}).data)


class ResourceAvailabilityApi(APIView):
    """Free intervals of one resource in a window (at most 62 days), in the venue's time zone:
    open, not closed, past the notice and within the horizon, with the units that remain."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[WindowQuerySerializer], responses={200: AvailabilityOutputSerializer, **ERRORS})
    def get(self, request, pk: int):
        resource = _resource_or_404(pk)
        query = WindowQuerySerializer(data=request.query_params)
        validated(query)
        window = query.window()
        free = selectors.resource_availability(resource=resource, window=window, now=timezone.now())
        tz = ZoneInfo(resource.venue.timezone)
        body = {
            "resource": resource.pk,
            "timezone": resource.venue.timezone,
            "start": local_iso(window.start, tz),
            "end": local_iso(window.end, tz),
            "capacity": resource.capacity,
            "booking_unit": resource.booking_unit,
            "slot_minutes": resource.slot_minutes,
            "min_minutes": resource.min_minutes,
            "max_minutes": resource.max_minutes,
            "free": [
                {"start": local_iso(f.start, tz), "end": local_iso(f.end, tz), "remaining": f.remaining} for f in free
            ],
        }
        return Response(AvailabilityOutputSerializer(body).data)


class NetworkAvailabilityApi(APIView):
    """Desks and rooms free for the whole window across the network, nearest venue first with
    ``near`` (by venue name without): each could be booked for exactly that window."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[NetworkAvailabilityQuerySerializer],
        responses={200: NetworkAvailabilityOutputSerializer, 400: ErrorSerializer},
    )
    def get(self, request):
        query = NetworkAvailabilityQuerySerializer(data=request.query_params)
        data = validated(query)
        window = query.window()
        hits = search.free_resources(
            window=window,
            near=data.get("near"),
            radius_km=data.get("radius_km", geo.DEFAULT_RADIUS_KM),
            kind=data.get("kind", ""),
            quantity=data["quantity"],
            now=timezone.now(),
            limit=data["limit"],
            part=data.get("part", ""),
        )
        context = {"request": request, "window": window}
        body = {
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
            "results": FreeResourceSerializer(hits, many=True, context=context).data,
        }
        return Response(body)


class BookingListApi(generics.ListAPIView):
    """``GET``: the caller's bookings. ``POST``: book a resource (``Idempotency-Key`` welcome)."""

    permission_classes = [IsAuthenticated]
    serializer_class = BookingOutputSerializer
    pagination_class = Pagination
    throttle_classes = [BookingWriteThrottle]
    throttle_scope = "booking"

    @extend_schema(parameters=[BookingFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = BookingFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return search.bookings_search(
            user=self.request.user,
            when=filters.validated_data.get("when", ""),
            status=filters.validated_data.get("status", ""),
            now=timezone.now(),
        )

    @extend_schema(
        request=BookingInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: BookingOutputSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    @idempotent
    def post(self, request):
        data = validated(BookingInputSerializer(data=request.data))
        resource = selectors.resource_get(pk=data["resource"])
        if resource is None:
            raise InvalidInput(_("No resource with this id."), code="unknown_resource")
        if resource.kind not in BOOKABLE_KINDS:
            raise InvalidInput(messages.rule_message("not_bookable"), code="not_bookable")
        booking = services.booking_create(
            user=request.user,
            request=services.BookingRequest(resource, data["start"], data["end"], data["quantity"]),
            note=data["note"],
            language=translation.get_language() or "",
        )
        return Response(BookingOutputSerializer(booking).data, status=status.HTTP_201_CREATED)


def _own_booking_or_404(request, pk: int) -> Booking:
    booking = search.booking_of_user_get(user=request.user, pk=pk)
    if booking is None:
        raise NotFound(_("You have no booking with this id."), code="booking_not_found")
    return booking


class BookingDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: BookingOutputSerializer, 404: ErrorSerializer})
    def get(self, request, pk: int):
        return Response(BookingOutputSerializer(_own_booking_or_404(request, pk)).data)


class BookingCancelApi(APIView):
    """Cancel one's booking under the resource's policy (``cancellation`` says what it costs)."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [BookingWriteThrottle]
    throttle_scope = "booking"

    @extend_schema(
        request=CancelInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: BookingOutputSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, pk: int):
        data = validated(CancelInputSerializer(data=request.data))
        booking = _own_booking_or_404(request, pk)
        booking = services.booking_cancel(booking=booking, actor=request.user, reason=data["reason"])
        return Response(BookingOutputSerializer(booking).data)
