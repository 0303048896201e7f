"""The scheduler: each calendar at its own slot within the interval, 500 added together spread
over it, failures backing off, the beat claiming the due ones once and spreading its batch."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from calendars import scheduling, tasks
from calendars.models import ExternalCalendar

NOW = datetime(2026, 3, 2, 9, 0, 17, tzinfo=UTC)


def test_500_calendars_added_in_the_same_minute_get_their_own_slots(settings):
    settings.ESSAIM_CALENDAR_INTERVAL = 30
    interval = timedelta(minutes=30)
    slots = [
        scheduling.next_slot(calendar_id, NOW + timedelta(seconds=calendar_id % 60)) for calendar_id in range(1, 501)
    ]
    assert all(NOW < slot <= NOW + interval + timedelta(minutes=1) for slot in slots)
    per_second = Counter(slot.replace(microsecond=0) for slot in slots)
    per_minute = Counter(slot.replace(second=0, microsecond=0) for slot in slots)
    assert max(per_second.values()) <= 4, per_second.most_common(3)
    assert len(per_second) > 400  # nearly all in a second of their own
    assert max(per_minute.values()) <= 2 * 500 / 30, per_minute.most_common(3)  # about 17 a minute
    assert len(per_minute) >= 29


def test_a_calendar_keeps_its_phase_from_one_fetch_to_the_next(settings):
    settings.ESSAIM_CALENDAR_INTERVAL = 30
    first = scheduling.next_slot(42, NOW)
    second = scheduling.next_slot(42, first)
    assert second - first == timedelta(minutes=30)
    assert scheduling.next_slot(42, first - timedelta(seconds=1)) == first


def test_failures_back_off_to_the_cap(settings):
    settings.ESSAIM_CALENDAR_INTERVAL = 30
    settings.ESSAIM_CALENDAR_MAX_BACKOFF = 12 * 60
    waits = [scheduling.after_failure(n, NOW) - NOW for n in range(1, 10)]
    assert timedelta(minutes=27) <= waits[0] <= timedelta(minutes=33)
    assert timedelta(minutes=54) <= waits[1] <= timedelta(minutes=66)
    assert all(w <= timedelta(hours=12) * 1.1 for w in waits)
    assert waits[-1] >= timedelta(hours=12) * 0.9


def test_a_batch_is_spread_over_the_minute():
    delays = scheduling.spread(200, 55)
    assert delays[0] == 0 and delays[-1] < 55
    assert max(Counter(int(d) for d in delays).values()) <= 4


@pytest.mark.django_db
def test_the_beat_claims_the_due_calendars_once_and_spreads_them(make_resource, monkeypatch):
    room = make_resource()
    now = timezone.now()
    due = [
        ExternalCalendar.objects.create(venue=room.venue, resource=room, address_sealed="x", next_fetch_at=now)
        for _ in range(5)
    ]
    later = ExternalCalendar.objects.create(
        venue=room.venue, resource=room, address_sealed="x", next_fetch_at=now + timedelta(hours=1)
    )
    off = ExternalCalendar.objects.create(
        venue=room.venue, resource=room, address_sealed="x", next_fetch_at=now, enabled=False
    )
    queued = []
    monkeypatch.setattr(
        tasks.calendar_fetch_task, "apply_async", lambda args, countdown: queued.append((args[0], countdown))
    )
    assert tasks.calendars_fetch_due_task() == 5
    assert sorted(q[0] for q in queued) == sorted(c.pk for c in due)
    assert len({q[1] for q in queued}) == 5  # each its own second
    assert tasks.calendars_fetch_due_task() == 0  # claimed: not again at the next beat
    assert later.pk not in {q[0] for q in queued} and off.pk not in {q[0] for q in queued}
