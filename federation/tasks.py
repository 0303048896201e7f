"""Thin Celery wrappers over the federation's services."""

from celery import shared_task

from federation import outbox


@shared_task(acks_late=True, ignore_result=True)
def outbox_published():
    """After a commit that wrote outbox entries: stamp their positions (then peers are nudged)."""
    outbox.stamp()


@shared_task(acks_late=True, ignore_result=True)
def remote_bookings_retry_task():
    """Ask again for remote holds whose answer was lost (same key: never a second booking)."""
    from federation.services import remote_bookings  # noqa: PLC0415

    return remote_bookings.remote_retry_all()
