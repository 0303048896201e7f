"""One race harness: N jobs released together by a barrier, each on its own database connection.

A race test needs real concurrency, which only PostgreSQL gives here: the in-memory SQLite test
database hands every thread the test's one connection. So race tests carry ``POSTGRES_ONLY``
(the ``postgres`` marker, a ``transaction=True`` database, skipped on SQLite).

* ``at_once(*jobs)`` runs callables in threads; each thread's Django connection is its own and is
  closed when the job ends. It returns each job's result, or the exception it raised.
* ``post_at_once(live_server, requests)`` sends HTTP requests to the live server (one thread and
  one database connection per request on the server's side), each on a connection opened
  beforehand, released together; it returns ``(status, body, headers)`` for each.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.db import connection, connections

POSTGRES_ONLY = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: the in-memory SQLite test database gives every thread the test's "
        "single connection, so nothing can race there",
    ),
]


def postgres_only(test):
    """``POSTGRES_ONLY`` for one test, in a module whose other tests run everywhere."""
    for mark in reversed(POSTGRES_ONLY):
        test = mark(test)
    return test


def at_once(*jobs: Callable[[], object], timeout: float = 60) -> list:
    """Run every job in its own thread, released together; results (or exceptions) in job order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as error:  # noqa: BLE001 — the test inspects what each side got
            results[index] = error
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(n, job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a job hung"
    return results


@dataclass(frozen=True)
class Request:
    token: str
    path: str
    payload: dict
    method: str = "POST"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    headers: dict = field(default_factory=dict)


def post_at_once(live_server, requests: Sequence[Request], *, timeout: float = 90) -> list[Answer]:
    """Send every request at once, each with a fresh ``Idempotency-Key``.

    The HTTP connections are opened one after another (the live server's listen backlog is small:
    many simultaneous connects would be reset), each then waits in a server thread for its
    request; a barrier releases the requests together.
    """
    address = urlsplit(live_server.url)
    barrier = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)
    conns = []
    for _request in requests:
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        conn.connect()
        conns.append(conn)
        time.sleep(0.02)  # let the server accept it and start its thread

    def client(index: int, conn: http.client.HTTPConnection, request: Request) -> None:
        try:
            barrier.wait(timeout=30)
            conn.request(
                request.method,
                request.path,
                body=json.dumps(request.payload),
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Token {request.token}",
                    "Idempotency-Key": str(uuid.uuid4()),
                },
            )
            response = conn.getresponse()
            answers[index] = Answer(response.status, json.loads(response.read() or b"{}"), dict(response.getheaders()))
        except Exception as exc:  # reported by the assertion below, with the others' answers
            answers[index] = Answer(0, {"error": repr(exc)})
        finally:
            conn.close()

    threads = [
        threading.Thread(target=client, args=(i, c, r)) for i, (c, r) in enumerate(zip(conns, requests, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    failed = [answer.body for answer in answers if answer.status == 0]
    assert not failed, failed
    return answers
