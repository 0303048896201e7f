"""When each outside calendar is fetched next.

Each calendar has its own minute within the interval (a hash of its id), so 500 calendars added in
the same minute are fetched spread over the interval, never all in the same second, and each at
the same phase every time. A failing calendar backs off (the interval doubled per failure, with
jitter, up to ``ESSAIM_CALENDAR_MAX_BACKOFF``) and is back to its slot after a success.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from django.conf import settings

#: How long a calendar claimed by the scheduler stays claimed (its fetch task runs meanwhile).
CLAIM = timedelta(minutes=10)


def interval() -> timedelta:
    return timedelta(minutes=settings.ESSAIM_CALENDAR_INTERVAL)


def phase(calendar_id: int) -> timedelta:
    """The calendar's offset within the interval, the same on every process."""
    seconds = int(interval().total_seconds())
    digest = hashlib.sha256(f"calendar:{calendar_id}".encode()).digest()
    return timedelta(seconds=int.from_bytes(digest[:8], "big") % max(seconds, 1))


def next_slot(calendar_id: int, now: datetime) -> datetime:
    """The calendar's next slot strictly after ``now``."""
    step = interval()
    epoch = datetime(2000, 1, 1, tzinfo=now.tzinfo)
    elapsed = (now - epoch - phase(calendar_id)) // step
    return epoch + phase(calendar_id) + (elapsed + 1) * step


def after_failure(failures: int, now: datetime) -> datetime:
    """``failures`` in a row: wait the interval doubled per failure, capped, ±10 % jitter."""
    wait = min(interval() * 2 ** max(failures - 1, 0), timedelta(minutes=settings.ESSAIM_CALENDAR_MAX_BACKOFF))
    return now + wait * random.uniform(0.9, 1.1)  # noqa: S311 (jitter, not a secret)


def spread(count: int, seconds: float) -> list[float]:
    """``count`` start delays evenly spread over ``seconds`` (0 for the first)."""
    if count <= 0:
        return []
    step = seconds / count
    return [round(i * step, 2) for i in range(count)]
