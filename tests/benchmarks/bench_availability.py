"""Availability of one resource over 30 days with 5,000 existing bookings.

Run with ``make bench`` (or ``.venv/bin/python -m pytest tests/benchmarks/bench_availability.py
-m benchmark -s``); set ``DATABASE_URL`` for PostgreSQL. Prints medians and p90s; asserts the
answers (against an independent minute-by-minute count), never timings.

Two resources, 5,000 bookings each:

* **room** — a meeting room (exclusive, 15-minute buffer) with a long history: 5,000 bookings
  from two years back to a year ahead, back to back on every open day, of which ~130 fall in
  the 30-day window. What the index on ``(resource, start)`` and the window query are for.
* **pool** — a desk pool of 300 desks booked by the half hour, all 5,000 bookings inside the
  30-day window at scattered times: the worst case for the pure sweep (thousands of boundaries)
  and for loading (10,000 timestamps to turn into datetimes).
* **half-days** — a desk pool of 300 desks booked by mornings, afternoons and whole days, all
  5,000 bookings inside the window: a large, busy open space.

For each: ``selectors.resource_availability`` (the whole read: four queries and the pure part),
then its parts — ``resource_calendar`` (the queries) and the pure ``availability`` functions
alone (``opening_intervals`` + ``free_intervals`` on data already loaded, and ``free_intervals``
by itself) — and the API (``GET /api/v1/resources/{id}/availability/``, in-process test client).
A what-if row loads the same bookings summed by ``(start, blocked_until)`` in SQL (bench-only
code, same answer asserted): fewer rows to turn into Python datetimes.

Target from the issue: median < 20 ms.
"""

import random
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from bookings import availability as av
from bookings import selectors
from bookings.inventory import resource_create
from bookings.models import Booking, BookingStatus, Resource
from cms.services import site_setup
from tests.benchmarks.support import db_label, load_average, ms_since, print_table, quiet_task_logs, summary
from venues.models import TiersLieuPage
from venues.services import venue_create

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

N_BOOKINGS = 5_000
WINDOW_DAYS = 30
ROUNDS = 40
TARGET_MS = 20
#: Monday 6:00 in Paris; the window is the next 30 days.
NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
HOURS = [(day, "08:00", "20:00") for day in range(5)]


def _open_days(first, count):
    day = first
    while count:
        if day.weekday() < 5:
            yield day
            count -= 1
        day += timedelta(days=1)


def _local(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def _room_bookings(room, users, rng) -> list[Booking]:
    """Back-to-back meetings on every open day, 15 minutes apart (the buffer), from March 2024 on."""
    bookings = []
    first = (NOW - timedelta(days=730)).astimezone(PARIS).date()
    for day in _open_days(first, 2000):
        cursor = _local(day, 8)
        closing = _local(day, 20)
        while len(bookings) < N_BOOKINGS:
            start = cursor + timedelta(minutes=30 * rng.choice([0, 0, 1]))
            end = start + timedelta(minutes=30 * rng.randint(1, 4))
            if end > closing:
                break
            bookings.append(_booking(room, rng.choice(users), start, end, 1, buffer=15))
            cursor = end + timedelta(minutes=15)
            cursor += timedelta(minutes=(-cursor.minute) % 30)  # back on the half-hour grid
        if len(bookings) >= N_BOOKINGS:
            break
    assert len(bookings) == N_BOOKINGS
    return bookings


def _pool_bookings(pool, users, rng) -> list[Booking]:
    """5,000 bookings of 1–3 desks at scattered half hours within the window, never over capacity."""
    days = list(_open_days(NOW.astimezone(PARIS).date(), 21))
    load: dict[datetime, int] = {}
    bookings = []
    while len(bookings) < N_BOOKINGS:
        day = rng.choice(days)
        start = _local(day, 8) + timedelta(minutes=30 * rng.randint(0, 22))
        end = min(start + timedelta(minutes=30 * rng.randint(1, 10)), _local(day, 20))
        quantity = rng.choice([1, 1, 1, 2, 3])
        steps = [start + timedelta(minutes=30 * k) for k in range(int((end - start).total_seconds() // 1800))]
        if any(load.get(step, 0) + quantity > pool.capacity for step in steps):
            continue
        for step in steps:
            load[step] = load.get(step, 0) + quantity
        bookings.append(_booking(pool, rng.choice(users), start, end, quantity, buffer=0))
    return bookings


def _half_day_bookings(pool, users, rng) -> list[Booking]:
    """5,000 mornings, afternoons and whole days of one desk each within the window."""
    days = list(_open_days(NOW.astimezone(PARIS).date(), 21))
    load: dict[tuple, int] = {}
    bookings = []
    while len(bookings) < N_BOOKINGS:
        day = rng.choice(days)
        halves = rng.choice([("morning",), ("afternoon",), ("morning", "afternoon")])
        if any(load.get((day, half), 0) + 1 > pool.capacity for half in halves):
            continue
        for half in halves:
            load[(day, half)] = load.get((day, half), 0) + 1
        start = _local(day, 8) if halves[0] == "morning" else _local(day, 13)
        end = _local(day, 13) if halves[-1] == "morning" else _local(day, 20)
        bookings.append(_booking(pool, rng.choice(users), start, end, 1, buffer=0))
    return bookings


def _booking(resource, user, start, end, quantity, *, buffer) -> Booking:
    return Booking(
        resource=resource,
        user=user,
        start=start,
        end=end,
        blocked_until=end + timedelta(minutes=buffer),
        quantity=quantity,
        exclusive=resource.is_exclusive,
        status=BookingStatus.CONFIRMED,
        currency="EUR",
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A venue, a room and a desk pool with 5,000 bookings each; rolled back after the last test."""

    with django_db_blocker.unblock(), transaction.atomic():
        with quiet_task_logs():
            tree = site_setup()
            venue = venue_create(
                directory=tree.directory,
                model=TiersLieuPage,
                title="Banc d'essai",
                slug="banc-d-essai",
                city="Lyon",
                latitude=45.76,
                longitude=4.83,
                timezone="Europe/Paris",
                opening_hours=HOURS,
            )
        room = resource_create(
            venue=venue, name="Salle", kind="room", buffer_minutes=15, horizon_days=365, max_minutes=240
        )
        pool = resource_create(
            venue=venue, name="Plateau", kind="desk_pool", capacity=300, horizon_days=365, max_minutes=600
        )
        halves = resource_create(
            venue=venue, name="Open space", kind="desk_pool", capacity=300, horizon_days=365, booking_unit="half_day"
        )
        users = get_user_model().objects.bulk_create(
            [get_user_model()(username=f"bench{i}", password="!") for i in range(200)]  # noqa: S106
        )
        rng = random.Random(42)
        t0 = time.perf_counter_ns()
        generated = _room_bookings(room, users, rng) + _pool_bookings(pool, users, rng)
        Booking.objects.bulk_create(generated + _half_day_bookings(halves, users, rng), batch_size=1000)
        generation_ms = ms_since(t0)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE bookings_booking")
        yield {"room": room, "pool": pool, "half-days": halves, "generation_ms": generation_ms}
        transaction.set_rollback(True)


def _window() -> av.Interval:
    return av.Interval(NOW, NOW + timedelta(days=WINDOW_DAYS))


def _reference_free_minutes(resource: Resource, window: av.Interval) -> dict[datetime, int]:
    """Units free at each opening minute-step of 15 minutes, counted naively from the rows."""
    rows = list(
        Booking.objects.filter(
            resource=resource,
            start__lt=window.end + timedelta(hours=1),
            blocked_until__gt=window.start - timedelta(hours=1),
        ).values_list("start", "blocked_until", "quantity")
    )
    buffer = timedelta(minutes=resource.buffer_minutes)
    free = {}
    day = window.start.astimezone(PARIS).date()
    while _local(day, 0) < window.end:
        if day.weekday() < 5:
            step = _local(day, 8)
            while step < _local(day, 20):
                if window.start <= step < window.end:
                    taken = sum(
                        q for s, until, q in rows if (s - buffer if resource.is_exclusive else s) <= step < until
                    )
                    free[step] = resource.capacity - taken
                step += timedelta(minutes=15)
        day += timedelta(days=1)
    return free


def _check(resource, free: list[av.Free], window) -> int:
    """The selector's answer matches the naive count at every quarter hour.

    Returns how many bookings lie in the window."""
    reference = _reference_free_minutes(resource, window)
    for step, remaining in reference.items():
        found = [f.remaining for f in free if f.start <= step < f.end]
        assert found == ([remaining] if remaining > 0 else []), (resource.name, step, remaining, found)
    return Booking.objects.filter(resource=resource, start__lt=window.end, blocked_until__gt=window.start).count()


def _time(fn, rounds=ROUNDS) -> list[float]:
    fn()  # warm-up: caches, prepared plans
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        fn()
        samples.append(ms_since(t0))
    return samples


def _grouped_occupations(resource, window, rules) -> list[av.Occupation]:
    """What-if, bench-only: the same occupying bookings, summed by ``(start, blocked_until)`` in
    SQL, so that bookings sharing their times (half-days of a desk pool) come back as one row."""
    rows = (
        selectors.occupying_bookings(resource, window, NOW)
        .order_by()
        .values_list("start", "blocked_until")
        .annotate(units=Sum("quantity"))
    )
    return [av.booking_occupation(start, until, units, rules) for start, until, units in rows]


def test_availability_30_days_with_5000_bookings(world, client):
    window = _window()
    rows, notes = [], []
    for label in ("room", "pool", "half-days"):
        resource = world[label]
        assert Booking.objects.filter(resource=resource).count() == N_BOOKINGS
        free = selectors.resource_availability(resource=resource, window=window, now=NOW)
        in_window = _check(resource, free, window)
        with CaptureQueriesContext(connection) as captured:
            selectors.resource_availability(resource=resource, window=window, now=NOW)
        queries = len(captured.captured_queries)

        selector_ms = _time(lambda r=resource: selectors.resource_availability(resource=r, window=window, now=NOW))
        calendar_ms = _time(lambda r=resource: selectors.resource_calendar(r, window, NOW))
        bookings_ms = _time(
            lambda r=resource: list(
                selectors.occupying_bookings(r, window, NOW).values_list("start", "blocked_until", "quantity")
            )
        )

        calendar = selectors.resource_calendar(resource, window, NOW)
        bookable = av.bookable_window(window, calendar.rules, NOW)
        envelope = calendar.rules.booking_unit != "slots"

        def pure(calendar=calendar, bookable=bookable, envelope=envelope):
            spans = av.opening_intervals(calendar.hours, calendar.closures, calendar.tz, bookable, envelope=envelope)
            return av.free_intervals(spans, calendar.occupations, calendar.rules.capacity)

        assert pure() == free
        spans = av.opening_intervals(calendar.hours, calendar.closures, calendar.tz, bookable, envelope=envelope)
        pure_ms = _time(pure)
        sweep_ms = _time(lambda c=calendar, s=spans: av.free_intervals(s, c.occupations, c.rules.capacity))

        def grouped(resource=resource, calendar=calendar, spans=spans):
            occupations = _grouped_occupations(resource, window, calendar.rules)
            return av.free_intervals(spans, occupations, calendar.rules.capacity), len(occupations)

        grouped_free, grouped_rows = grouped()
        assert grouped_free == free, "grouping by (start, end) changes nothing in the answer"
        grouped_ms = _time(grouped)

        start, end = window.start.isoformat(), window.end.isoformat()
        url = f"/api/v1/resources/{resource.pk}/availability/?start={start}&end={end}".replace("+", "%2B")

        def api(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.content[:300]
            return response

        with time_machine.travel(NOW, tick=True):  # the API asks the clock for ``now``
            api_ms = _time(api)
            body = api().json()
        assert len(body["free"]) == len(free), "the API answers what the selector does"

        for part, samples in (
            ("resource_availability", selector_ms),
            ("  resource_calendar (5 queries)", calendar_ms),
            ("    of which the bookings query", bookings_ms),
            ("  opening + free_intervals (pure)", pure_ms),
            ("  free_intervals alone (pure)", sweep_ms),
            ("what-if: bookings grouped in SQL + free_intervals", grouped_ms),
            ("API GET …/availability/ (in-process client)", api_ms),
        ):
            stats = summary(samples)
            target = "yes" if stats["median"] < TARGET_MS else "NO"
            rows.append([label, part, stats["median"], stats["p90"], stats["min"], stats["count"], target])
        notes.append(
            f"{label}: {N_BOOKINGS} bookings on the resource, {in_window} in the window, "
            f"{len(calendar.occupations)} occupations loaded ({grouped_rows} rows once grouped), "
            f"{len(free)} free intervals returned, {queries} SQL queries"
        )
    print_table(
        f"Availability of one resource over {WINDOW_DAYS} days, {N_BOOKINGS} bookings each — {db_label()}",
        ["resource", "what", "median ms", "p90 ms", "min ms", "rounds", f"<{TARGET_MS}ms"],
        rows,
        note="\n".join(notes)
        + "\nroom: exclusive, 15-min buffer, bookings over 3 years; pool: 300 desks by the half hour, all "
        "bookings in the window at scattered times; half-days: 300 desks by mornings/afternoons/days."
        + f"\nbookings generated in {world['generation_ms']:.0f} ms; load average after the run: {load_average()}",
    )
