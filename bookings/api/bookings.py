"""``/api/v1/bookings/``: the caller's bookings, booking and cancelling."""

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings import remote, rule_texts, search, selectors, services
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

    def list(self, request, *args, **kwargs):
        """Our bookings, then the person's bookings on other nodes (mirrored resources), in one list."""
        filters = BookingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = remote.api_rows(
            request.user,
            when=filters.validated_data.get("when", ""),
            status=filters.validated_data.get("status", ""),
            now=timezone.now(),
        )
        if not rows:
            return super().list(request, *args, **kwargs)
        local = self.get_serializer(self.get_queryset(), many=True).data
        page = self.paginate_queryset([*local, *rows])
        return self.get_paginated_response(page)

    @extend_schema(
        request=BookingInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: BookingOutputSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request):
        """A resource of ours is booked here, in one transaction; another node's (a mirror) is
        booked through that node, outside any transaction (``federation``)."""
        resource_id = request.data.get("resource") if hasattr(request.data, "get") else None
        resource = selectors.resource_get(pk=resource_id) if isinstance(resource_id, int) else None
        if resource is not None and resource.is_remote:
            return self._post_remote(request)
        return self._post_here(request, resource=resource)

    @idempotent
    def _post_here(self, request, resource=None):
        """``resource``: the one ``post`` already read for the id in the body (one query, not two)."""
        data = validated(BookingInputSerializer(data=request.data))
        if resource is None or resource.pk != data["resource"]:
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

    @idempotent(atomic=False)
    def _post_remote(self, request):
        data = validated(BookingInputSerializer(data=request.data))
        resource = selectors.resource_get(pk=data["resource"])
        place = remote.api_placer()
        if resource is None or place is None or resource.kind not in BOOKABLE_KINDS:
            raise InvalidInput(rule_texts.rule_message("not_bookable"), code="not_bookable")
        return Response(place(request, resource, data), status=status.HTTP_201_CREATED)


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


class RemoteBookingCancelApi(APIView):
    """Cancel one's booking of another node's resource (its ``id`` is a uid): the venue's node
    cancels it under its own policy."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [BookingWriteThrottle]
    throttle_scope = "booking"

    @extend_schema(
        operation_id="bookings_remote_cancel",
        request=CancelInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: BookingOutputSerializer, **ERRORS},
    )
    @idempotent(atomic=False)
    def post(self, request, uid):
        data = validated(CancelInputSerializer(data=request.data))
        cancel = remote.api_canceller()
        if cancel is None:
            raise NotFound(_("You have no booking with this id."), code="booking_not_found")
        return Response(cancel(request, uid, data["reason"]))
