"""Background work for bookings: thin wrappers that take ids and call one service."""

from celery import shared_task
from django.utils import timezone

from bookings import idempotency, notifications, payment_services, services
from bookings.stripe_gateway import PaymentUnavailable


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


@shared_task(acks_late=True, autoretry_for=(PaymentUnavailable,), retry_backoff=True, max_retries=8)
def stripe_event_apply_task(event_id: int) -> str:
    return payment_services.stripe_event_apply(event_id=event_id)


@shared_task(acks_late=True, autoretry_for=(PaymentUnavailable,), retry_backoff=True, max_retries=8)
def refund_send_task(refund_id: int) -> None:
    payment_services.refund_send(refund_id=refund_id)


@shared_task(acks_late=True)
def refunds_resend_task() -> int:
    return payment_services.refunds_resend()


@shared_task(acks_late=True, autoretry_for=(PaymentUnavailable,), retry_backoff=True, max_retries=5)
def checkout_expire_task(payment_id: int) -> None:
    payment_services.checkout_close(payment_id=payment_id)


@shared_task(acks_late=True, autoretry_for=(PaymentUnavailable,), retry_backoff=True, max_retries=5)
def receipt_fetch_task(payment_id: int) -> None:
    payment_services.receipt_fetch(payment_id=payment_id)
