"""``/api/v1/bookings/``: the caller's bookings, booking and cancelling."""

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings import rule_texts, search, selectors, services
from bookings.api.serializers import (
    BOOKABLE_KINDS,
    ERRORS,
    BookingFilterSerializer,
    BookingInputSerializer,
    BookingOutputSerializer,
    CancelInputSerializer,
)
from bookings.models import Booking
from bookings.throttles import BookingWriteThrottle
from core.api import ErrorSerializer, Pagination, validated
from core.errors import InvalidInput, NotFound
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent


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
            raise InvalidInput(rule_texts.rule_message("not_bookable"), code="not_bookable")
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
