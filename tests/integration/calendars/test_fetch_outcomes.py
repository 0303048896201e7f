"""Every way a fetch ends, against the real loopback server: the vendors' shapes and the 304,
each error word, the limits (size, a dripping server), redirects; a failure keeps the last good
blocks and never records or logs the address."""

import logging
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import BusyBlock
from calendars import services
from calendars.models import ErrorCode, Outcome
from tests.integration.calendars.conftest import days_ahead
from tests.support.calendar_server import ics, vevent

pytestmark = pytest.mark.django_db

SECRET = "/calendar/ical/room%40example.org/private-5ecr3t0f7a9b2c/basic.ics"


@pytest.fixture
def room(make_resource):
    return make_resource(name="Salle Saône")


def two_events():
    start = days_ahead(3)
    return ics(vevent("a@example.org", start), vevent("b@example.org", start, hours=2, extra="LOCATION:x\r\n"))


@pytest.mark.parametrize("dialect", ["google", "outlook", "nextcloud"])
def test_each_vendor_shape_imports_and_a_second_fetch_costs_at_most_one_request(calendar_server, attach, room, dialect):
    calendar_server.publish(SECRET, two_events(), dialect=dialect)
    calendar = attach(SECRET, resource=room)
    assert services.calendar_fetch(calendar).outcome == Outcome.IMPORTED
    assert BusyBlock.objects.filter(source=calendar.source).count() == 2

    before = len(calendar_server.requests)
    result = services.calendar_fetch(calendar)
    assert len(calendar_server.requests) == before + 1
    if dialect == "google":  # no validators: the same bytes, not parsed again
        assert result.outcome == Outcome.UNCHANGED
    else:
        assert result.outcome == Outcome.NOT_MODIFIED
        sent = calendar_server.requests[-1][2]
        assert sent["if-none-match"]
        assert ("if-modified-since" in sent) == (dialect == "nextcloud")


def test_a_304_sends_the_validators_costs_one_request_and_writes_no_block(calendar_server, attach, room):
    calendar_server.publish(SECRET, two_events(), dialect="nextcloud")
    calendar = attach(SECRET, resource=room)
    services.calendar_fetch(calendar)
    route = calendar_server.routes[SECRET]
    before = len(calendar_server.requests)
    with CaptureQueriesContext(connection) as queries:
        result = services.calendar_fetch(calendar)
    assert result.outcome == Outcome.NOT_MODIFIED
    assert len(calendar_server.requests) == before + 1
    headers = calendar_server.requests[-1][2]
    assert headers["if-none-match"] == route.etag
    assert headers["if-modified-since"]
    assert not [q["sql"] for q in queries if "bookings_busyblock" in q["sql"]]


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (404, ErrorCode.NOT_FOUND),
        (410, ErrorCode.NOT_FOUND),
        (401, ErrorCode.DENIED),
        (403, ErrorCode.DENIED),
        (500, ErrorCode.SERVER_ERROR),
        (503, ErrorCode.SERVER_ERROR),
    ],
)
def test_statuses_become_error_words_and_keep_the_last_good_blocks(calendar_server, attach, room, status, code, caplog):
    calendar_server.publish(SECRET, two_events())
    calendar = attach(SECRET, resource=room)
    services.calendar_fetch(calendar)
    calendar_server.publish(SECRET, "gone", status=status)
    with caplog.at_level(logging.DEBUG):
        result = services.calendar_fetch(calendar)
    calendar.refresh_from_db()
    assert (result.outcome, result.error_code, calendar.error_code) == (Outcome.FAILED, code, code)
    assert str(status) in calendar.error
    assert BusyBlock.objects.filter(source=calendar.source).count() == 2
    assert calendar.failures == 1 and calendar.failing_since is not None
    assert "5ecr3t" not in calendar.error and "5ecr3t" not in caplog.text


def test_an_html_page_is_not_a_calendar(calendar_server, attach, room):
    calendar_server.publish(
        SECRET, "<!doctype html><html><body>Sign in</body></html>", content_type="text/html; charset=utf-8"
    )
    calendar = attach(SECRET, resource=room)
    result = services.calendar_fetch(calendar)
    assert result.error_code == ErrorCode.NOT_A_CALENDAR


def test_a_body_over_the_limit_is_too_large_and_the_last_good_blocks_stay(calendar_server, attach, room, settings):
    calendar_server.publish(SECRET, two_events())
    calendar = attach(SECRET, resource=room)
    services.calendar_fetch(calendar)
    settings.ESSAIM_CALENDAR_MAX_BYTES = 2000
    padding = "".join(vevent(f"pad{n}@example.org", days_ahead(5 + n)) for n in range(30))
    calendar_server.publish(SECRET, ics(padding))
    result = services.calendar_fetch(calendar)
    assert result.error_code == ErrorCode.TOO_LARGE
    assert BusyBlock.objects.filter(source=calendar.source).count() == 2
    # without a Content-Length (a dripping or chunked answer) the cap holds while reading
    calendar_server.publish(SECRET, ics(padding), drip=0.00001)
    assert services.calendar_fetch(calendar).error_code == ErrorCode.TOO_LARGE


def test_a_server_dripping_its_answer_is_cut_at_the_timeout(calendar_server, attach, room, settings):
    settings.ESSAIM_CALENDAR_TIMEOUT = 1.0
    calendar_server.publish(SECRET, two_events())
    calendar = attach(SECRET, resource=room)
    services.calendar_fetch(calendar)
    calendar_server.publish(SECRET, two_events() + " " * 100, drip=0.05)  # each byte in time, the whole too slow
    began = time.monotonic()
    result = services.calendar_fetch(calendar)
    took = time.monotonic() - began
    assert result.error_code == ErrorCode.TIMED_OUT
    assert took < 2.0, took
    assert BusyBlock.objects.filter(source=calendar.source).count() == 2


def test_a_redirect_to_a_private_address_is_refused(calendar_server, attach, room):
    calendar_server.publish(SECRET, redirect="http://10.0.0.1/steal.ics")
    calendar = attach(SECRET, resource=room)
    result = services.calendar_fetch(calendar)
    assert result.error_code == ErrorCode.REFUSED_ADDRESS
    calendar_server.publish(SECRET, redirect="http://169.254.169.254/latest/meta-data/")
    assert services.calendar_fetch(calendar).error_code == ErrorCode.REFUSED_ADDRESS
    assert calendar_server.count(SECRET) == 2  # only the first hop, each time


def test_a_redirect_is_followed_and_too_many_are_refused(calendar_server, attach, room):
    calendar_server.publish("/moved.ics", two_events())
    calendar_server.publish(SECRET, redirect="/moved.ics", status=301)
    calendar = attach(SECRET, resource=room)
    assert services.calendar_fetch(calendar).outcome == Outcome.IMPORTED

    calendar_server.publish(SECRET, redirect=SECRET)
    result = services.calendar_fetch(calendar)
    assert result.error_code == ErrorCode.TOO_MANY_REDIRECTS
    assert "5ecr3t" not in result.error


def test_the_address_is_never_in_the_error_nor_the_logs(calendar_server, attach, room, caplog):
    calendar = attach(SECRET + "?token=5ecr3t", resource=room)
    calendar_server.publish(SECRET + "?token=5ecr3t", "not a calendar")
    with caplog.at_level(logging.DEBUG):
        services.calendar_fetch(calendar)
        calendar_server.stop()
        result = services.calendar_fetch(calendar)  # the server is gone: unreachable
    calendar.refresh_from_db()
    assert result.error_code == ErrorCode.UNREACHABLE
    assert "5ecr3t" not in calendar.error and "5ecr3t" not in caplog.text
    assert "5ecr3t" not in calendar.address_hint
    assert "/private-" not in caplog.text
