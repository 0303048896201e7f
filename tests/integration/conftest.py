"""Integration fixtures: the geocoders replaced at the HTTP edge (see ``support``), users and groups."""

import itertools

import pytest
import responses

from tests.integration.support import GeocoderMock


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2's million rounds cost ~0.5 s a user; the hasher is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_stale_celery_broker_pool():
    """An eager ``.delay()`` still builds Celery's broker connection pool, for the broker configured
    at that moment (none: amqp://localhost). Drop it after each test, as Celery does after a fork,
    so that a later test that points Celery at another broker (test_geocoding_worker's in-memory
    one) does not publish to the stale pool and wait forever."""
    yield
    from sites.celery import app

    app._pool = None  # not closed: kombu's global producer pools may still hand it out for this URL
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def geocoder():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield GeocoderMock(rsps)


@pytest.fixture
def network_admin(site_tree, django_user_model):
    from django.contrib.auth.models import Group

    from cms.services import NETWORK_ADMINS

    user = django_user_model.objects.create_user("netadmin", "netadmin@example.org", "admin-pass-93ab")
    user.groups.add(Group.objects.get(name=NETWORK_ADMINS))
    return user


@pytest.fixture
def make_user(db, django_user_model):
    counter = itertools.count(1)

    def make(username=None, password="manager-pass-7c1d", **fields):  # noqa: S107
        username = username or f"user{next(counter)}"
        return django_user_model.objects.create_user(username, f"{username}@example.org", password, **fields)

    return make
