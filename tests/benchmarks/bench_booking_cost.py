"""What one booking and one event registration cost through the API: SQL statements, CPU, profile.

Run with ``make bench`` (or ``.venv/bin/python -m pytest tests/benchmarks/bench_booking_cost.py -m
benchmark -s``), on SQLite or PostgreSQL. In this process, through Django's test client with a
token and an ``Idempotency-Key``, as a client sends them: the first request of each kind warms up,
then ``ROUNDS`` requests are measured one after another. It prints, for each kind:

* the SQL statements of the last request, one line each (savepoints and the transaction's own
  statements included: they are round trips too). The outbox's stamp, a task a worker runs after
  the commit, is not queued here: it is no part of the request's cost;
* the median CPU time of a request in this process (``time.process_time``): the application's
  cost, the client's included (Django's test client is light);
* a cProfile of the measured requests, timed in CPU (``time.process_time``: a wait for PostgreSQL
  costs nothing): each package's share of the own time (Django's ORM, the rest of Django, DRF,
  psycopg, redis-py, Celery, each of our apps…), then the top entries, our code by cumulative
  time and every function by own time.

Asserts that every request succeeded, never timings. The issue's aim: ≤ 8 statements, ≤ 5 ms of
application CPU per booking.
"""

import cProfile
import io
import json
import logging
import os
import pstats
import statistics
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services.tokens import api_token_create
from bookings.services import placing
from events import selectors
from events.models import occurrence_key
from federation import tasks
from tests.benchmarks.support import db_label, quiet_task_logs
from tests.support.factories import EventPageFactory, next_weekday_at

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROUNDS = 40
HOUR = timedelta(hours=1)
ROOT = Path(__file__).resolve().parents[2]


def _post(client, path: str, body: dict, token: str):
    return client.post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )


def _measure(client, requests) -> dict:
    """Send ``requests`` (``(path, body, token)``) one by one: the first warms up, the next half are
    timed, the rest profiled (cProfile's own cost would count in the timing)."""
    cpu, profile = [], cProfile.Profile(time.process_time)
    timed = len(requests) // 2 + 1
    for index, (path, body, token) in enumerate(requests):
        c0 = time.process_time()
        with CaptureQueriesContext(connection) as captured:
            if index >= timed:
                profile.enable()
            response = _post(client, path, body, token)
            if index >= timed:
                profile.disable()
        assert response.status_code == 201, response.content[:300]
        if 0 < index < timed:
            cpu.append((time.process_time() - c0) * 1000)
    return {
        "cpu_ms": statistics.median(cpu),
        "queries": captured.captured_queries,
        "profile": profile,
        "profiled": len(requests) - timed,
    }


#: Our apps' code in a profile (not Django's, DRF's or the test client's frames around it).
APPS = "bookings|events|core|accounts|venues|federation|cms|calendars|sites"
OUR_CODE = rf"/({APPS})/([^/]*/)?[^/]*\.py"


def _top(profile: cProfile.Profile, order: str, restrict: str | None, count: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats(order).print_stats(*([restrict] if restrict else []), count)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next((n for n, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    short = (line.replace(str(ROOT) + "/", "").replace(".venv/lib/python3.11/site-packages/", "") for line in lines)
    return "\n".join(list(short)[start:])


#: Where a profiled function's own time is counted: the first pattern its file matches names it.
PACKAGES = [
    ("/site-packages/django/db/", "Django ORM and database layer"),
    ("/site-packages/django/", "Django, the rest"),
    ("/site-packages/rest_framework/", "Django REST framework"),
    ("/site-packages/psycopg", "psycopg"),
    ("/site-packages/redis/", "redis-py"),
    ("/site-packages/celery/", "Celery and kombu"),
    ("/site-packages/kombu/", "Celery and kombu"),
]


def _package(filename: str) -> str:
    for pattern, name in PACKAGES:
        if pattern in filename:
            return name
    if "/site-packages/" in filename:
        return filename.split("/site-packages/", 1)[1].split("/", 1)[0].split(".", 1)[0]
    if filename.startswith(str(ROOT) + "/"):
        return "Essaim: " + filename[len(str(ROOT)) + 1 :].split("/", 1)[0]
    return "Python (stdlib, builtins)"


def _by_package(profile: cProfile.Profile, requests: int) -> list[tuple[str, float, float]]:
    """``(package, ms of own CPU per request, share)``, largest first."""
    own: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in pstats.Stats(profile).stats.items():
        own[_package(filename)] = own.get(_package(filename), 0.0) + tottime
    total = sum(own.values()) or 1.0
    return sorted(((name, t * 1000 / requests, t / total) for name, t in own.items()), key=lambda row: -row[1])


def _print(title: str, run: dict, name: str) -> None:
    print(f"\n{title} — {db_label()}")
    if os.environ.get("ESSAIM_BENCH_PROFILE_DIR"):  # for a flame graph (snakeviz, flameprof), kept out of the repo
        path = Path(os.environ["ESSAIM_BENCH_PROFILE_DIR"]) / f"{name}.prof"
        run["profile"].dump_stats(path)
        print(f"  profile written to {path}")
    print(
        f"  {len(run['queries'])} SQL statements (the outbox's stamp, a worker's, not included),"
        f" median CPU {run['cpu_ms']:.1f} ms per request in this process"
    )
    for query in run["queries"]:
        print("   ", " ".join(query["sql"].split())[:150])
    print(f"  own CPU by package (cProfile, {run['profiled']} requests; profiling inflates every figure):")
    for name, ms, share in _by_package(run["profile"], run["profiled"]):
        if share >= 0.005:
            print(f"    {share:6.1%}  {ms:6.2f} ms  {name}")
    print("  profile, our code by cumulative time:")
    print("\n".join("    " + line for line in _top(run["profile"], "cumulative", OUR_CODE, 20).splitlines()))
    print("  profile, every function by own time:")
    print("\n".join("    " + line for line in _top(run["profile"], "tottime", None, 15).splitlines()))


def test_booking_and_registration_cost(make_resource, make_venue, django_user_model, client, monkeypatch):
    monkeypatch.setattr(placing, "notify", lambda booking, event: None)  # the e-mail is not booking work
    monkeypatch.setattr(logging.getLogger("celery.app.trace"), "level", logging.WARNING)  # a line per eager task
    # The outbox's stamp runs in a worker in production; with a shared cache, a rush's later
    # commits find its nudge queued and send nothing (``outbox.published``): the request's own path.
    monkeypatch.setattr(tasks.outbox_published, "delay", lambda: None)
    with quiet_task_logs():
        venue = make_venue(opening_hours=[(day, "08:00", "20:00") for day in range(7)])
        room = make_resource(venue, name="Salle")
        page = EventPageFactory(venue=venue, capacity=ROUNDS * 2)
    user = django_user_model.objects.create_user("booker", email="booker@example.org")
    token = api_token_create(user=user, name="bench")[1]
    first = next_weekday_at(room, 8)
    slots = [first + timedelta(days=n // 12, hours=n % 12) for n in range(ROUNDS + 1)]  # 8:00–20:00, daily
    bookings = [
        ("/api/v1/bookings/", {"resource": room.pk, "start": at.isoformat(), "end": (at + HOUR).isoformat()}, token)
        for at in slots
    ]
    booked = _measure(client, bookings)
    _print("One booking of a meeting room (POST /api/v1/bookings/)", booked, "booking")

    event = selectors.event_for_page(page)
    people = [django_user_model.objects.create_user(f"p{n}", email=f"p{n}@example.org") for n in range(ROUNDS + 1)]
    tokens = [api_token_create(user=person, name="bench")[1] for person in people]
    registrations = [
        (f"/api/v1/events/{event.pk}/registrations/", {"occurrence": occurrence_key(event.start)}, key)
        for key in tokens
    ]
    registered = _measure(client, registrations)
    _print("One registration for an event date (POST /api/v1/events/{id}/registrations/)", registered, "registration")
