"""The change feed's cost: what the outbox producer adds to a booking, and reading 10,000 entries.

Run with ``make bench`` (or ``.venv/bin/python -m pytest tests/benchmarks/bench_outbox.py -m
benchmark -s``); set ``DATABASE_URL`` for PostgreSQL. Prints figures; asserts the entries, never
timings.

* **booking** — ``booking_create`` on a desk pool, each in its own committed transaction, with the
  federation's booking receivers connected and disconnected in turn (interleaved, so both see the
  same table sizes): median and p90 ms and the statements of one booking. The stamping after the
  commit runs in a Celery worker in production, not in the request: it is stubbed here, and
  measured on its own (stamping the run's entries in one go). The confirmation e-mail's queueing
  is stubbed in both modes.
* **read** — 10,000 committed entries read from position 0 to the head in pages of 200 (the
  default) and 500 (the cap): total and per-page ms, the statements of one page, bytes per page.
"""

import json
import time
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.test.utils import CaptureQueriesContext

from bookings import services as booking_services
from bookings.models import Booking
from bookings.services import placing
from federation import outbox, signals, tasks
from federation.models import Change, ChangeKind
from tests.benchmarks.support import db_label, load_average, print_table, summary
from tests.support.factories import next_weekday_at

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BOOKINGS = 150  # per mode
ENTRIES = 10_000


@pytest.fixture
def quiet(monkeypatch):
    monkeypatch.setattr(placing, "notify", lambda booking, event: None)
    monkeypatch.setattr(tasks.outbox_published, "delay", lambda *a, **k: None)


def _producer(on: bool) -> None:
    if on:
        post_save.connect(signals.booking_saved, sender=Booking, dispatch_uid="federation-booking-saved")
        post_delete.connect(signals.booking_deleted, sender=Booking, dispatch_uid="federation-booking-deleted")
    else:
        post_save.disconnect(sender=Booking, dispatch_uid="federation-booking-saved")
        post_delete.disconnect(sender=Booking, dispatch_uid="federation-booking-deleted")


def test_booking_with_and_without_the_producer(make_resource, quiet):
    pool = make_resource(kind="desk_pool", name="Open space", capacity=10_000)
    start = next_weekday_at(pool, 10)
    request = booking_services.BookingRequest(pool, start, start + timedelta(hours=1), 1)
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench-outbox-{n}") for n in range(2 * BOOKINGS + 2)]
    )
    timings = {True: [], False: []}
    statements = {}
    try:
        for n, user in enumerate(users):
            on = n % 2 == 0
            _producer(on)
            if on not in statements:
                with CaptureQueriesContext(connection) as captured:
                    booking_services.booking_create(user=user, request=request)
                statements[on] = [q["sql"] for q in captured.captured_queries]
                continue
            started = time.perf_counter()
            booking_services.booking_create(user=user, request=request)
            timings[on].append((time.perf_counter() - started) * 1000)
    finally:
        _producer(True)
    assert Booking.objects.count() == len(users)
    busy = Change.objects.filter(kind=ChangeKind.BUSY).count()
    assert busy == BOOKINGS + 1  # one entry per booking made with the producer
    started = time.perf_counter()
    stamped = outbox.stamp()
    stamp_ms = (time.perf_counter() - started) * 1000
    on, off = summary(timings[True]), summary(timings[False])
    extra = [sql for sql in statements[True] if "federation_" in sql]
    print_table(
        f"Booking with and without the outbox producer ({db_label()}, load {load_average()})",
        ["mode", "median ms", "p90 ms", "statements", "bookings"],
        [
            ["producer on", on["median"], on["p90"], len(statements[True]), on["count"]],
            ["producer off", off["median"], off["p90"], len(statements[False]), off["count"]],
            ["difference", on["median"] - off["median"], on["p90"] - off["p90"], len(extra), ""],
        ],
        note=f"statements the producer adds: {[sql[:90] for sql in extra]}; "
        f"stamping {stamped} entries after the run: {stamp_ms:.1f} ms ({stamp_ms / max(stamped, 1):.3f} ms each)",
    )


def test_reading_ten_thousand_entries_in_pages(quiet):
    outbox.record_many([(ChangeKind.BUSY, uuid.uuid4(), _busy(n), False) for n in range(ENTRIES)])
    started = time.perf_counter()
    assert outbox.stamp() == ENTRIES
    stamp_ms = (time.perf_counter() - started) * 1000
    rows = []
    for limit in (outbox.DEFAULT_LIMIT, outbox.MAX_LIMIT):
        cursor, pages, seen, sizes, page_ms = 0, 0, 0, [], []
        total = time.perf_counter()
        while True:
            started = time.perf_counter()
            page = outbox.read(cursor, limit)
            page_ms.append((time.perf_counter() - started) * 1000)
            sizes.append(len(json.dumps(page.as_json(), separators=(",", ":"))))
            pages += 1
            seen += len(page.changes)
            cursor = page.next
            if not page.more:
                break
        total_ms = (time.perf_counter() - total) * 1000
        assert seen == ENTRIES and cursor == ENTRIES
        with CaptureQueriesContext(connection) as captured:
            outbox.read(0, limit)
        per_page = summary(page_ms)
        rows.append(
            [limit, pages, total_ms, per_page["median"], len(captured.captured_queries), sum(sizes) // len(sizes)]
        )
    print_table(
        f"Reading {ENTRIES:,} entries from 0 to the head ({db_label()}, load {load_average()})",
        ["limit", "pages", "total ms", "median ms/page", "statements/page", "bytes/page"],
        rows,
        note=f"stamping the {ENTRIES:,} entries first: {stamp_ms:.0f} ms",
    )


def _busy(n: int) -> dict:
    return {
        "resource": str(uuid.UUID(int=n % 50)),
        "start": "2026-12-01T09:00:00+00:00",
        "end": "2026-12-01T10:00:00+00:00",
        "quantity": 1,
        "expires_at": None,
    }
