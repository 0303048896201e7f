"""Shared fixtures: the site tree, venues and resources made by the factories (through the
services), eager Celery by default."""

import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.utils import translation

from sites.celery import app as celery_app
from tests.support.factories import WEEKDAYS_9_TO_18, ResourceFactory, VenueFactory
from tests.support.factories import site_tree as build_site_tree

#: ``two_nodes`` / ``paired_nodes``: two real nodes, started once per session for tests/twonode,
#: its browser test and its benchmark.
pytest_plugins = ["tests.support.nodes"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, and before they are dropped, on PostgreSQL, the end of any
    session still open on them: a thread or server a test left behind would otherwise make
    ``DROP DATABASE`` fail ("being accessed by other users") after every test passed. Each session
    ended is named on stderr, so that the test that leaked it can be found."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        connections.close_all()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, application_name, state, left(query, 200), pg_terminate_backend(pid) "
                "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            for pid, application, state, query, _ended in cursor.fetchall():
                print(
                    f"\nleft open on the test database, ended: pid {pid} {application!r} {state} {query!r}",
                    file=sys.stderr,
                )
        connection.close()


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in-process unless a test starts a real worker (see test_geocoding_worker)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _no_stale_celery_broker_pool():
    """An eager ``.delay()`` still builds Celery's broker connection pool, for the broker configured
    at that moment (none: amqp://localhost), in the live server's thread too. Drop it after each
    test, browser tests included, as Celery does after a fork, so that a later test that points
    Celery at another broker (the worker tests' in-memory one) does not publish to the stale pool
    and wait forever."""
    yield
    celery_app._pool = None  # not closed: kombu's global producer pools may still hand it out for this URL
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture(autouse=True)
def _no_throttle_memory(settings):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_tree(db):
    return build_site_tree()


@pytest.fixture
def make_venue(site_tree):
    """A published venue of a kind through ``venue_create``: coordinates, and no opening hours, by default."""

    def make(kind="tiers_lieu", *, opening_hours=(), **fields):
        return VenueFactory(kind=kind, directory=site_tree.directory, opening_hours=opening_hours, **fields)

    return make


@pytest.fixture
def make_resource(make_venue):
    """A bookable resource at a fresh venue (open weekdays 9:00–18:00 unless ``opening_hours`` is given)."""

    def make(venue=None, *, opening_hours=WEEKDAYS_9_TO_18, **fields):
        if venue is None:
            venue = make_venue(opening_hours=opening_hours)
        return ResourceFactory(venue=venue, **fields)

    return make


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config, items):
    """In parallel runs (``-n 2 --dist loadgroup``), ask xdist to keep the tests on the two real
    nodes in one worker: they share one session-wide pair (minutes to start). Should they be split
    all the same, each worker starts and names its own pair (``tests.support.nodes``).

    pytest-xdist 3.8 does not apply these groups under pytest 9 (it renames ``item._nodeid``, which
    pytest 9 no longer reads), so .ci/run keeps what must not share the machine or PostgreSQL's
    connections (the two nodes, the race tests) out of its parallel steps and runs it serially."""
    for item in items:
        if item.get_closest_marker("twonode"):
            item.add_marker(pytest.mark.xdist_group("two_nodes"))


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language: code that activates another one (a
    service writing in a person's language) must not change how the next test reverses URLs."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
