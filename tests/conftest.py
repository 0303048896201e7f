"""Shared fixtures: the site tree, venues made through the services, eager Celery by default."""

import itertools

import pytest

from sites.celery import app as celery_app

_counter = itertools.count(1)


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
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_tree(db):
    from cms.services import site_setup

    return site_setup(
        translations={"en": {"home": {"title": "Essaim network"}, "directory": {"title": "Venues", "slug": "venues"}}}
    )


@pytest.fixture
def make_venue(site_tree):
    """Create a published venue of a kind through ``venue_create``; coordinates by default."""
    from venues.models import VENUE_MODELS, Amenity, Label
    from venues.services import venue_create

    def make(kind="tiers_lieu", *, amenities=(), labels=(), **fields):
        n = next(_counter)
        model = VENUE_MODELS[kind]
        defaults = {
            "title": f"Lieu {n}",
            "slug": f"lieu-{n}",
            "city": "Lyon",
            "country": "FR",
            "latitude": 45.76,
            "longitude": 4.83,
            "timezone": "Europe/Paris",
        }
        if kind == "totem":
            defaults["french_tech_community"] = "French Tech Grand Lyon"
        defaults.update(fields)
        return venue_create(
            directory=site_tree.directory,
            model=model,
            amenities=list(Amenity.objects.filter(code__in=amenities)),
            labels=list(Label.objects.filter(code__in=labels)),
            **defaults,
        )

    return make


WEEKDAYS_9_TO_18 = [(day, "09:00", "18:00") for day in range(5)]


@pytest.fixture
def make_resource(make_venue):
    """A bookable resource at a fresh venue (open weekdays 9:00–18:00 unless ``opening_hours`` is given)."""
    from bookings.inventory import resource_create

    def make(venue=None, *, opening_hours=WEEKDAYS_9_TO_18, **fields):
        if venue is None:
            venue = make_venue(opening_hours=opening_hours)
        defaults = {"name": "Salle Lumière", "kind": "room", "capacity": 1, "horizon_days": 365}
        return resource_create(venue=venue, **(defaults | fields))

    return make
