"""Thin Celery wrappers over the calendars' services."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from calendars import notifications, scheduling, selectors
from calendars.models import ExternalCalendar

#: At most this many calendars are claimed per beat (a minute); the rest wait for the next one.
BATCH = 200
#: Seconds over which one beat's calendars are started (the beat runs every minute).
SPREAD = 55


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
    so the next beat does not claim them again) and queue a fetch for each. A batch is spread
    over the minute (``countdown``): calendars due together after an outage are not all fetched
    in the same second; after that first fetch each is back at its own slot."""
    now = timezone.now()
    with transaction.atomic():
        # ``skip_locked``: a second beat running at the same moment claims other calendars.
        due = selectors.calendars_due(now).select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:BATCH])
        ExternalCalendar.objects.filter(pk__in=ids).update(next_fetch_at=now + scheduling.CLAIM)
    for calendar_id, delay in zip(ids, scheduling.spread(len(ids), SPREAD), strict=True):
        calendar_fetch_task.apply_async((calendar_id,), countdown=delay)
    return len(ids)


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def calendar_conflicts_notify_task(conflict_ids: list[int]) -> int:
    return notifications.conflicts_notify(conflict_ids)


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def calendar_failing_notify_task(calendar_id: int) -> int:
    return notifications.calendar_failing_notify(calendar_id)
