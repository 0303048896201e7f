"""The outbound-fetch guard: every URL Essaim fetches for a user or an admin (a peer node, an
outside calendar) goes through ``fetch``.

The host is resolved once, every address is checked (private, loopback, link-local, reserved and
metadata addresses are refused unless ``ESSAIM_ALLOW_PRIVATE_ADDRESSES`` lists their network;
link-local and metadata never), and the connection is made to the address that was checked — a
second DNS answer cannot swap it (DNS rebinding). Redirects are followed by hand, each hop checked
the same way. Bodies are capped while they are read."""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

#: Never reachable, whatever the setting says: link-local (cloud metadata at 169.254.169.254 lives
#: there) and the IPv6 equivalents.
NEVER = [
    ipaddress.ip_network("169.254.0.0/16"),
    ipaddress.ip_network("fe80::/10"),
    ipaddress.ip_network("fd00:ec2::/32"),
    ipaddress.ip_network("100.100.100.200/32"),
]


class _NoRequestTargets(logging.Filter):
    """urllib3 logs each request's path at DEBUG level, and an address fetched for a user can be a
    secret (an outside calendar's: Google's ``/calendar/ical/…/private-<secret>/basic.ics``).
    Paths are masked before any handler sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                "/…" if isinstance(arg, str) and arg.startswith("/") and len(arg) > 1 else arg for arg in record.args
            )
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_NoRequestTargets())


class FetchRefused(Exception):
    """The URL is not one we may fetch, or the answer broke a limit. ``code`` says which in a
    word (``refused_address``, ``bad_url``, ``too_large``, ``timed_out``, ``unreachable``,
    ``too_many_redirects``); the message is readable by an admin."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str
    #: The address the connection went to (after the checks).
    address: str = ""
    history: list[str] = field(default_factory=list)

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


def allowed_networks() -> list[ipaddress._BaseNetwork]:
    return [ipaddress.ip_network(n.strip(), strict=False) for n in settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES if n.strip()]


def check_address(address: str) -> None:
    """Refuse an address we must not connect to (see the module's docstring)."""
    ip = ipaddress.ip_address(address)
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if any(ip in net for net in NEVER):
        raise FetchRefused(f"{address} is a link-local or metadata address: never fetched.", "refused_address")
    public = ip.is_global and not (ip.is_multicast or ip.is_reserved)
    if public:
        return
    if any(ip.version == net.version and ip in net for net in allowed_networks()):
        return
    raise FetchRefused(
        f"{address} is a private, loopback or reserved address: refused "
        "(ESSAIM_ALLOW_PRIVATE_ADDRESSES lists the networks allowed).",
        "refused_address",
    )


def resolve(host: str, port: int) -> str:
    """The first address ``host`` resolves to, checked. Every address of the answer must pass: a
    name that resolves to both a public and a private address is refused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchRefused(f"{host} does not resolve ({exc.strerror}).", "unreachable") from exc
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        check_address(address)
    return addresses[0]


def split(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused(f"{url!r} is not an http(s) address.", "bad_url")
    if parts.username or parts.password:
        raise FetchRefused("Addresses with a user name or password are refused.", "bad_url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchRefused(f"{url!r} has an invalid port.", "bad_url") from exc
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return parts.scheme, parts.hostname, port, target


def fetch(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 10.0,
    max_bytes: int = 5 * 1024 * 1024,
    max_redirects: int = 3,
    total_timeout: float | None = None,
) -> Answer:
    """Fetch ``url`` through the guard. Raises ``FetchRefused`` for a refused address, a bad URL,
    a body over ``max_bytes``, a timeout or a connection failure; other statuses are returned.

    ``timeout`` bounds each wait (connecting, each read); ``total_timeout`` bounds the whole
    exchange, redirects and body included, so a server dripping one byte at a time cannot hold
    a worker."""
    history: list[str] = []
    deadline = time.monotonic() + total_timeout if total_timeout else None
    for _hop in range(max_redirects + 1):
        scheme, host, port, target = split(url)
        address = resolve(host, port)
        answer = _request(
            scheme, host, port, address, target, method, headers or {}, body, timeout, max_bytes, deadline
        )
        answer.url, answer.history = url, history
        location = answer.header("location")
        if answer.status in (301, 302, 303, 307, 308) and location:
            history.append(url)
            url = urljoin(url, location)
            if answer.status == 303 or (answer.status in (301, 302) and method == "POST"):
                method, body = "GET", None
            continue
        return answer
    raise FetchRefused(f"More than {max_redirects} redirects.", "too_many_redirects")


def _request(scheme, host, port, address, target, method, headers, body, timeout, max_bytes, deadline=None) -> Answer:
    """One request to the checked ``address``; TLS still checks the certificate against ``host``."""
    if deadline is not None:
        timeout = min(timeout, max(deadline - time.monotonic(), 0.001))
    kwargs = {"timeout": urllib3.Timeout(connect=timeout, read=timeout), "retries": False, "maxsize": 1}
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address, port, server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED", **kwargs
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, **kwargs)
    default_port = 443 if scheme == "https" else 80
    sent = {"Host": host if port == default_port else f"{host}:{port}", "User-Agent": user_agent(), **headers}
    try:
        response = pool.urlopen(
            method, target, body=body, headers=sent, redirect=False, preload_content=False, assert_same_host=False
        )
        try:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchRefused(f"The answer is larger than {max_bytes} bytes.", "too_large")
            chunks, size = [], 0
            # ``read1`` returns what one read brought (``stream`` would wait for a whole chunk), so
            # the deadline is checked however slowly the bytes come.
            while chunk := response.read1(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchRefused(f"The answer is larger than {max_bytes} bytes.", "too_large")
                chunks.append(chunk)
                if deadline is not None and time.monotonic() > deadline:
                    raise FetchRefused(f"{host} did not send its answer in time.", "timed_out")
        finally:
            response.close()
            response.release_conn()
    except urllib3.exceptions.NewConnectionError as exc:  # a subclass of the time-out errors in urllib3 2
        raise FetchRefused(f"{host} refused the connection or could not be reached.", "unreachable") from exc
    except urllib3.exceptions.TimeoutError as exc:
        raise FetchRefused(f"{host} did not answer within {timeout:g} s.", "timed_out") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise FetchRefused(f"{host} could not be reached ({exc.__class__.__name__}).", "unreachable") from exc
    finally:
        pool.close()
    return Answer(
        status=response.status,
        headers={k.lower(): v for k, v in response.headers.items()},
        body=b"".join(chunks),
        url="",
        address=address,
    )


def user_agent() -> str:
    return f"Essaim/{settings.ESSAIM_VERSION} (+{settings.ESSAIM_NODE_URL})"
