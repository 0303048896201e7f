"""The client's address, read in one place for rate limits, django-axes and the logs.

A request's ``X-Forwarded-For`` is written by whoever sent it, so it counts only when the peer
(``REMOTE_ADDR``) is one of ``ESSAIM_TRUSTED_PROXIES`` (addresses or networks; none by default).
Then the header is read from the right, skipping our own proxies: the first address that is not
a proxy of ours is the client, and whatever the client wrote further left is ignored (nginx's
``$proxy_add_x_forwarded_for`` appends the peer it saw to what the client sent).

Rate limits and lock-outs count an IPv6 client by its /64, the block one subscriber is given,
or rotating addresses inside it would be a fresh allowance each time.
"""

import contextvars
import ipaddress
import logging
from collections.abc import Iterable, Mapping
from functools import lru_cache

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: A subscriber's IPv6 allocation: rate limits count the block, not the address.
IPV6_CLIENT_PREFIX = 64

_current = contextvars.ContextVar("client_address", default=None)


def parse_networks(items: Iterable[str]) -> tuple[Network, ...]:
    """``ESSAIM_TRUSTED_PROXIES`` entries as networks (an address is a network of one)."""
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"ESSAIM_TRUSTED_PROXIES: {item!r} is neither an IP address nor a network ({error})."
            ) from error
    return tuple(networks)


def parse_address(text: str | None) -> Address | None:
    """One address as proxies write it (``1.2.3.4``, ``1.2.3.4:80``, ``[2001:db8::1]:80``); None if it is not one."""
    if not text:
        return None
    text = text.strip()
    if text.startswith("["):  # [IPv6]:port
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # IPv4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address_of(meta: Mapping, trusted: tuple[Network, ...]) -> Address | None:
    """The client's address from a WSGI environ (``request.META``), given the trusted proxies."""
    peer = parse_address(meta.get("REMOTE_ADDR"))
    if peer is None or not _trusted(peer, trusted):
        return peer
    client = peer
    for hop in reversed(meta.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = parse_address(hop)
        if address is None:  # garbage left of our proxies: the last hop we trust is the best we know
            break
        client = address
        if not _trusted(address, trusted):
            break
    return client


def _trusted(address: Address, trusted: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)


@lru_cache(maxsize=8)
def _networks(items: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(items)


def trusted_proxies() -> tuple[Network, ...]:
    """The configured proxies (re-read when a test overrides the setting)."""
    return _networks(tuple(settings.ESSAIM_TRUSTED_PROXIES))


def client_address(request) -> str | None:
    """The client's address as text (logs, audit), or None when the peer has none (a Unix socket)."""
    address = client_address_of(request.META, trusted_proxies())
    return None if address is None else str(address)


def client_ident(request) -> str | None:
    """Who a rate limit or a lock-out counts: the address, or an IPv6 client's /64 (as an address).

    DRF's throttles (``core.throttling``), django-axes (``AXES_CLIENT_IP_CALLABLE``) and the pages'
    booking rate all use it, so no counter can be reset by changing a header.
    """
    address = client_address_of(request.META, trusted_proxies())
    if address is None:
        return None
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False).network_address)
    return str(address)


class ClientAddressMiddleware:
    """Remembers the request's client address for the log lines written while it is handled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


class ClientAddressFilter(logging.Filter):
    """Adds ``client_address`` to every log record: the request's (as read above) or ``-``."""

    def filter(self, record):
        request = getattr(record, "request", None)
        address = client_address(request) if hasattr(request, "META") else _current.get()
        record.client_address = address or "-"
        return True


def check_trusted_proxies(app_configs=None, **kwargs):
    """A mistyped ``ESSAIM_TRUSTED_PROXIES`` stops ``manage.py check`` and every start, not a request."""
    try:
        parse_networks(settings.ESSAIM_TRUSTED_PROXIES)
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="core.E001")]
    return []
