"""``/api/v1/resources/`` and availability: what can be booked, and when it is free."""

from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings import search, selectors
from bookings.api.serializers import (
    ERRORS,
    AvailabilityOutputSerializer,
    FreeResourceSerializer,
    NetworkAvailabilityOutputSerializer,
    NetworkAvailabilityQuerySerializer,
    ResourceFilterSerializer,
    ResourceOutputSerializer,
    WindowQuerySerializer,
)
from bookings.models import Resource
from core.api import ErrorSerializer, Pagination, local_iso, validated
from core.errors import NotFound
from venues import geo


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
