"""The guard against server-side request forgery, seen from a calendar: with
``ESSAIM_ALLOW_PRIVATE_ADDRESSES`` empty, loopback, private, link-local and metadata addresses are
refused before any connection, by literal address or by a name resolving to one (DNS is the edge
we stand in for); the metadata address is refused even when the setting allows everything."""

import socket

import pytest

from calendars import services
from calendars.models import ErrorCode
from tests.support.calendar_server import ics

pytestmark = pytest.mark.django_db

REFUSED = ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1"]


@pytest.fixture
def room(make_resource):
    return make_resource()


@pytest.fixture
def no_connection(monkeypatch):
    """Any attempt to open a socket fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr("urllib3.util.connection.create_connection", refuse)
    return attempts


def add(room, url):
    return services.calendar_add(venue=room.venue, resource=room, address=url, queue_fetch=False)


def resolving_to(address: str):
    """``socket.getaddrinfo`` as it answers for a name with one address (shape of the real return)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sockaddr = (address, 443, 0, 0) if family == socket.AF_INET6 else (address, 443)

    def getaddrinfo(host, port, family_=0, type_=0, proto=0, flags=0, **kwargs):
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]

    return getaddrinfo


@pytest.mark.parametrize("address", REFUSED)
def test_a_private_address_is_refused_without_any_connection(room, settings, no_connection, address):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = []
    host = f"[{address}]" if ":" in address else address
    calendar = add(room, f"https://{host}/calendar/private-abc/basic.ics")
    result = services.calendar_fetch(calendar)
    assert result.error_code == ErrorCode.REFUSED_ADDRESS
    assert no_connection == []
    assert "private-abc" not in result.error


@pytest.mark.parametrize("address", REFUSED)
def test_a_name_resolving_to_a_private_address_is_refused(room, settings, monkeypatch, no_connection, address):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = []
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to(address))
    calendar = add(room, "webcal://calendar.example.org/private-abc/basic.ics")
    result = services.calendar_fetch(calendar)
    assert result.error_code == ErrorCode.REFUSED_ADDRESS
    assert no_connection == []


def test_a_name_with_a_public_and_a_private_address_is_refused(room, settings, monkeypatch, no_connection):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = []
    public, private = resolving_to("93.184.216.34"), resolving_to("10.0.0.1")
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: public(*a, **k) + private(*a, **k))
    calendar = add(room, "https://calendar.example.org/basic.ics")
    assert services.calendar_fetch(calendar).error_code == ErrorCode.REFUSED_ADDRESS
    assert no_connection == []


def test_the_metadata_address_is_refused_even_when_everything_is_allowed(room, settings, monkeypatch, no_connection):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = ["0.0.0.0/0", "::/0"]
    calendar = add(room, "http://169.254.169.254/latest/meta-data/")
    assert services.calendar_fetch(calendar).error_code == ErrorCode.REFUSED_ADDRESS
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to("169.254.169.254"))
    calendar = add(room, "https://metadata.example.org/computeMetadata/v1/")
    assert services.calendar_fetch(calendar).error_code == ErrorCode.REFUSED_ADDRESS
    assert no_connection == []


def test_the_allowed_loopback_is_fetched(room, settings, calendar_server):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.0/8"]
    calendar_server.publish("/c.ics", ics())
    calendar = add(room, calendar_server.url("/c.ics"))
    assert services.calendar_fetch(calendar).ok
