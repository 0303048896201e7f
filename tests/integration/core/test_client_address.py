"""The client address that rate limits, django-axes and the logs count (``core.client_address``):
``X-Forwarded-For`` names the client only when the request comes from one of our proxies."""

import itertools
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls import reverse as url

from core.client_address import ClientAddressFilter, ClientAddressMiddleware, check_trusted_proxies, client_address
from core.throttling import ClientIdentMixin
from sites.gunicorn_logging import AccessLogger

TOKEN = "/api/v1/auth/token/"
PROXY = "10.0.0.2"  # nginx, as deploy/compose.yaml places it on its network
PROXIES = ["10.0.0.0/29"]


@pytest.fixture
def auth_rate(settings):
    """The token endpoint's allowance, as configured (10 a minute per address)."""
    return int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"].split("/")[0])


_usernames = itertools.count()


def token_request(client, *, peer, forwarded=None, username=None, password="guess"):  # noqa: S107
    """One try; each with another user name by default, as password spraying goes (axes locks one name)."""
    username = username or f"member{next(_usernames)}"
    headers = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    body = {"username": username, "password": password}
    return client.post(TOKEN, body, content_type="application/json", **headers)


def test_a_new_forwarded_for_on_each_token_request_is_still_throttled(client, db, auth_rate):
    """Password spraying from one machine: a different X-Forwarded-For each time changes nothing."""
    codes = [token_request(client, peer="198.51.100.7", forwarded=f"203.0.113.{n}").status_code for n in range(15)]
    assert codes[:auth_rate] == [400] * auth_rate
    assert set(codes[auth_rate:]) == {429}


def test_a_spoofed_header_from_a_peer_that_is_not_our_proxy_is_ignored(client, db, settings, auth_rate):
    settings.ESSAIM_TRUSTED_PROXIES = PROXIES
    for n in range(auth_rate):
        assert token_request(client, peer="198.51.100.7", forwarded=f"10.0.0.{n % 6 + 1}").status_code == 400
    assert token_request(client, peer="198.51.100.7", forwarded="203.0.113.99").status_code == 429
    # Another machine is its own peer and has its own allowance.
    assert token_request(client, peer="198.51.100.8").status_code == 400


def test_behind_our_proxy_each_client_has_its_own_allowance(client, db, settings, auth_rate):
    """nginx appends the peer it saw to whatever the client sent; only that last address counts."""
    settings.ESSAIM_TRUSTED_PROXIES = PROXIES
    for n in range(auth_rate):
        spoofed = f"192.0.2.{n}, 203.0.113.1"  # the client's own header, then nginx's addition
        assert token_request(client, peer=PROXY, forwarded=spoofed).status_code == 400
    assert token_request(client, peer=PROXY, forwarded="192.0.2.200, 203.0.113.1").status_code == 429
    # A second client behind the same proxy is not throttled by the first one's attempts.
    assert token_request(client, peer=PROXY, forwarded="203.0.113.2").status_code == 400
    # Without a header the proxy itself is the client (a health check), with its own allowance.
    assert token_request(client, peer=PROXY).status_code == 400


def test_an_ipv6_client_is_counted_by_its_64(client, db, auth_rate):
    codes = [token_request(client, peer=f"2001:db8:1:2::{n:x}").status_code for n in range(auth_rate + 1)]
    assert codes[-1] == 429
    assert token_request(client, peer="2001:db8:1:3::1").status_code == 400


def test_axes_locks_out_by_the_true_client_address(client, make_user, settings):
    """Behind nginx every request comes from nginx: a lock-out must hit the guesser, not everyone."""
    settings.ESSAIM_TRUSTED_PROXIES = PROXIES
    settings.AXES_FAILURE_LIMIT = 3
    make_user("erin", password="erin-pass-8a2b")
    guesser, owner = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.1"}, {"REMOTE_ADDR": PROXY}
    for attempt in range(3):
        forwarded = f"192.0.2.{attempt}, 203.0.113.1"  # a fresh spoofed prefix does not reset the count
        client.post(
            url("account_login"),
            {"login": "erin", "password": "guess"},
            HTTP_X_FORWARDED_FOR=forwarded,
            REMOTE_ADDR=PROXY,
        )
    locked = client.post(url("account_login"), {"login": "erin", "password": "erin-pass-8a2b"}, **guesser)
    assert locked.status_code == 429 and "_auth_user_id" not in client.session

    owner["HTTP_X_FORWARDED_FOR"] = "203.0.113.2"
    response = client.post(url("account_login"), {"login": "erin", "password": "erin-pass-8a2b"}, **owner)
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_axes_counts_token_failures_by_the_true_client_address(client, make_user, settings):
    settings.ESSAIM_TRUSTED_PROXIES = PROXIES
    settings.AXES_FAILURE_LIMIT = 3
    make_user("erin", password="erin-pass-8a2b")
    for attempt in range(3):
        token_request(client, peer=PROXY, forwarded=f"192.0.2.{attempt}, 203.0.113.1", username="erin")
    assert (
        token_request(
            client, peer=PROXY, forwarded="203.0.113.1", username="erin", password="erin-pass-8a2b"
        ).status_code
        == 429
    )
    good = token_request(client, peer=PROXY, forwarded="203.0.113.2", username="erin", password="erin-pass-8a2b")
    assert good.status_code == 200 and "token" in good.json()


def _views(resolver=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
            if view is not None:
                yield view


def test_every_throttle_counts_the_trusted_client_address(settings):
    """DRF's own throttles trust any X-Forwarded-For: none may be used, directly or by default."""
    throttled = [view for view in _views() if getattr(view, "throttle_classes", None)]
    assert throttled, "the URL patterns name throttled API views"
    for view in throttled:
        for throttle in view.throttle_classes:
            assert issubclass(throttle, ClientIdentMixin), f"{view.__name__} uses {throttle.__name__}"
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0


def test_log_lines_name_the_client(rf, settings):
    settings.ESSAIM_TRUSTED_PROXIES = PROXIES
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5")
    assert client_address(request) == "203.0.113.5"
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", None, None)
    record.request = request
    assert ClientAddressFilter().filter(record) and record.client_address == "203.0.113.5"
    outside = logging.LogRecord("essaim", logging.INFO, __file__, 1, "no request", None, None)
    assert ClientAddressFilter().filter(outside) and outside.client_address == "-"


def test_log_lines_written_during_a_request_name_its_client(rf, settings):
    """The middleware keeps the address for the lines that carry no request (a service's, a library's)."""
    settings.ESSAIM_TRUSTED_PROXIES = PROXIES
    records = []

    def view(request):
        record = logging.LogRecord("bookings.services", logging.INFO, __file__, 1, "booked", None, None)
        records.append(record)
        ClientAddressFilter().filter(record)
        return HttpResponse()

    ClientAddressMiddleware(view)(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9"))
    assert records[0].client_address == "203.0.113.9"


def test_a_mistyped_proxy_stops_the_checks(settings):
    settings.ESSAIM_TRUSTED_PROXIES = ["10.0.0.0/8", "nginx"]
    errors = check_trusted_proxies()
    assert [error.id for error in errors] == ["core.E001"] and "'nginx'" in errors[0].msg
    settings.ESSAIM_TRUSTED_PROXIES = ["10.0.0.0/8", "::1"]
    assert check_trusted_proxies() == []


def test_the_access_log_names_the_client_behind_our_proxy(settings):
    """gunicorn writes REMOTE_ADDR as ``%(h)s``: behind nginx, nginx's address on every line."""
    settings.ESSAIM_TRUSTED_PROXIES = PROXIES
    logger = object.__new__(AccessLogger)  # gunicorn's Logger.__init__ would install log handlers
    response = SimpleNamespace(status="200 OK", headers=[], sent=0)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": PROXY}
    environ["HTTP_X_FORWARDED_FOR"] = "192.0.2.1, 203.0.113.5"
    assert logger.atoms(response, [], environ, timedelta(milliseconds=3))["h"] == "203.0.113.5"
    environ["REMOTE_ADDR"] = "198.51.100.7"  # not our proxy: its header is ignored
    assert logger.atoms(response, [], environ, timedelta(milliseconds=3))["h"] == "198.51.100.7"


def test_allauth_rate_limits_count_each_client_behind_our_proxy(client, db, settings):
    """allauth's sign-up limit counts the client nginx names, not nginx: one client's sign-ups do not
    lock everyone else out, and a client cannot escape its own limit with a header of its own."""
    settings.ESSAIM_TRUSTED_PROXIES = PROXIES
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}

    def sign_up(n, forwarded):
        body = {"email": f"person{n}@example.org", "password1": "x", "password2": "x"}
        return client.post(url("account_signup"), body, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    assert [sign_up(n, f"192.0.2.{n}, 203.0.113.1").status_code for n in range(3)] == [200, 200, 429]
    assert sign_up(3, "203.0.113.2").status_code == 200  # another client behind the same proxy
