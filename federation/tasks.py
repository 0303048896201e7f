"""Thin Celery wrappers over the federation's services."""

from celery import shared_task

from federation import outbox


@shared_task(acks_late=True, ignore_result=True)
def outbox_published():
    """After a commit that wrote outbox entries: stamp their positions (then peers are nudged)."""
    outbox.stamp()
