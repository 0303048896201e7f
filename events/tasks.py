"""Celery tasks: thin wrappers over ``events.services`` (idempotent, safe to retry)."""

from celery import shared_task

from events import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def seats_released_task(booking_id: int, resource_id: int) -> int:
    return services.seats_released(booking_id=booking_id, resource_id=resource_id)


@shared_task(acks_late=True)
def events_extend_horizon_task() -> int:
    return services.events_extend_horizon()
