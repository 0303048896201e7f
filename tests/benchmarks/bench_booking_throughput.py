"""Booking throughput on PostgreSQL: 32 concurrent clients through the API, next to the raw limit.

Run with ``DATABASE_URL=postgres://… make bench`` (or ``.venv/bin/python -m pytest
tests/benchmarks/bench_booking_throughput.py -m benchmark -s``); skipped on SQLite. Prints
figures; asserts that every booking was made, once, never timings.

Three measurements in one run, on the same kind of work — 32 clients, each its own person, token,
HTTP connection and meeting room, each booking distinct one-hour slots:

* **API, gunicorn** — ``POST /api/v1/bookings/`` with ``Authorization: Token ess_…`` and an
  ``Idempotency-Key``, against gunicorn started as production starts it (``deploy/gunicorn.conf.py``:
  ``2 × CPUs + 1`` gthread workers of 2 threads, ``DEBUG`` off) on this run's test
  database. The figure to compare with the raw limit.
* **API, live server** — the same against pytest-django's ``live_server`` (Django's threaded
  development server inside the pytest process). It shares one interpreter, hence one GIL, with
  the 32 client threads: a floor, shown for comparison, not the server one deploys.
* **raw INSERT** — the same ``INSERT INTO bookings_booking`` (exclusion constraint included), in
  bare psycopg, 32 connections in 32 threads, one autocommitted statement per booking: what the
  database alone can take.

Beside them, on the same gunicorn and clients, three **floors** (``tests.benchmarks.floor``): a
WSGI answer before Django, a bare Django view behind the middleware, a DRF view with the bookings
API's token, throttle and parser that books nothing. A booking can go no faster than the floor
under it. Every rush also reads each process family's CPU time from ``/proc`` before and after
(``support.cpu_by_family``) and prints the CPU per request of gunicorn, PostgreSQL, Redis and the
clients: where the CPU went, and on 2 CPUs the rate cannot exceed 2,000 ms ÷ the machine's CPU
per request (other tenants of a shared machine swing it too: compare with the same run's floors).
With 32 clients each waiting for its answer, the mean latency is 32 ÷ the rate: p95 < 100 ms
needs well over 320 bookings/s.

What the API does per booking on top of that INSERT: token lookup, throttle, idempotency record
(reserve, then store the answer), the resource's calendar (hours and closures from the cache,
bookings and busy blocks in one statement), the INSERT, the audit row, serialisation. The confirmation
e-mail is queued ``on_commit`` (a Redis push in production); here the queueing is replaced by a
no-op in both servers, so that e-mail rendering does not count as booking work.

A second test, **one busy event date**: 32 clients register 320 people (named tokens, one
registration each) for a date of 200 seats, against the same gunicorn, after a warm-up on another
date: exactly 200 registrations, 120 refusals ``event_full``, never oversold. Beside it, pretix
(``tests.benchmarks.pretix_peer``: its own virtual environment, database and gunicorn) sells one
event's quota of 200 to the same 32 clients through its orders API; the ratio is printed.

gunicorn runs with Redis as cache, throttle store and Celery broker (``_bench_redis``), as
deployed; no worker consumes the queue (e-mails are stubbed; the outbox's nudges wait).
``ESSAIM_BENCH_WORKERS`` and ``ESSAIM_BENCH_THREADS`` start it with another shape than the
recipe's (``WEB_CONCURRENCY``, ``GUNICORN_THREADS``), for a worker sweep. ``ESSAIM_BENCH_ROUNDS``
(default 1) runs the busy date that many times, each on a date of its own, against the same
gunicorn, and prints every round and their median: one round lasts about 5 s, which a shared
machine's noise can swing by a fifth.

Targets from issue #17: distinct slots ≥ 250 bookings/s with p95 < 100 ms; the busy date ≥ 200
registrations/s with p99 < 250 ms.
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services.tokens import api_token_create
from bookings.models import Booking, BookingStatus
from bookings.services import placing
from events import selectors as event_selectors
from events.models import occurrence_key
from tests.benchmarks import floor
from tests.benchmarks.support import cpu_by_family, db_label, load_average, print_table, quiet_task_logs
from tests.support.factories import EventPageFactory

pytestmark = [
    pytest.mark.benchmark,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="measures PostgreSQL (its exclusion constraint)"),
]

CLIENTS = 32
#: Busy-date rounds (``ESSAIM_BENCH_ROUNDS``): each a date of its own, the same people and server.
ROUNDS = max(1, int(os.environ.get("ESSAIM_BENCH_ROUNDS") or 1))
API_PER_CLIENT = 16  # the ``booking`` throttle allows 60 a minute per person
FLOOR_PER_CLIENT = 32  # the floors' requests (``tests.benchmarks.floor``) are never throttled
RAW_PER_CLIENT = 48
PARIS = ZoneInfo("Europe/Paris")
ROOT = Path(__file__).resolve().parents[2]
#: What nginx adds in front of gunicorn (deploy/nginx.conf): TLS ended there, so no redirect to https.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}

#: gunicorn as deploy/ starts it, on a free port, with the confirmation e-mail's queueing stubbed.
GUNICORN_CONF = """
exec(open({deploy!r}).read())
bind = {bind!r}
accesslog = None
_post_worker_init = post_worker_init


def post_worker_init(worker):
    _post_worker_init(worker)
    import bookings.services.placing

    bookings.services.placing.notify = lambda booking, event: None
    from tests.benchmarks import floor

    floor.install(worker)
"""


def _weekdays(count: int, skip: int = 0) -> list[datetime]:
    """``count`` weekdays (local midnight, Paris) starting two days from now, after ``skip`` weekdays."""
    day = timezone.now().astimezone(PARIS).date() + timedelta(days=2)
    days = []
    while len(days) < skip + count:
        if day.weekday() < 5:
            days.append(datetime(day.year, day.month, day.day, tzinfo=PARIS))
        day += timedelta(days=1)
    return days[skip:]


def _slots(count: int, skip_days: int) -> list[tuple[datetime, datetime]]:
    """``count`` one-hour slots, 9:00 to 17:00, on consecutive weekdays."""
    days = _weekdays((count + 7) // 8, skip_days)
    return [(days[n // 8].replace(hour=9 + n % 8), days[n // 8].replace(hour=10 + n % 8)) for n in range(count)]


@pytest.fixture
def scene(make_resource, make_venue, django_user_model, monkeypatch):
    """One venue, 32 rooms, 32 people with tokens; the e-mail queueing stubbed in this process."""
    monkeypatch.setattr(placing, "notify", lambda booking, event: None)
    with quiet_task_logs():
        venue = make_venue(opening_hours=[(day, "09:00", "18:00") for day in range(5)])
    rooms = [make_resource(venue, name=f"Salle {n}") for n in range(CLIENTS)]
    users = [django_user_model.objects.create_user(f"client{n}") for n in range(CLIENTS)]
    tokens = [api_token_create(user=user, name="bench")[1] for user in users]  # ``ess_…``, as clients get them
    return {"venue": venue, "rooms": rooms, "users": users, "tokens": tokens}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(host: str, port: int, process, seconds: float = 300) -> None:
    # Five workers each load Django and warm the gazetteer: on a shared 2-CPU machine at load 10
    # that took 103 s, so the wait is generous; a gunicorn that exits is reported at once.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")
        conn = http.client.HTTPConnection(host, port, timeout=2)
        try:
            conn.request("GET", "/api/v1/resources/?limit=1", headers=PROXY_HEADERS)
            status = conn.getresponse().status
            if status == 200:
                return
            raise RuntimeError(f"gunicorn answers {status}")
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    raise RuntimeError("gunicorn did not answer in time")


@pytest.fixture
def gunicorn(scene, tmp_path):
    """gunicorn serving this run's test database (the rows above are committed: transactional test)."""
    port = _free_port()
    conf = tmp_path / "gunicorn.conf.py"
    conf.write_text(GUNICORN_CONF.format(deploy=str(ROOT / "deploy" / "gunicorn.conf.py"), bind=f"127.0.0.1:{port}"))
    db = connection.settings_dict
    redis_url = _bench_redis()
    env = (
        {
            key: value
            for key, value in os.environ.items()
            if key not in ("REDIS_URL", "CELERY_BROKER_URL", "WEB_CONCURRENCY", "GUNICORN_THREADS")
        }
        | _sweep_shape()
        | ({"REDIS_URL": redis_url} if redis_url else {})
        | {
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "DEBUG": "false",
            "SECRET_KEY": "benchmark-only-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1",
            "ESSAIM_GEOCODING": "off",
            "PYTHONPATH": str(ROOT),
        }
    )
    process = subprocess.Popen(  # noqa: S603 — our own interpreter's gunicorn, fixed arguments
        [str(Path(sys.executable).parent / "gunicorn"), "sites.wsgi:application", "-c", str(conf)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_until_up("127.0.0.1", port, process)
        yield {
            "host": "127.0.0.1",
            "port": port,
            "workers": _gunicorn_shape(),
            "broker": f"Redis broker and cache ({redis_url})" if redis_url else "no Redis: eager tasks, local cache",
        }
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def _bench_redis() -> str:
    """Redis as deployed (cache, throttles, Celery broker): ``ESSAIM_BENCH_REDIS_URL``, by default
    database 15 on the local server, emptied first (the queued tasks of a run are dropped with it;
    no worker runs: the e-mails are stubbed and the outbox nudges wait). Empty if none answers."""
    url = os.environ.get("ESSAIM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis  # noqa: PLC0415  (only the benchmark needs a client of its own)

        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except Exception:  # noqa: BLE001 — no Redis: the run says so in its table
        return ""
    return url


def _sweep_shape() -> dict[str, str]:
    """``ESSAIM_BENCH_WORKERS`` / ``ESSAIM_BENCH_THREADS``, to try another gunicorn shape than the
    recipe's (a worker sweep); unset, gunicorn starts exactly as deployed."""
    names = {"ESSAIM_BENCH_WORKERS": "WEB_CONCURRENCY", "ESSAIM_BENCH_THREADS": "GUNICORN_THREADS"}
    return {target: os.environ[name] for name, target in names.items() if os.environ.get(name)}


def _gunicorn_shape() -> str:
    """What deploy/gunicorn.conf.py starts, with the sweep's overrides."""
    shape = _sweep_shape()
    workers = shape.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2 + 1)
    return f"{workers} gthread workers × {shape.get('GUNICORN_THREADS', 2)} threads"


def _rush(host: str, port: int, posts_by_client: list[list[tuple[str, dict, str]]]) -> dict:
    """Each client sends its ``(path, body, token)`` POSTs one after another on one keep-alive
    connection, with an ``Idempotency-Key`` each; all clients start together. Returns every
    latency (ms), each client's answers as ``(status, code)`` and the wall time."""
    n = len(posts_by_client)
    latencies: list[list[float]] = [[] for _ in range(n)]
    answers: list[list[tuple[int, str]]] = [[] for _ in range(n)]
    conns = []
    for _ in range(n):  # opened one by one: a burst of connects could overflow a listen backlog
        conn = http.client.HTTPConnection(host, port, timeout=60)
        conn.connect()
        conns.append(conn)
        time.sleep(0.01)
    barrier = threading.Barrier(n + 1)

    def client(index: int) -> None:
        conn = conns[index]
        barrier.wait(timeout=60)
        for path, body, token in posts_by_client[index]:
            headers = {
                **PROXY_HEADERS,
                "Content-Type": "application/json",
                "Authorization": f"Token {token}",
                "Idempotency-Key": str(uuid.uuid4()),
            }
            t0 = time.perf_counter()
            conn.request("POST", path, body=json.dumps(body), headers=headers)
            response = conn.getresponse()
            payload = json.loads(response.read() or b"{}")
            latencies[index].append((time.perf_counter() - t0) * 1000)
            answers[index].append((response.status, payload.get("code", "") if isinstance(payload, dict) else ""))
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    cpu0 = cpu_by_family()
    barrier.wait(timeout=60)
    t0 = time.perf_counter()
    for thread in threads:
        thread.join(timeout=300)
    wall = time.perf_counter() - t0
    cpu = cpu_by_family()
    cpu.subtract(cpu0)
    return {"latencies": [ms for per in latencies for ms in per], "answers": answers, "wall": wall, "cpu": cpu}


CPU_COLUMNS = ("gunicorn", "PostgreSQL", "Redis", "this process", "other", "machine")


def _cpu_row(label: str, run: dict, count: int) -> list:
    """A run's CPU per request (ms) by process family (``cpu_by_family``)."""
    return [label, *(run["cpu"][family] * 1000 / count for family in CPU_COLUMNS)]


def _print_cpu(title: str, rows: list[list]) -> None:
    if any(any(row[1:]) for row in rows):  # nothing to say without /proc
        print_table(
            title,
            ["what", *(f"{family} ms" for family in CPU_COLUMNS)],
            rows,
            note="CPU time per request while the rush ran, by process (this process: the 32 clients); "
            "machine: every CPU's busy time, other tenants included",
        )


def _api_run(host: str, port: int, scene, slots_by_client) -> dict:
    """Each client books its own room's slots (``_rush``)."""
    posts = [
        [
            ("/api/v1/bookings/", {"resource": room.pk, "start": start.isoformat(), "end": end.isoformat()}, token)
            for start, end in slots
        ]
        for room, token, slots in zip(scene["rooms"], scene["tokens"], slots_by_client, strict=True)
    ]
    return _rush(host, port, posts)


INSERT = """
INSERT INTO bookings_booking (reference, uid, resource_id, user_id, start, "end", blocked_until, quantity, exclusive,
    status, expires_at, amount_minor, currency, payment_state, note, language, cancel_reason, reminder_sent_at,
    created_at, updated_at)
VALUES (%s, gen_random_uuid(), %s, %s, %s, %s, %s, 1, true, 'confirmed', NULL, 0, 'EUR', 'none', '', 'fr', '', NULL,
    now(), now())
"""


def _connect():
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=True
    )


def _floor_run(host: str, port: int, scene, path: str) -> dict:
    """Each client POSTs a booking's body to a floor (``tests.benchmarks.floor``) with its token,
    after one warm-up request each; every answer must be 201."""
    body = {"resource": 1, "start": "2030-01-07T09:00:00+01:00", "end": "2030-01-07T10:00:00+01:00"}
    _rush(host, port, [[(path, body, token)] for token in scene["tokens"]])
    run = _rush(host, port, [[(path, body, token)] * FLOOR_PER_CLIENT for token in scene["tokens"]])
    assert all(status == 201 for per in run["answers"] for status, _code in per), run["answers"][0][:3]
    return run


def _raw_run(scene, slots_by_client) -> dict:
    """The same booking rows through bare psycopg: 32 connections, one autocommitted INSERT each."""
    n = len(scene["rooms"])
    conns = [_connect() for _ in range(n)]
    latencies: list[list[float]] = [[] for _ in range(n)]
    barrier = threading.Barrier(n + 1)

    failures: list[Exception] = []

    def client(index: int) -> None:
        conn, room, user = conns[index], scene["rooms"][index], scene["users"][index]
        barrier.wait(timeout=60)
        try:
            for start, end in slots_by_client[index]:
                t0 = time.perf_counter()
                conn.execute(INSERT, (uuid.uuid4().hex[:12].upper(), room.pk, user.pk, start, end, end), prepare=True)
                latencies[index].append((time.perf_counter() - t0) * 1000)
        except Exception as error:  # noqa: BLE001 — reported below, not lost in the thread
            failures.append(error)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    t0 = time.perf_counter()
    for thread in threads:
        thread.join(timeout=300)
    wall = time.perf_counter() - t0
    for conn in conns:
        conn.close()
    assert not failures, failures[:3]
    return {"latencies": [ms for per in latencies for ms in per], "wall": wall}


def _sequential_run(client, scene, django_user_model, slots) -> dict:
    """One client, one booking after another, through Django's test client in this process: the
    latency floor of a booking (no network, no concurrency) and its SQL queries."""
    user = django_user_model.objects.create_user("alone")
    headers = {"HTTP_AUTHORIZATION": f"Token {api_token_create(user=user, name='bench')[1]}"}
    room = scene["rooms"][0]
    latencies, cpu = [], 0.0
    for index, (start, end) in enumerate(slots):
        body = json.dumps({"resource": room.pk, "start": start.isoformat(), "end": end.isoformat()})
        t0, c0 = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                "/api/v1/bookings/",
                data=body,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
                **headers,
            )
        if index:  # the first one warms up
            latencies.append((time.perf_counter() - t0) * 1000)
            cpu += time.process_time() - c0
        assert response.status_code == 201, response.content[:300]
    return {
        "latencies": latencies,
        "wall": sum(latencies) / 1000,
        "cpu_ms": cpu * 1000 / len(latencies),
        "queries": len(captured.captured_queries),
    }


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def _check_api(run: dict, scene, slots_by_client) -> None:
    assert all(status == 201 for per in run["answers"] for status, _code in per), run["answers"]
    for room, slots in zip(scene["rooms"], slots_by_client, strict=True):
        made = set(
            Booking.objects.filter(
                resource=room, status=BookingStatus.CONFIRMED, start__gte=slots[0][0], start__lte=slots[-1][0]
            ).values_list("start", flat=True)
        )
        assert made == {start for start, _end in slots}, room


def test_booking_throughput(scene, gunicorn, live_server, client, django_user_model):
    n = CLIENTS
    warm = _slots(1, skip_days=0)  # the first requests load code and open connections: not timed
    live_slots = [_slots(API_PER_CLIENT, skip_days=1)] * n
    gunicorn_slots = [_slots(API_PER_CLIENT, skip_days=4)] * n
    raw_slots = [_slots(RAW_PER_CLIENT, skip_days=7)] * n
    address = live_server.url.split("//", 1)[1]
    live_host, live_port = address.rsplit(":", 1)

    _api_run(live_host, int(live_port), scene, [warm] * n)
    live = _api_run(live_host, int(live_port), scene, live_slots)
    _check_api(live, scene, live_slots)

    _api_run(gunicorn["host"], gunicorn["port"], scene, [_slots(1, skip_days=3)] * n)
    green = _api_run(gunicorn["host"], gunicorn["port"], scene, gunicorn_slots)
    _check_api(green, scene, gunicorn_slots)
    floors = [
        (label, _floor_run(gunicorn["host"], gunicorn["port"], scene, floor_path))
        for label, floor_path in (
            ("floor: WSGI answer before Django (gunicorn, clients, loopback)", floor.WSGI_PATH),
            ("floor: bare Django view, whole middleware", floor.DJANGO_PATH),
            ("floor: DRF view, token, throttle, JSON (no booking)", floor.API_PATH),
        )
    ]

    raw = _raw_run(scene, raw_slots)
    assert Booking.objects.filter(start__gte=raw_slots[0][0][0]).count() == n * RAW_PER_CLIENT

    # The constraint is really there: one more raw INSERT over a taken slot is refused.
    start, end = raw_slots[0][0]
    with _connect() as conn, pytest.raises(psycopg.errors.ExclusionViolation, match="booking_no_overlap"):
        conn.execute(INSERT, ("TAKEN", scene["rooms"][0].pk, scene["users"][0].pk, start, end, end))

    alone = _sequential_run(client, scene, django_user_model, _slots(41, skip_days=14))

    raw_rate = n * RAW_PER_CLIENT / raw["wall"]
    rows = []
    for label, run, count, bookings in (
        (f"API, gunicorn ({gunicorn['workers']})", green, n * API_PER_CLIENT, True),
        ("API, live server (in-process, threaded)", live, n * API_PER_CLIENT, True),
        ("raw INSERT, bare psycopg", raw, n * RAW_PER_CLIENT, True),
        ("API, 1 client, in-process test client, sequential", alone, len(alone["latencies"]), False),
        *((label, run, n * FLOOR_PER_CLIENT, False) for label, run in floors),
    ):
        rate = count / run["wall"]
        rows.append(
            [
                label,
                count,
                run["wall"],
                rate,
                _percentile(run["latencies"], 0.5),
                _percentile(run["latencies"], 0.95),
                f"{rate / raw_rate:.3f}" if bookings else "-",
            ]
        )
    print_table(
        f"Booking throughput, {n} concurrent clients on distinct slots — {db_label()}",
        ["what", "requests", "wall s", "requests/s", "p50 ms", "p95 ms", "÷ raw"],
        rows,
        note=(
            f"API / raw (gunicorn): {rows[0][3] / raw_rate:.3f} (target ≥ 0.5); "
            f"API p95 (gunicorn): {rows[0][5]:.0f} ms (target < 100 ms)\n"
            f"API ÷ floors (same gunicorn): {' / '.join(f'{rows[0][3] / row[3]:.2f}' for row in rows[4:])} "
            "(WSGI / Django / DRF with token and throttle)\n"
            f"{n} clients that each wait for their answer: mean latency = {n} ÷ rate (Little's law), so p95 "
            f"< 100 ms needs well over {n / 0.1:.0f} requests/s; the DRF floor, which books nothing, gave "
            f"{rows[-1][3]:.0f}/s with p95 {rows[-1][5]:.0f} ms\n"
            f"one booking through the API alone: {alone['queries']} SQL statements (savepoints included), "
            f"{alone['cpu_ms']:.1f} ms of CPU in this process\n"
            f"clients, servers and PostgreSQL share this machine: load average after the run {load_average()}"
        ),
    )
    _print_cpu(
        f"Where the CPU went, distinct slots — {db_label()}",
        [
            _cpu_row(f"API, gunicorn ({gunicorn['workers']})", green, n * API_PER_CLIENT),
            *(_cpu_row(label, run, n * FLOOR_PER_CLIENT) for label, run in floors),
        ],
    )


# ---------------------------------------------------------------------------------------------
# One busy event date: every client registers people for the same date's seats
# ---------------------------------------------------------------------------------------------

CAPACITY = 200
PEOPLE_PER_CLIENT = 10  # 320 attempts for 200 seats: the last 120 are refused ``event_full``


@pytest.fixture
def busy_event(scene, django_user_model):
    """One event date of ``CAPACITY`` seats at the scene's venue, and ``CLIENTS × PEOPLE_PER_CLIENT``
    people with tokens (a person registers once: each attempt is another person)."""
    with quiet_task_logs():
        pages = [
            EventPageFactory(venue=scene["venue"], capacity=CAPACITY, title=f"Round {n + 1}") for n in range(ROUNDS)
        ]
        warm_up = EventPageFactory(venue=scene["venue"], capacity=CLIENTS * 2, title="Échauffement")
    people = django_user_model.objects.bulk_create(
        [django_user_model(username=f"r{n}", email=f"r{n}@example.org") for n in range(CLIENTS * PEOPLE_PER_CLIENT)]
    )
    tokens = [api_token_create(user=person, name="bench")[1] for person in people]
    return {
        "events": [event_selectors.event_for_page(page) for page in pages],
        "tokens": [tokens[n::CLIENTS] for n in range(CLIENTS)],
        "warm_up": event_selectors.event_for_page(warm_up),
        "warm_up_tokens": [[tokens[n]] for n in range(CLIENTS)],  # the same people, on another date
    }


def _register_run(host: str, port: int, event, tokens_by_client) -> dict:
    """Each client registers its people for the event's first date, one after another (``_rush``)."""
    path, body = f"/api/v1/events/{event.pk}/registrations/", {"occurrence": occurrence_key(event.start)}
    run = _rush(host, port, [[(path, body, token) for token in tokens] for tokens in tokens_by_client])
    return {**run, "answers": [answer for per in run["answers"] for answer in per]}


def _pretix_row(capacity: int) -> tuple[list | None, str]:
    """pretix on this machine, same clients and capacity (``tests.benchmarks.pretix_peer``), or why not."""
    try:
        from tests.benchmarks import pretix_peer  # noqa: PLC0415  (installs pretix in its own venv on first use)
    except ImportError as error:
        return None, f"pretix not measured ({error})"
    try:
        figures = pretix_peer.measure_pretix(capacity=capacity, clients=CLIENTS)
    except pretix_peer.PretixUnavailable as error:
        return None, f"pretix could not run here: {str(error).splitlines()[0]}"
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["sold"] == figures["sold_in_db"] == capacity  # pretix sold its quota, no more
    row = [
        f"pretix {figures['version']}, orders API (gunicorn)",
        figures["sold"] + figures["refused"],
        figures["sold"],
        figures["seconds"],
        figures["orders_per_s"],
        figures["p50_ms"],
        figures["p99_ms"],
    ]
    return row, ""


def test_busy_event_registrations(scene, busy_event, gunicorn):
    tokens_by_client = busy_event["tokens"]
    # Every gunicorn worker loads its code on its first requests: warm them on another date first.
    _register_run(gunicorn["host"], gunicorn["port"], busy_event["warm_up"], busy_event["warm_up_tokens"])
    rows, rates, cpu_rows = [], [], []
    for number, event in enumerate(busy_event["events"], start=1):
        run = _register_run(gunicorn["host"], gunicorn["port"], event, tokens_by_client)
        statuses = Counter(status for status, _code in run["answers"])
        assert statuses[201] == CAPACITY, statuses
        assert all(code == "event_full" for status, code in run["answers"] if status != 201), statuses
        seats = Booking.objects.filter(resource=event.seats, status=BookingStatus.CONFIRMED)
        assert seats.count() == CAPACITY  # never oversold
        attempts = len(run["answers"])
        rates.append(CAPACITY / run["wall"])
        label = f"Essaim, registrations API ({gunicorn['workers']})"
        cpu_rows.append(_cpu_row(f"round {number} (per attempt)", run, attempts))
        rows.append(
            [
                f"{label}, round {number}" if ROUNDS > 1 else label,
                attempts,
                CAPACITY,
                run["wall"],
                rates[-1],
                _percentile(run["latencies"], 0.5),
                _percentile(run["latencies"], 0.99),
            ]
        )
    rate = statistics.median(rates)
    if ROUNDS > 1:
        rows.append(["Essaim, median of the rounds", "", "", "", rate, "", ""])
    pretix, why_not = _pretix_row(CAPACITY)
    if pretix is not None:
        rows.append(pretix)
        ratio = f"Essaim ÷ pretix (registrations/s): {rate / pretix[4]:.2f}"
    else:
        ratio = f"{why_not}; against pretix's documented ceiling of 300–400 tickets/min/event: {rate * 60 / 400:.1f}×"
    print_table(
        f"One busy event date: {CLIENTS} clients, {attempts} attempts for {CAPACITY} seats — {db_label()}",
        ["what", "attempts", "registered", "wall s", "registrations/s", "p50 ms", "p99 ms"],
        rows,
        note=(
            f"{dict(statuses)}; 0 oversold; {gunicorn['broker']}\n"
            f"targets: ≥ 200 registrations/s, p99 < 250 ms\n{ratio}\n"
            f"load average after the run {load_average()}"
        ),
    )
    _print_cpu(f"Where the CPU went, one busy event date — {db_label()}", cpu_rows)
