"""Reads of outside calendars."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from calendars.models import ExternalCalendar


def calendars_for_venue(venue_id: int) -> QuerySet[ExternalCalendar]:
    return ExternalCalendar.objects.filter(venue_id=venue_id).select_related("resource").prefetch_related("resources")


def calendars_due(now: datetime) -> QuerySet[ExternalCalendar]:
    """Enabled calendars whose next fetch has come, the most overdue first."""
    return ExternalCalendar.objects.filter(enabled=True, next_fetch_at__lte=now).order_by("next_fetch_at", "pk")
