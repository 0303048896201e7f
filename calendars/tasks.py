"""Thin Celery wrappers over the calendars' services."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from calendars import scheduling, selectors
from calendars.models import ExternalCalendar

#: At most this many calendars are claimed per beat (a minute); the rest wait for the next one.
BATCH = 200


@shared_task(acks_late=True, ignore_result=True)
def calendar_fetch_task(calendar_id: int) -> str:
    """Fetch and import one calendar; the outcome is recorded on it, never raised."""
    from calendars.services import calendar_fetch  # noqa: PLC0415

    calendar = ExternalCalendar.objects.select_related("venue", "resource").filter(pk=calendar_id).first()
    if calendar is None:
        return "gone"
    return calendar_fetch(calendar).outcome


@shared_task(acks_late=True, ignore_result=True)
def calendars_fetch_due_task() -> int:
    """Beat, every minute: claim the calendars due now (pushing their next fetch past the claim,
    so the next beat does not claim them again) and queue a fetch for each."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(selectors.calendars_due(now).values_list("pk", flat=True)[:BATCH])
        ExternalCalendar.objects.filter(pk__in=ids).update(next_fetch_at=now + scheduling.CLAIM)
    for calendar_id in ids:
        calendar_fetch_task.delay(calendar_id)
    return len(ids)
