"""Background work for bookings: thin wrappers that take ids and call one service."""

from celery import shared_task
from django.utils import timezone

from bookings import idempotency, notifications, services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def booking_notify_task(booking_id: int, event: str) -> bool:
    return notifications.booking_notify(booking_id=booking_id, event=event)


@shared_task(acks_late=True)
def hold_expire_all_task() -> int:
    return services.hold_expire_all()


@shared_task(acks_late=True)
def booking_reminders_task() -> int:
    return services.booking_reminders_send()


@shared_task(acks_late=True)
def idempotency_purge_task() -> int:
    return idempotency.idempotency_purge(older_than=timezone.now() - idempotency.KEY_LIFETIME)
