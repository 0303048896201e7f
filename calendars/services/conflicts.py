"""Bookings that an imported busy time now overlaps.

A busy block never cancels a booking: the import records a ``CalendarConflict`` per (calendar,
booking, block) — once, whatever the number of imports that see it again — and, after the commit,
the venue's managers get one e-mail naming the new ones (``calendars.notifications``). They decide.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q

from bookings.models import Booking, BookingStatus, BusyBlock, occupying_at
from calendars.models import CalendarConflict, ExternalCalendar


def occupying(now: datetime) -> Q:
    """The bookings that hold the resource or may soon: held (not expired), awaiting approval,
    confirmed, checked in."""
    return occupying_at(now) | Q(status=BookingStatus.PENDING_APPROVAL)


def overlapping_bookings(blocks: list[BusyBlock], now: datetime) -> list[tuple[BusyBlock, Booking]]:
    """Each (block, booking) pair where an occupying booking of the block's resource overlaps it."""
    if not blocks:
        return []
    earliest, latest = min(b.start for b in blocks), max(b.end for b in blocks)
    candidates = Booking.objects.filter(
        occupying(now),
        resource_id__in={b.resource_id for b in blocks},
        start__lt=latest,
        end__gt=max(earliest, now),
    )
    by_resource: dict[int, list[Booking]] = {}
    for booking in candidates.only("pk", "resource_id", "start", "end"):
        by_resource.setdefault(booking.resource_id, []).append(booking)
    pairs = []
    for block in blocks:
        for booking in by_resource.get(block.resource_id, ()):
            if booking.start < block.end and block.start < booking.end:
                pairs.append((block, booking))
    return pairs


def record_after_import(calendar: ExternalCalendar, written: list[BusyBlock], *, now: datetime) -> list[int]:
    """Inside the import's transaction: record the conflicts the ``written`` blocks (new or moved)
    make with bookings still ahead, and queue the managers' e-mail for the new ones after the
    commit. Returns the ids of the conflicts recorded now."""
    pairs = overlapping_bookings(written, now)
    if not pairs:
        return []
    known = set(
        CalendarConflict.objects.filter(
            calendar=calendar, booking_id__in={booking.pk for _b, booking in pairs}
        ).values_list("booking_id", "block_uid")
    )
    fresh = {}
    for block, booking in pairs:
        key = (booking.pk, block.uid)
        if key not in known and key not in fresh:
            fresh[key] = CalendarConflict(
                calendar=calendar, booking=booking, block_uid=block.uid, start=block.start, end=block.end
            )
    if not fresh:
        return []
    # ``ignore_conflicts``: the unique (calendar, booking, block_uid) settles a race, never twice.
    CalendarConflict.objects.bulk_create(fresh.values(), ignore_conflicts=True)
    ids = list(
        CalendarConflict.objects.filter(calendar=calendar, notified_at__isnull=True)
        .filter(booking_id__in={k[0] for k in fresh}, block_uid__in={k[1] for k in fresh})
        .values_list("pk", flat=True)
    )
    if ids:
        from calendars.tasks import calendar_conflicts_notify_task  # noqa: PLC0415 (tasks import services)

        transaction.on_commit(lambda: calendar_conflicts_notify_task.delay(ids))
    return ids
