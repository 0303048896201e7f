"""Reads of outside calendars."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from calendars.models import CalendarConflict, ExternalCalendar
from core import identity
from venues.models import VenueTeam


def calendars_for_venue(venue_id: int) -> QuerySet[ExternalCalendar]:
    return ExternalCalendar.objects.filter(venue_id=venue_id).select_related("resource").prefetch_related("resources")


def calendars_due(now: datetime) -> QuerySet[ExternalCalendar]:
    """Enabled calendars whose next fetch has come, the most overdue first."""
    return ExternalCalendar.objects.filter(enabled=True, next_fetch_at__lte=now).order_by("next_fetch_at", "pk")


def calendars_listed() -> QuerySet[ExternalCalendar]:
    """Every calendar, as ``manage.py calendar_list`` shows them."""
    return ExternalCalendar.objects.select_related("venue", "resource").order_by("pk")


def venue_team_recipients(venue) -> list[tuple[str, str]]:
    """Whom to write to about a venue's calendars, each with the language to write in: every
    active manager in the language they chose (else the site's), and the venue's own address in
    the site's language. An address is written to once."""
    team = VenueTeam.objects.filter(translation_key=venue.translation_key).select_related("group").first()
    users = get_user_model().objects.filter(groups=team.group, is_active=True).order_by("pk") if team else []
    recipients: dict[str, str] = {}
    for user in users:
        if user.email:
            recipients.setdefault(user.email.lower(), identity.preferred_language(user) or settings.LANGUAGE_CODE)
    if venue.email:
        recipients.setdefault(venue.email.lower(), settings.LANGUAGE_CODE)
    return sorted(recipients.items())


def conflicts_to_notify(ids) -> QuerySet[CalendarConflict]:
    return (
        CalendarConflict.objects.filter(pk__in=ids)
        .select_related("calendar__venue", "calendar__resource", "booking__resource")
        .order_by("start", "pk")
    )
