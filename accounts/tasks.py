"""Accounts' periodic work, thin wrappers over services."""

from celery import shared_task

from accounts.services import invitations


@shared_task(acks_late=True)
def invitation_expire_all_task() -> int:
    """Record lapsed invitations as expired (they are refused by themselves before this runs)."""
    return invitations.invitation_expire_all()
