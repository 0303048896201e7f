"""Browser tests: Debian's Chromium (headless) driven by Playwright against pytest-django's live server.

How the pieces fit:

- The live server (``live_server``, session-scoped) runs Django in a thread of this process and
  shares the test database; pytest-django makes every test that uses it transactional, so data
  made in the test is committed and visible to the server.
- Transactional tests end with a flush of every table, which would also wipe the rows migrations
  made (Wagtail's root page and locale, the amenity and label vocabulary…). Each browser test
  therefore asks for ``django_db_serialized_rollback``: the migrated content is serialised once
  when the test database is created and put back before each test. After the last browser test
  the package fixture ``_migrated_rows_back`` puts it back once more, so the transactional tests
  that run later (pytest-django runs transactional tests last) find the database as migrated.
- pytest-socket (``--allow-hosts=127.0.0.1,::1`` in pyproject) needs nothing here: the server
  *binds* a socket (allowed), Chromium is another process that pytest-socket cannot see, and
  Playwright talks to its driver over pipes. No ``enable_socket`` is used.
- Chromium may only reach the live server: every other request (map tiles from
  tile.openstreetmap.org, anything else) is aborted and recorded in ``blocked_requests``.
- Playwright's sync API keeps an asyncio loop running in the main thread for the whole session,
  and Django refuses ORM calls when it sees one; ``DJANGO_ALLOW_ASYNC_UNSAFE`` lifts that. It is
  set for the whole process because the Playwright session outlives these tests.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path("/tmp/essaim-shots")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Replaces pytest-playwright's own ``base_url`` (a method fixture that pytest 9 warns about)."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


@pytest.fixture(autouse=True)
def _browser_db(django_db_serialized_rollback, live_server):
    """Every browser test: transactional (live server), with the migrated rows put back first."""


@pytest.fixture(scope="package", autouse=True)
def _migrated_rows_back(django_db_setup, django_db_blocker):
    yield
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    contents = getattr(connection, "_test_serialized_contents", None)
    with django_db_blocker.unblock():
        if contents and not ContentType.objects.exists():
            connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def blocked_requests():
    return []


@pytest.fixture
def context(new_context, blocked_requests):
    """A browser context that can only reach the live server."""
    ctx = new_context()

    def only_local(route):
        host = urlsplit(route.request.url).hostname or ""
        if host in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked_requests.append(route.request.url)
            route.abort()

    ctx.route("**/*", only_local)
    ctx.set_default_timeout(10_000)
    return ctx


@pytest.fixture
def shot(request):
    """``shot(page)`` saves a full-page screenshot to /tmp/essaim-shots/<test>[-<suffix>].png."""

    def take(page, suffix=""):
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name.replace("/", "_") + (f"-{suffix}" if suffix else "")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def network(make_venue):
    """A small network: 3 tiers-lieux, 1 totem, 2 social business centres (one in Dakar)."""
    from datetime import time

    hours = [(day, time(9), time(18)) for day in range(5)]
    venues = {
        "ruche": make_venue(
            "tiers_lieu",
            title="La Ruche des Pentes",
            slug="la-ruche-des-pentes",
            street_address="12 montée de la Grande-Côte",
            postcode="69001",
            city="Lyon",
            latitude=45.7700,
            longitude=4.8290,
            summary="Coworking et fab lab sur les pentes de la Croix-Rousse.",
            amenities=("wifi", "meeting_rooms", "fab_lab"),
            opening_hours=hours,
        ),
        "villefranche": make_venue(
            "tiers_lieu",
            title="Le Grenier de Villefranche",
            slug="grenier-villefranche",
            city="Villefranche-sur-Saône",
            postcode="69400",
            latitude=45.9897,
            longitude=4.7186,
        ),
        "stetienne": make_venue(
            "tiers_lieu",
            title="La Fabrique stéphanoise",
            slug="fabrique-stephanoise",
            city="Saint-Étienne",
            postcode="42000",
            latitude=45.4397,
            longitude=4.3872,
        ),
        "grenoble": make_venue(
            "totem",
            title="Totem Grenoble Alpes",
            slug="totem-grenoble",
            city="Grenoble",
            postcode="38000",
            latitude=45.1885,
            longitude=5.7245,
            french_tech_community="French Tech in the Alps",
        ),
        "villeurbanne": make_venue(
            "social_business_center",
            title="Centre social business Villeurbanne",
            slug="sbc-villeurbanne",
            city="Villeurbanne",
            postcode="69100",
            latitude=45.7719,
            longitude=4.8902,
        ),
        "dakar": make_venue(
            "social_business_center",
            title="Dakar Social Business Hub",
            slug="dakar-hub",
            street_address="Route de la Corniche Ouest",
            city="Dakar",
            country="SN",
            latitude=14.6928,
            longitude=-17.4467,
            timezone="Africa/Dakar",
            amenities=("wifi", "cafe"),
            opening_hours=[(day, time(8, 30), time(17)) for day in range(6)],
        ),
    }
    return venues
