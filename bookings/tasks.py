"""Background work for bookings: thin wrappers that take ids and call one service."""

import logging

from celery import shared_task
from django.utils import timezone

from bookings import notifications, services
from bookings.payments import services as payment_services
from bookings.payments.stripe_gateway import PaymentUnavailable
from core import idempotency

logger = logging.getLogger(__name__)


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


@shared_task(acks_late=True)
def stripe_event_apply_task(event_id: int) -> str:
    return payment_services.stripe_event_apply(event_id=event_id)


# Calls to Stripe: an outage is logged, not retried here. A pending refund is sent again by
# ``refunds_resend_task`` (same idempotency key); a session left open expires on its own at the
# hold's end; a missing receipt link only means the booker uses Stripe's e-mailed receipt.


@shared_task(acks_late=True)
def refund_send_task(refund_id: int) -> bool:
    try:
        payment_services.refund_send(refund_id=refund_id)
    except PaymentUnavailable:
        logger.warning("refund %s: Stripe unavailable, refunds_resend_task will send it", refund_id)
        return False
    return True


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def refund_failed_notify_task(refund_id: int) -> bool:
    return notifications.refund_failed_notify(refund_id=refund_id)


@shared_task(acks_late=True)
def refunds_resend_task() -> int:
    return payment_services.refunds_resend()


@shared_task(acks_late=True)
def stripe_events_reapply_task() -> int:
    return payment_services.stripe_events_reapply()


@shared_task(acks_late=True)
def checkout_expire_task(payment_id: int) -> bool:
    try:
        payment_services.checkout_close(payment_id=payment_id)
    except PaymentUnavailable:
        logger.warning("payment %s: Stripe unavailable, its session will expire on its own", payment_id)
        return False
    return True


@shared_task(acks_late=True)
def receipt_fetch_task(payment_id: int) -> bool:
    try:
        payment_services.receipt_fetch(payment_id=payment_id)
    except PaymentUnavailable:
        logger.warning("payment %s: Stripe unavailable, no receipt link stored", payment_id)
        return False
    return True
