import pytest

from tests.support.calendar_server import CalendarServer


@pytest.fixture
def calendar_server():
    """A loopback server publishing calendars (``tests.support.calendar_server``)."""
    server = CalendarServer().start()
    yield server
    server.stop()
