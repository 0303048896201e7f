from datetime import UTC, datetime, timedelta

import pytest

from calendars import services
from tests.support.calendar_server import CalendarServer


@pytest.fixture
def calendar_server():
    """A loopback server publishing calendars (``tests.support.calendar_server``)."""
    server = CalendarServer().start()
    yield server
    server.stop()


@pytest.fixture
def loopback_allowed(settings):
    """The tests' calendars live on 127.0.0.1: allowed, as with ``DEBUG`` on."""
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.0/8"]


@pytest.fixture
def attach(calendar_server, loopback_allowed):
    """``attach(path, resource=… | venue=…, **options)``: a calendar added through the service,
    not fetched (the test fetches it with ``services.calendar_fetch``)."""

    def make(path, *, resource=None, venue=None, **options):
        venue = venue or resource.venue
        return services.calendar_add(
            venue=venue, resource=resource, address=calendar_server.url(path), queue_fetch=False, **options
        )

    return make


def days_ahead(days: int, hour: int = 9) -> datetime:
    """A whole UTC hour ``days`` from now."""
    return (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
