"""Celery tasks: thin wrappers over ``events.services`` (idempotent, safe to retry).

``events.services`` queues some of these after its commits and imports this module at its top,
as this module imports it: neither reads the other while being imported, so the cycle is safe.
"""

from datetime import datetime

from celery import shared_task

from events import services
from events.models import Event


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def seats_released_task(booking_id: int, resource_id: int) -> int:
    return services.seats_released(booking_id=booking_id, resource_id=resource_id)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def waitlist_promote_task(event_id: int, recurrence_id: str) -> int:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    return services.waitlist_promote(event=event, recurrence_id=datetime.fromisoformat(recurrence_id))


@shared_task(acks_late=True)
def events_extend_horizon_task() -> int:
    return services.events_extend_horizon()
