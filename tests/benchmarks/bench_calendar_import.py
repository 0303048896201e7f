"""Outside calendars: what an import costs, on a real loopback server, and how the scheduler spreads
500 calendars.

Run with ``make bench`` (or ``.venv/bin/python -m pytest tests/benchmarks/bench_calendar_import.py
-m benchmark -s -p no:randomly``); set ``DATABASE_URL`` for PostgreSQL. Prints figures; asserts
what must hold (no write on a re-import, one request for a 304), never timings.

* **import** — a Google-shaped calendar (``VTIMEZONE`` Europe/Paris, ``DTSTAMP``, ``X-WR-TIMEZONE``)
  of 2,000 events, a third of them weekly (``COUNT`` or ``UNTIL``), on a room with a 365-day
  horizon: fetch + parse + write from empty, median of 5 runs, each on a fresh calendar; with the
  federation's receiver connected and disconnected in turn (its cost: the outbox entries); the
  statements of one import, and the fetch and the parse timed alone.
* **re-import** — the same events, only ``DTSTAMP`` changed (Google rewrites it on every fetch): no
  ``bookings_busyblock`` or outbox write; the statements printed.
* **304** — the calendar unchanged: one HTTP request, its time.
* **scheduling** — 500 calendars added in the same minute, the beat task run minute after minute
  (each claimed fetch stubbed as a success: the calendar takes its slot, ``scheduling.next_slot``):
  the most calendars due in one second and in one minute, first fetches and steady state.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import BusyBlock
from calendars import parsing, scheduling, services, tasks
from calendars.fetching import fetch_calendar
from calendars.models import ExternalCalendar, Outcome
from calendars.services import imports
from calendars.signals import blocks_changed
from federation import signals as federation_signals
from federation import tasks as federation_tasks
from federation.models import Change, ChangeKind
from tests.benchmarks.support import db_label, load_average, print_table, short_sql, summary
from tests.support.calendar_server import CalendarServer

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RUNS = 5
#: The parse alone, and the re-import (a parse each), are timed fewer times: seconds each.
PARSE_RUNS = 3
EVENTS = 2_000
CALENDARS = 500
PARIS = ZoneInfo("Europe/Paris")

VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nX-LIC-LOCATION:Europe/Paris\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
)


def google_calendar(stamp: datetime, *, events: int = EVENTS, seed: int = 15) -> bytes:
    """``events`` events as Google's secret iCal address serves them: every third one weekly (ten
    times, or until a date ten weeks on), the others single, over the last 25 days and the next
    360; all at Paris wall-clock times. ``stamp`` is the ``DTSTAMP`` of every event."""
    rng = random.Random(seed)
    today = datetime.now(PARIS).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    dtstamp = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
        "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:Salle du conseil\r\n"
        "X-WR-TIMEZONE:Europe/Paris\r\n",
        VTIMEZONE,
    ]
    for n in range(events):
        recurring = n % 3 == 0
        day = today + timedelta(days=rng.randint(-20, 300) if recurring else rng.randint(-25, 360))
        start = day.replace(hour=rng.randint(8, 18), minute=rng.choice((0, 15, 30, 45)))
        end = start + timedelta(minutes=rng.choice((30, 60, 90, 120, 180)))
        rule = ""
        if recurring:
            if n % 2:
                rule = "RRULE:FREQ=WEEKLY;COUNT=10\r\n"
            else:
                until = (start + timedelta(weeks=9)).replace(tzinfo=PARIS).astimezone(UTC)
                rule = f"RRULE:FREQ=WEEKLY;UNTIL={until:%Y%m%dT%H%M%SZ}\r\n"
        lines.append(
            "BEGIN:VEVENT\r\n"
            f"DTSTART;TZID=Europe/Paris:{start:%Y%m%dT%H%M%S}\r\n"
            f"DTEND;TZID=Europe/Paris:{end:%Y%m%dT%H%M%S}\r\n"
            f"{rule}DTSTAMP:{dtstamp}\r\n"
            f"UID:{n:06d}abcdef{seed:04d}@google.com\r\n"
            "CREATED:20260105T101500Z\r\nDESCRIPTION:\r\nLAST-MODIFIED:20260105T101500Z\r\nLOCATION:\r\n"
            f"SEQUENCE:0\r\nSTATUS:CONFIRMED\r\nSUMMARY:Réunion {n}\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\n"
        )
    lines.append("END:VCALENDAR\r\n")
    return "".join(lines).encode()


@pytest.fixture
def server(settings):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.0/8"]
    calendar_server = CalendarServer().start()
    yield calendar_server
    calendar_server.stop()


@pytest.fixture
def quiet(monkeypatch):
    """No fetch queued by ``calendar_add``'s commit, no outbox stamping task (a worker's job)."""
    monkeypatch.setattr(tasks.calendar_fetch_task, "delay", lambda *a, **k: None)
    monkeypatch.setattr(federation_tasks.outbox_published, "delay", lambda *a, **k: None)


@pytest.fixture
def room(make_resource):
    return make_resource(name="Salle du conseil", horizon_days=365)


def _federation(on: bool) -> None:
    if on:
        blocks_changed.connect(
            federation_signals.outside_blocks_changed, sender=ExternalCalendar, dispatch_uid="federation-outside-blocks"
        )
    else:
        blocks_changed.disconnect(sender=ExternalCalendar, dispatch_uid="federation-outside-blocks")


def _busy_entries() -> int:
    return Change.objects.filter(kind=ChangeKind.BUSY).count()


def _new_calendar(room, url: str) -> ExternalCalendar:
    calendar = services.calendar_add(venue=room.venue, resource=room, address=url, queue_fetch=False)
    return ExternalCalendar.objects.select_related("venue", "resource").get(pk=calendar.pk)


def _writes_on(queries, table: str) -> list[str]:
    pattern = re.compile(rf'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?{table}"?', re.IGNORECASE)
    return [q["sql"] for q in queries if pattern.match(q["sql"])]


def _statements_by_kind(queries) -> list[list]:
    counts = Counter(short_sql(q["sql"])[:110] for q in queries)
    return [[n, shape] for shape, n in counts.most_common()]


def test_import_from_empty_and_its_federation_cost(server, room, quiet, monkeypatch):
    body = google_calendar(timezone.now())
    server.publish("/google.ics", body)
    url = server.url("/google.ics")

    # Warm-up (imports, zone data), its statements captured; then each run on a fresh calendar.
    calendar = _new_calendar(room, url)
    with CaptureQueriesContext(connection) as captured:
        result = services.calendar_fetch(calendar)
    assert result.outcome == Outcome.IMPORTED, result.error
    blocks = result.created
    assert _busy_entries() == blocks
    queries = list(captured.captured_queries)

    def fresh() -> ExternalCalendar:
        nonlocal calendar
        BusyBlock.objects.all().delete()
        Change.objects.all().delete()
        calendar.delete()
        calendar = _new_calendar(room, url)
        return calendar

    full_ms = []
    for _ in range(RUNS):
        fresh()
        started = time.perf_counter()
        result = services.calendar_fetch(calendar)
        full_ms.append((time.perf_counter() - started) * 1000)
        assert result.created == blocks

    fetch_ms, parse_ms = [], []
    window_start, window_end = timezone.now() - timedelta(days=30), timezone.now() + timedelta(days=365)
    for _ in range(PARSE_RUNS):
        started = time.perf_counter()
        fetched = fetch_calendar(url)
        fetch_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        parsed = parsing.parse(
            fetched.body, zone="Europe/Paris", start=window_start, end=window_end, all_day_blocks=False
        )
        parse_ms.append((time.perf_counter() - started) * 1000)
    assert len(parsed.busy) == blocks

    # The federation's cost without the parse's noise: fetch + write, the parse served from memory,
    # the receiver connected and disconnected in turn.
    monkeypatch.setattr(imports.parsing, "parse", lambda *args, **kwargs: parsed)
    timings, entries = {True: [], False: []}, {True: [], False: []}
    for run in range(2 * RUNS):
        on = run % 2 == 0
        fresh()
        _federation(on)
        try:
            started = time.perf_counter()
            result = services.calendar_fetch(calendar)
            timings[on].append((time.perf_counter() - started) * 1000)
        finally:
            _federation(True)
        assert result.created == blocks
        entries[on].append(_busy_entries())

    with_fed, without = summary(timings[True]), summary(timings[False])
    print_table(
        f"Import of {EVENTS:,} events ({EVENTS // 3 + 1} weekly), {len(body) / 1024:.0f} KiB, 365-day horizon "
        f"— {db_label()}, load {load_average()}",
        ["step", "median ms", "min ms", "max ms", "runs"],
        [
            ["fetch+parse+write from empty (federation on)", *_three(summary(full_ms)), RUNS],
            ["  fetch alone (loopback HTTP)", *_three(summary(fetch_ms)), PARSE_RUNS],
            ["  parse + expand alone", *_three(summary(parse_ms)), PARSE_RUNS],
            ["fetch+write (parse cached), federation on", *_three(with_fed), RUNS],
            ["fetch+write (parse cached), federation off", *_three(without), RUNS],
            ["  federation's extra (medians)", with_fed["median"] - without["median"], "", "", ""],
        ],
        note=(
            f"blocks written: {blocks:,}; outbox busy entries per import: {entries[True][0]:,} with the receiver, "
            f"{entries[False][0]} without; statements of one import: {len(queries)} "
            f"({len(_writes_on(queries, 'bookings_busyblock'))} writes on bookings_busyblock, "
            f"{len(_writes_on(queries, 'federation_change'))} on federation_change)"
        ),
    )
    print_table("Statements of one import (federation on)", ["n", "statement"], _statements_by_kind(queries))
    assert entries[True] == [blocks] * RUNS and entries[False] == [0] * RUNS


def _three(stats: dict) -> list[float]:
    return [stats["median"], stats["min"], stats["max"]]


def test_reimport_with_new_dtstamps_writes_nothing_and_a_304_is_one_request(server, room, quiet):
    server.publish("/google.ics", google_calendar(timezone.now()))
    calendar = _new_calendar(room, server.url("/google.ics"))
    result = services.calendar_fetch(calendar)
    assert result.outcome == Outcome.IMPORTED, result.error
    blocks, entries = result.created, _busy_entries()

    reimport_ms, statements = [], None
    for run in range(PARSE_RUNS):
        server.publish("/google.ics", google_calendar(timezone.now() + timedelta(minutes=run + 1)))
        calendar.refresh_from_db()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = services.calendar_fetch(calendar)
            reimport_ms.append((time.perf_counter() - started) * 1000)
        assert result.outcome == Outcome.UNCHANGED, result
        queries = list(captured.captured_queries)
        assert _writes_on(queries, "bookings_busyblock") == []
        assert _writes_on(queries, "federation_change") == []
        statements = statements or queries
    assert BusyBlock.objects.count() == blocks and _busy_entries() == entries

    not_modified_ms, requests = [], []
    for _ in range(RUNS):
        calendar.refresh_from_db()
        before = len(server.requests)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = services.calendar_fetch(calendar)
            not_modified_ms.append((time.perf_counter() - started) * 1000)
        assert result.outcome == Outcome.NOT_MODIFIED
        requests.append(len(server.requests) - before)
        not_modified_queries = list(captured.captured_queries)
    assert requests == [1] * RUNS

    print_table(
        f"Fetching an unchanged calendar ({blocks:,} blocks stored) — {db_label()}, load {load_average()}",
        ["case", "median ms", "min ms", "max ms", "statements", "busy-block writes", "HTTP requests"],
        [
            # The digest ignores DTSTAMP lines (calendars.services.imports.body_digest): no parse.
            ["re-import, only DTSTAMP changed", *_three(summary(reimport_ms)), len(statements), 0, 1],
            ["304 Not Modified", *_three(summary(not_modified_ms)), len(not_modified_queries), 0, requests[0]],
        ],
    )
    print_table("Statements of the re-import", ["n", "statement"], _statements_by_kind(statements))
    print_table("Statements of the 304", ["n", "statement"], _statements_by_kind(not_modified_queries))


def test_500_calendars_added_in_one_minute_are_spread(room, quiet, monkeypatch, settings):
    start = timezone.now().replace(second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: start)
    for n in range(CALENDARS):
        services.calendar_add(
            venue=room.venue,
            resource=room,
            address=f"https://calendar.google.com/ical/{n}/basic.ics",
            queue_fetch=False,
        )
    assert ExternalCalendar.objects.filter(next_fetch_at__lte=start).count() == CALENDARS

    claimed: list[tuple[datetime, list[int]]] = []

    def fetched(calendar_ids: list[int], now: datetime) -> None:
        """What a successful fetch leaves: the calendar at its next slot."""
        rows = list(ExternalCalendar.objects.filter(pk__in=calendar_ids))
        for row in rows:
            row.next_fetch_at = scheduling.next_slot(row.pk, now)
        ExternalCalendar.objects.bulk_update(rows, ["next_fetch_at"])

    queued: list[int] = []
    # The beat's fetches are recorded, not run (they would look up calendar.google.com).
    monkeypatch.setattr(tasks.calendar_fetch_task, "apply_async", lambda args, countdown=0: queued.append(args[0]))
    minutes = 3 * settings.ESSAIM_CALENDAR_INTERVAL
    for minute in range(minutes):
        now = start + timedelta(minutes=minute, seconds=5)
        monkeypatch.setattr(timezone, "now", lambda now=now: now)
        queued.clear()
        assert tasks.calendars_fetch_due_task() == len(queued)
        claimed.append((now, list(queued)))
        fetched(queued, now)

    per_beat = [len(ids) for _now, ids in claimed]
    first_round = per_beat[:3]
    steady = per_beat[settings.ESSAIM_CALENDAR_INTERVAL :]
    slots = [scheduling.next_slot(pk, start) for pk in ExternalCalendar.objects.values_list("pk", flat=True)]
    by_second = Counter(slot.replace(microsecond=0) for slot in slots)
    by_minute = Counter(slot.replace(second=0, microsecond=0) for slot in slots)
    print_table(
        f"{CALENDARS} calendars added in the same minute, interval {settings.ESSAIM_CALENDAR_INTERVAL} min, "
        f"beat every minute (at most {tasks.BATCH} claimed) — {db_label()}",
        ["figure", "value"],
        [
            ["claimed by the first three beats", ", ".join(map(str, first_round))],
            ["slots: most due in one second", max(by_second.values())],
            ["slots: distinct seconds used", f"{len(by_second)} of {settings.ESSAIM_CALENDAR_INTERVAL * 60}"],
            ["slots: most due in one minute", max(by_minute.values())],
            ["slots: fewest due in one minute", min(by_minute.get(m, 0) for m in _minutes(start, settings))],
            ["steady state: most claimed by one beat", max(steady)],
            ["steady state: fewest claimed by one beat", min(steady)],
            ["steady state: fetches over the last two intervals", sum(steady)],
        ],
        note="A beat queues the calendars due within its minute together; the worker pool runs them as it can.",
    )
    assert max(by_second.values()) < CALENDARS // 10
    assert sum(steady) == 2 * CALENDARS


def _minutes(start: datetime, settings) -> list[datetime]:
    """The minutes of the interval after ``start`` (a whole minute): where the slots fall."""
    return [start + timedelta(minutes=m) for m in range(settings.ESSAIM_CALENDAR_INTERVAL)]
