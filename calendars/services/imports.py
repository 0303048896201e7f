"""Fetch a calendar and make its busy blocks match it: atomically, and writing only what changed.

The fetch and the parse happen outside any transaction (they may take seconds); the write is one
short transaction under the calendar's lock: the blocks are compared with what is stored, by
``(resource, uid)``, and only new, moved and vanished ones are written. A failure of any kind
records the calendar's error and keeps the last good blocks untouched.

``body_hash`` keys what the last import read *and* what it was expanded for: the body's digest,
then a digest of the context (the resources blocked, the all-day option, the day's window). The
same bytes for the same context are not parsed again; a new context (a resource added to the
venue, the window sliding to the next day) fetches without validators and expands again, so a
304 never hides new busy times, and once a day the window moves on.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from bookings.models import BusyBlock, Resource
from calendars import addresses, parsing, scheduling
from calendars.fetching import FetchError, fetch_calendar
from calendars.models import ExternalCalendar, Outcome
from calendars.services import conflicts, failing
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
    """Whole UTC days, so that two imports on the same day expand over the same window (and the
    same bytes give the same blocks)."""
    horizon = max((r.horizon_days for r in resources), default=90)
    today = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
    return today - PAST, today + timedelta(days=horizon + 1)


#: Characters of ``body_hash`` given to the body's digest; the rest is the context's.
BODY_DIGEST = 40


#: ``DTSTAMP`` lines: when the file was written, not what it says (Google rewrites them on every fetch).
STAMPS = re.compile(rb"^DTSTAMP[;:][^\r\n]*\r?\n", re.MULTILINE)


def body_digest(body: bytes) -> str:
    """The digest of what the calendar says: Google's calendar re-fetched with new ``DTSTAMP``s
    and nothing else changed is not parsed again."""
    return hashlib.sha256(STAMPS.sub(b"", body)).hexdigest()[:BODY_DIGEST]


def context_digest(calendar: ExternalCalendar, resources: list[Resource], now: datetime) -> str:
    start, end = window(calendar, resources, now)
    context = f"{sorted(r.pk for r in resources)}|{calendar.all_day_blocks}|{start:%Y%m%d}|{end:%Y%m%d}"
    return hashlib.sha256(context.encode()).hexdigest()[: 64 - BODY_DIGEST]


def calendar_fetch(calendar: ExternalCalendar, *, now: datetime | None = None) -> FetchResult:
    """Fetch ``calendar`` now (whatever its schedule) and apply it; never raises for bad input."""
    now = now or timezone.now()
    try:
        url = addresses.unseal(calendar.address_sealed)
    except addresses.InvalidToken:
        return _failed(calendar, now, "secret_lost", "The address was sealed with another secret key.")
    resources = targets(calendar)
    context = context_digest(calendar, resources, now)
    same_context = bool(calendar.body_hash) and calendar.body_hash[BODY_DIGEST:] == context
    try:
        fetched = fetch_calendar(
            url,
            etag=calendar.http_etag if same_context else "",
            last_modified=calendar.http_last_modified if same_context else "",
        )
    except FetchError as exc:
        return _failed(calendar, now, exc.code, str(exc))
    if not fetched.modified:
        return _succeeded(calendar, now, Outcome.NOT_MODIFIED, fetched=None)
    digest = body_digest(fetched.body) + context
    if digest == calendar.body_hash:
        return _succeeded(calendar, now, Outcome.UNCHANGED, fetched=fetched)
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
    except Exception:  # a parser bug must not stop the scheduler: recorded like bad input
        logger.exception("calendar %s (%s): the parser failed", calendar.pk, calendar.address_hint)
        return _failed(calendar, now, "not_a_calendar", "The calendar could not be read.")
    return _apply(calendar, now, parsed, resources, fetched, digest)


def _apply(calendar, now, parsed: parsing.Parsed, resources, fetched, digest) -> FetchResult:
    fetched_for = (calendar.address_sealed, calendar.all_day_blocks)
    caller = calendar
    with transaction.atomic():
        calendar = lock_objects([calendar], related=["venue"]).get((ExternalCalendar, calendar.pk))
        if calendar is None:  # deleted while it was being fetched: nothing to write
            return FetchResult(outcome=Outcome.UNCHANGED)
        if (calendar.address_sealed, calendar.all_day_blocks) != fetched_for:
            # Changed while it was being fetched: the fetch queued by the change
            # reads the new address; these bytes are no longer this calendar's.
            return FetchResult(outcome=Outcome.UNCHANGED)
        stored = {(b.resource_id, b.uid): b for b in BusyBlock.objects.filter(source=calendar.source)}
        wanted = {(r.pk, busy.key): (r, busy) for r in resources for busy in parsed.busy}
        new, moved = [], []
        for key, (resource, busy) in wanted.items():
            block = stored.get(key)
            # The whole resource is busy: every unit of it (each desk of a pool).
            units = resource.capacity
            if block is None:
                new.append(
                    BusyBlock(
                        resource=resource,
                        start=busy.start,
                        end=busy.end,
                        quantity=units,
                        source=calendar.source,
                        uid=busy.key,
                    )
                )
            elif block.start != busy.start or block.end != busy.end or block.quantity != units:
                block.start, block.end, block.quantity, block.updated_at = busy.start, busy.end, units, now
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
        result = _succeeded(
            calendar, now, outcome, fetched=fetched, extra=["events_count", "intervals_count", "body_hash"]
        )
        result.created, result.updated, result.deleted, result.written = len(new), len(moved), len(gone), written
        if written:
            conflicts.record_after_import(calendar, written, now=now)
    for name in (*STATE, *RECORDED):  # the caller's instance sees what was recorded
        setattr(caller, name, getattr(calendar, name))
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


#: What a fetch records on the calendar; only these are saved, so a fetch never overwrites an
#: address, a name or an option a manager changed while it ran.
STATE = [
    "last_outcome",
    "last_fetch_at",
    "next_fetch_at",
    "failures",
    "failing_since",
    "error_code",
    "error",
    "updated_at",
]


#: What an import records besides the state.
RECORDED = [
    "last_success_at",
    "failure_notified_at",
    "events_count",
    "intervals_count",
    "body_hash",
    "http_etag",
    "http_last_modified",
]


def _succeeded(calendar, now, outcome, *, fetched, extra=()) -> FetchResult:
    calendar.last_outcome = outcome
    calendar.last_fetch_at = calendar.last_success_at = now
    calendar.next_fetch_at = scheduling.next_slot(calendar.pk, now)
    calendar.failures = 0
    calendar.failing_since = calendar.failure_notified_at = None
    calendar.error_code = calendar.error = ""
    fields = [*STATE, "last_success_at", "failure_notified_at", *extra]
    if fetched is not None:
        calendar.http_etag, calendar.http_last_modified = fetched.etag, fetched.last_modified
        fields += ["http_etag", "http_last_modified"]
    calendar.save(update_fields=list(dict.fromkeys(fields)))
    return FetchResult(outcome=outcome)


def _failed(calendar, now, code: str, message: str) -> FetchResult:
    calendar.last_outcome = Outcome.FAILED
    calendar.last_fetch_at = now
    calendar.failures += 1
    calendar.failing_since = calendar.failing_since or now
    calendar.next_fetch_at = scheduling.after_failure(calendar.failures, now)
    calendar.error_code, calendar.error = code, message[:300]
    calendar.save(update_fields=STATE)
    logger.warning("calendar %s (%s): %s (%s)", calendar.pk, calendar.address_hint, code, message)
    failing.flag_if_failing_long(calendar, now=now)
    return FetchResult(outcome=Outcome.FAILED, error_code=code, error=message)
