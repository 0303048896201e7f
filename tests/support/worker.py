"""A real Celery worker for the tests that need one, and polling what it writes.

The worker runs in a thread of the test process against the broker the settings name (Redis when
``REDIS_URL`` is set, Celery's in-memory transport otherwise). On SQLite the test database is a
shared in-memory one with table-level locks: a read while the worker thread writes raises "database
table is locked", which only means "not yet" (a file database in WAL mode, as deployed, lets
readers through)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import OperationalError

from sites.celery import app as celery_app


@pytest.fixture
def worker():
    broker = celery_app.conf.broker_url
    if not settings.CELERY_BROKER_URL:
        celery_app.conf.broker_url = "memory://"
    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as running:
        yield running
    celery_app.conf.broker_url = broker


def wait_for(predicate, seconds: float = 30) -> bool:
    """Poll ``predicate`` until it is true or ``seconds`` pass; a locked table counts as "not yet"."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OperationalError:
            pass
        time.sleep(0.1)
    return False
