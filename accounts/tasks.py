"""Accounts' periodic and background work, thin wrappers over services."""

from celery import shared_task

from accounts import notifications
from accounts.services import invitations, retention


@shared_task(acks_late=True)
def invitation_expire_all_task() -> int:
    """Record lapsed invitations as expired (they are refused by themselves before this runs)."""
    return invitations.invitation_expire_all()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def account_deleted_notify_task(address: str, language: str, cancelled: list, kept: list) -> None:
    notifications.account_deleted(address=address, language=language, cancelled=cancelled, kept=kept)


@shared_task(acks_late=True)
def retention_apply_task() -> dict:
    return retention.retention_apply()
