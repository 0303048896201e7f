"""What the event services share: the clock, a page's canonical and translated versions, and
whether an occurrence may be registered for now."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page

from core import recurrence as rec
from core.errors import InvalidInput, NotFound
from events import selectors
from events.models import Event, EventStatus


def now_or(now: datetime | None) -> datetime:
    return now or timezone.now()


def canonical(page: Page) -> Page:
    """The default-locale version of a page (the one schedules and seats hang on)."""
    default = Locale.get_default()
    if page.locale_id == default.pk:
        return page
    return page.get_translation_or_none(default) or page


def texts(page: Page, read) -> dict[str, str]:
    """``read(translation)`` for every live translation, by language (the canonical one always)."""
    found = {}
    for translation in Page.objects.filter(translation_key=page.translation_key).select_related("locale").specific():
        if translation.live or translation.pk == page.pk:
            value = read(translation)
            if value:
                found[translation.locale.language_code[:2]] = value
    return found


def registrable(event: Event, recurrence_id: datetime, now: datetime) -> rec.Occurrence:
    """The occurrence, if people may register for it now; otherwise ``InvalidInput`` with a reason."""
    if not event.live:
        raise NotFound(_("This event is not published."))
    if event.status == EventStatus.CANCELLED:
        raise InvalidInput(_("This event is cancelled."), code="event_cancelled")
    occurrence = selectors.occurrence_get(event, recurrence_id, now=now)
    if occurrence is None:
        raise InvalidInput(_("The event has no date at that time."), code="no_such_date")
    if occurrence.cancelled:
        raise InvalidInput(_("This date is cancelled."), code="occurrence_cancelled")
    if occurrence.start <= now:
        raise InvalidInput(_("This date has already started."), code="already_started")
    closes = occurrence.start - timedelta(hours=event.registration_closes_hours)
    if now >= closes:
        raise InvalidInput(_("Registration for this date is closed."), code="registration_closed")
    return occurrence
