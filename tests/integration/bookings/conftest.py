"""Fixtures of the admin tests: the two-venue world of ``test_admin_support``, built once per module."""

import pytest

from tests.integration.bookings.test_admin_support import build_world, load_world
from tests.integration.support import rolled_back


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        yield build_world()


@pytest.fixture
def world(db, _world):
    return load_world(_world)


@pytest.fixture
def as_manager_a(client, world):
    client.force_login(world.manager_a)
    return client
