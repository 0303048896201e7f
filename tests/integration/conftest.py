"""Integration fixtures: the geocoders replaced at the HTTP edge (see ``support``), users and groups."""

import itertools

import pytest
import responses
from django.contrib.auth.models import Group

from core.roles import NETWORK_ADMINS
from tests.integration.support import GeocoderMock
from tests.support.factories import UserFactory
from tests.support.worker import worker  # noqa: F401 — a real Celery worker, for the tests that ask for one


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2's million rounds cost ~0.5 s a user; the hasher is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def geocoder():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield GeocoderMock(rsps)


@pytest.fixture
def network_admin(site_tree):
    user = UserFactory(username="netadmin", password="admin-pass-93ab")
    user.groups.add(Group.objects.get(name=NETWORK_ADMINS))
    return user


@pytest.fixture
def make_user(db):
    counter = itertools.count(1)

    def make(username=None, password="manager-pass-7c1d", **fields):  # noqa: S107
        return UserFactory(username=username or f"user{next(counter)}", password=password, **fields)

    return make
