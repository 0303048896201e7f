"""Thin Celery tasks over the accounts' services."""

from celery import shared_task

from accounts import notifications
from accounts.services import retention


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def account_deleted_notify_task(address: str, language: str, cancelled: list, kept: list) -> None:
    notifications.account_deleted(address=address, language=language, cancelled=cancelled, kept=kept)


@shared_task(acks_late=True)
def retention_apply_task() -> dict:
    return retention.retention_apply()
