"""Registering: for one date of an event, or for a whole programme (each a booking on seats)."""

from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.api.serializers import BookingOutputSerializer
from bookings.throttles import BookingWriteThrottle
from core.api import ErrorSerializer, validated
from core.errors import Conflict
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, answer_now, idempotent
from core.locking import locks_at_the_end
from events import services
from events.api.common import event_or_404, programme_or_404, recurrence_id_of, with_waitlist
from events.api.language import LANG_PARAMETER, LanguageMixin
from events.api.serializers import (
    EventErrorSerializer,
    ProgrammeRegistrationSerializer,
    RegistrationInputSerializer,
)


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
        event = event_or_404(pk)
        try:
            # The seats' lock at the very end, after the answer is built and recorded: a rush
            # waits on it only, and it covers only the count and the commit.
            with locks_at_the_end():
                booking = services.registration_create(
                    user=request.user,
                    event=event,
                    recurrence_id=recurrence_id_of(event, data.get("occurrence")),
                    quantity=data["quantity"],
                    language=translation.get_language(),
                )
                response = answer_now(
                    request, Response(BookingOutputSerializer(booking).data, status=status.HTTP_201_CREATED)
                )
        except Conflict as error:
            raise with_waitlist(error, request, event.pk) from None
        return response


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
        programme = programme_or_404(pk)
        try:
            bookings = services.programme_register(
                user=request.user, programme=programme, language=translation.get_language()
            )
        except Conflict as error:
            session = error.extra.get("session")  # the session refused, as the service names it
            raise (with_waitlist(error, request, session) if session else error) from None
        body = {"programme": programme.pk, "bookings": BookingOutputSerializer(bookings, many=True).data}
        return Response(body, status=status.HTTP_201_CREATED)
