"""A calendar failing for long is flagged to its venue's managers: one e-mail per failing spell.

A spell starts at the first failure after a success (``failing_since``) and ends at the next
success (which clears ``failure_notified_at``). The e-mail goes once the spell is older than
``ESSAIM_CALENDAR_FLAG_AFTER_HOURS``; a conditional update claims it, so two fetches failing at
the same moment send it once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from calendars.models import ExternalCalendar


def flag_after() -> timedelta:
    return timedelta(hours=settings.ESSAIM_CALENDAR_FLAG_AFTER_HOURS)


def flag_if_failing_long(calendar: ExternalCalendar, *, now: datetime) -> bool:
    """Queue the managers' e-mail if ``calendar`` has been failing long enough and nobody was told
    in this spell; ``True`` when this call claimed it."""
    if calendar.failing_since is None or calendar.failure_notified_at is not None:
        return False
    if now - calendar.failing_since < flag_after():
        return False
    claimed = ExternalCalendar.objects.filter(
        pk=calendar.pk, failure_notified_at__isnull=True, failing_since__isnull=False
    ).update(failure_notified_at=now)
    if not claimed:
        return False
    calendar.failure_notified_at = now
    from calendars.tasks import calendar_failing_notify_task  # noqa: PLC0415 (tasks import services)

    calendar_id = calendar.pk
    transaction.on_commit(lambda: calendar_failing_notify_task.delay(calendar_id))
    return True
