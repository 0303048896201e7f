"""Waitlists: joining one for a full date, one's places, leaving, taking the seat offered."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.api.serializers import BookingOutputSerializer
from bookings.throttles import BookingWriteThrottle
from core.api import ErrorSerializer, Pagination, validated
from core.errors import NotFound
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from events import selectors, services
from events.api.common import event_or_404, recurrence_id_of
from events.api.language import LANG_PARAMETER, LanguageMixin
from events.api.serializers import OccurrenceInputSerializer, WaitlistEntryOutputSerializer
from events.models import WaitlistEntry


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
        event = event_or_404(pk)
        entry = services.waitlist_join(
            user=request.user,
            event=event,
            recurrence_id=recurrence_id_of(event, data.get("occurrence")),
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
