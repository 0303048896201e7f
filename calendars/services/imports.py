"""Fetch a calendar and make its busy blocks match it: atomically, and writing only what changed.

The fetch and the parse happen outside any transaction (they may take seconds); the write is one
short transaction under the calendar's lock: the blocks are compared with what is stored, by
``(resource, uid)``, and only new, moved and vanished ones are written. A failure of any kind
records the calendar's error and keeps the last good blocks untouched.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from bookings.models import BusyBlock, Resource
from calendars import addresses, parsing, scheduling
from calendars.fetching import FetchError, fetch_calendar
from calendars.models import ExternalCalendar, Outcome
from calendars.signals import blocks_changed
from core.locking import lock_objects

logger = logging.getLogger(__name__)

#: How far back imported busy times are kept (the resource's feed shows the last 30 days).
PAST = timedelta(days=30)


@dataclass
class FetchResult:
    outcome: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    error_code: str = ""
    error: str = ""
    written: list[BusyBlock] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return self.outcome != Outcome.FAILED


def targets(calendar: ExternalCalendar) -> list[Resource]:
    """The resources the calendar blocks: its resource, the venue's chosen ones, or all of them.
    An outside event takes the whole resource (every desk of a pool: the space is in use)."""
    if calendar.resource_id:
        return [calendar.resource]
    chosen = list(calendar.resources.all())
    if chosen:
        return chosen
    return list(Resource.objects.filter(venue_id=calendar.venue_id, origin=""))


def window(calendar: ExternalCalendar, resources: list[Resource], now: datetime) -> tuple[datetime, datetime]:
    horizon = max((r.horizon_days for r in resources), default=90)
    return now - PAST, now + timedelta(days=horizon)


def calendar_fetch(calendar: ExternalCalendar, *, now: datetime | None = None) -> FetchResult:
    """Fetch ``calendar`` now (whatever its schedule) and apply it; never raises for bad input."""
    now = now or timezone.now()
    try:
        url = addresses.unseal(calendar.address_sealed)
    except addresses.InvalidToken:
        return _failed(calendar, now, "secret_lost", "The address was sealed with another secret key.")
    try:
        fetched = fetch_calendar(url, etag=calendar.http_etag, last_modified=calendar.http_last_modified)
    except FetchError as exc:
        return _failed(calendar, now, exc.code, str(exc))
    if not fetched.modified:
        return _succeeded(calendar, now, Outcome.NOT_MODIFIED, fetched=None)
    digest = hashlib.sha256(fetched.body).hexdigest()
    if digest == calendar.body_hash:
        return _succeeded(calendar, now, Outcome.UNCHANGED, fetched=fetched)
    resources = targets(calendar)
    start, end = window(calendar, resources, now)
    try:
        parsed = parsing.parse(
            fetched.body,
            zone=calendar.venue.timezone,
            start=start,
            end=end,
            all_day_blocks=calendar.all_day_blocks,
        )
    except parsing.CalendarError as exc:
        return _failed(calendar, now, exc.code, str(exc))
    return _apply(calendar, now, parsed, resources, fetched, digest)


def _apply(calendar, now, parsed: parsing.Parsed, resources, fetched, digest) -> FetchResult:
    with transaction.atomic():
        calendar = lock_objects([calendar], related=["venue"]).get((ExternalCalendar, calendar.pk))
        if calendar is None:  # deleted while it was being fetched: nothing to write
            return FetchResult(outcome=Outcome.UNCHANGED)
        stored = {(b.resource_id, b.uid): b for b in BusyBlock.objects.filter(source=calendar.source)}
        wanted = {(r.pk, busy.key): (r, busy) for r in resources for busy in parsed.busy}
        new, moved = [], []
        for key, (resource, busy) in wanted.items():
            block = stored.get(key)
            if block is None:
                new.append(
                    BusyBlock(resource=resource, start=busy.start, end=busy.end, source=calendar.source, uid=busy.key)
                )
            elif block.start != busy.start or block.end != busy.end:
                block.start, block.end, block.updated_at = busy.start, busy.end, now
                moved.append(block)
        gone = [block for key, block in stored.items() if key not in wanted]
        if gone:
            BusyBlock.objects.filter(pk__in=[b.pk for b in gone]).delete()
        if new:
            BusyBlock.objects.bulk_create(new, batch_size=500)
        if moved:
            BusyBlock.objects.bulk_update(moved, ["start", "end", "quantity", "updated_at"], batch_size=500)
        if new and any(b.pk is None for b in new):  # SQLite before 3.35 gives no ids back
            keys = {b.uid for b in new}
            new = list(BusyBlock.objects.filter(source=calendar.source, uid__in=keys))
        written = new + moved
        if written or gone:
            blocks_changed.send(
                sender=ExternalCalendar,
                calendar=calendar,
                written=written,
                deleted=[(b.resource_id, b.uid) for b in gone],
            )
        calendar.events_count = parsed.events
        calendar.intervals_count = len(parsed.busy)
        calendar.body_hash = digest
        outcome = Outcome.IMPORTED if (written or gone) else Outcome.UNCHANGED
        result = _succeeded(calendar, now, outcome, fetched=fetched)
        result.created, result.updated, result.deleted, result.written = len(new), len(moved), len(gone), written
    logger.info(
        "calendar %s (%s): %s, %d new, %d moved, %d removed",
        calendar.pk,
        calendar.address_hint,
        outcome,
        result.created,
        result.updated,
        result.deleted,
    )
    return result


def _succeeded(calendar, now, outcome, *, fetched) -> FetchResult:
    calendar.last_outcome = outcome
    calendar.last_fetch_at = calendar.last_success_at = now
    calendar.next_fetch_at = scheduling.next_slot(calendar.pk, now)
    calendar.failures = 0
    calendar.failing_since = calendar.failure_notified_at = None
    calendar.error_code = calendar.error = ""
    if fetched is not None:
        calendar.http_etag, calendar.http_last_modified = fetched.etag, fetched.last_modified
    calendar.save()
    return FetchResult(outcome=outcome)


def _failed(calendar, now, code: str, message: str) -> FetchResult:
    calendar.last_outcome = Outcome.FAILED
    calendar.last_fetch_at = now
    calendar.failures += 1
    calendar.failing_since = calendar.failing_since or now
    calendar.next_fetch_at = scheduling.after_failure(calendar.failures, now)
    calendar.error_code, calendar.error = code, message[:300]
    calendar.save(
        update_fields=[
            "last_outcome",
            "last_fetch_at",
            "failures",
            "failing_since",
            "next_fetch_at",
            "error_code",
            "error",
            "updated_at",
        ]
    )
    logger.warning("calendar %s (%s): %s (%s)", calendar.pk, calendar.address_hint, code, message)
    return FetchResult(outcome=Outcome.FAILED, error_code=code, error=message)
