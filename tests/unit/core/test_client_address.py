"""Reading the client from ``REMOTE_ADDR`` and ``X-Forwarded-For`` (pure: no settings, no request)."""

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.client_address import client_address_of, parse_address, parse_networks

PROXIES = parse_networks(["10.0.0.0/29", "172.30.57.10", "fd00::/8"])


def read(peer, forwarded=None, trusted=PROXIES):
    meta = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    address = client_address_of(meta, trusted)
    return None if address is None else str(address)


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # Nobody trusted, or a peer that is not ours: the header is the client's own words.
        ("198.51.100.7", "203.0.113.1", "198.51.100.7"),
        ("198.51.100.7", "10.0.0.2", "198.51.100.7"),
        # Our proxy: the right-most address that is not a proxy of ours.
        ("10.0.0.2", "203.0.113.1", "203.0.113.1"),
        ("10.0.0.2", "192.0.2.9, 203.0.113.1", "203.0.113.1"),
        ("10.0.0.2", "203.0.113.1, 172.30.57.10", "203.0.113.1"),  # two proxies of ours in a row
        ("172.30.57.10", "1.1.1.1,203.0.113.1 , 10.0.0.3", "203.0.113.1"),
        # Only proxies in the chain: the farthest one is the client we know.
        ("10.0.0.2", "10.0.0.3, 10.0.0.4", "10.0.0.3"),
        # No header, an empty one, or garbage next to our proxy: the last trusted hop.
        ("10.0.0.2", None, "10.0.0.2"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "unknown", "10.0.0.2"),
        ("10.0.0.2", "203.0.113.1, <script>, 10.0.0.3", "10.0.0.3"),
        # Ports and brackets as some proxies write them; IPv4 mapped in IPv6.
        ("10.0.0.2", "203.0.113.1:4711", "203.0.113.1"),
        ("10.0.0.2", "[2001:db8::7]:443", "2001:db8::7"),
        ("::ffff:10.0.0.2", "::ffff:203.0.113.1", "203.0.113.1"),
        ("fd00::5", "2001:db8::7", "2001:db8::7"),
        # No peer address at all (a Unix socket): unknown.
        ("", "203.0.113.1", None),
    ],
)
def test_client_address(peer, forwarded, client):
    assert read(peer, forwarded) == client


def test_with_no_trusted_proxy_the_header_never_counts():
    assert read("10.0.0.2", "203.0.113.1", trusted=()) == "10.0.0.2"


def test_parse_address_refuses_what_is_not_one():
    for text in ("", "localhost", "999.1.1.1", "1.2.3.4:80:90", "[::1", "1.2.3.4/24"):
        assert parse_address(text) is None, text
    assert parse_address(" 203.0.113.1 ") == ipaddress.ip_address("203.0.113.1")


def test_proxies_are_addresses_or_networks():
    assert parse_networks(["10.0.0.1", "10.0.0.0/8", "::1", "10.1.2.3/8"])[3] == ipaddress.ip_network("10.0.0.0/8")
    with pytest.raises(ImproperlyConfigured, match="nginx"):
        parse_networks(["nginx"])
