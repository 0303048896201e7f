"""Reading the agenda: ``/api/v1/events/``, one event, one programme (no log-in needed)."""

from django.utils import timezone, translation
from django.utils.html import escape, linebreaks
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.rich_text import expand_db_html

from core.api import ErrorSerializer, Pagination, validated
from events import selectors
from events.api.common import absolute, api_url, event_items, event_or_404, programme_or_404, single_date
from events.api.language import LANG_PARAMETER, LanguageMixin
from events.api.serializers import (
    DETAIL_OCCURRENCES,
    EventDetailSerializer,
    EventFilterSerializer,
    EventItemSerializer,
    ProgrammeOutputSerializer,
)
from events.models import Event, EventPage
from venues.selectors import venues_localized


def _description(event: Event) -> str:
    """The event page's description (HTML, in the active language), or a session's text."""
    if event.programme_id or event.page_id is None:  # a session, or a peer's event: no page here
        text = event.summary()
        return linebreaks(escape(text)) if text else ""
    page = selectors.pages_in_language([event.page], translation.get_language()).get(event.page_id, event.page)
    page = page.specific
    return expand_db_html(page.body) if isinstance(page, EventPage) and page.body else ""


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
        event = event_or_404(pk)
        now = timezone.now()
        dates = selectors.upcoming(event, now=now, limit=DETAIL_OCCURRENCES)
        # Nothing ahead: the figures of the first date, and no list.
        shown = dates or [selectors.occurrence_get(event, event.start, now=now) or single_date(event)]
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
            "registrations_url": api_url(request, "event-registrations", event.pk),
            "waitlist_url": api_url(request, "event-waitlist", event.pk),
        }
        return Response(EventDetailSerializer(body).data)


class ProgrammeDetailApi(LanguageMixin, APIView):
    """A programme and every session, each at its own venue with its remaining seats."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[LANG_PARAMETER], responses={200: ProgrammeOutputSerializer, 404: ErrorSerializer})
    def get(self, request, pk: int):
        programme = programme_or_404(pk)
        language = translation.get_language()
        shown = selectors.pages_in_language([programme], language).get(programme.pk)
        shown = shown.specific if shown is not None else programme
        sessions = [(event, single_date(event)) for event in selectors.programme_sessions(programme)]
        hub = programme.get_parent()
        body = {
            "id": programme.pk,
            "title": shown.title,
            "summary": shown.summary,
            "intro": expand_db_html(shown.intro) if shown.intro else "",
            "url": absolute(request, shown),
            "hub": hub.pk,
            "hub_name": venues_localized([hub.specific])[0].title,
            "registration_mode": programme.registration_mode,
            "sessions": event_items(request, sessions, pages={programme.pk: shown}, now=timezone.now()),
            "registrations_url": api_url(request, "programme-registrations", programme.pk),
        }
        return Response(ProgrammeOutputSerializer(body).data)
