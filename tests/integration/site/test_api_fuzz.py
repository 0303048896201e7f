"""The public API under generated input (schemathesis, from our own OpenAPI schema): whatever
the query, the answer is never a server error and always matches the documented shape."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error, response_schema_conformance

from core.services import auth_token_issue
from sites.wsgi import application
from tests.support.factories import BookingFactory

FUZZ_SETTINGS = hypothesis_settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def wsgi_app():
    """The real WSGI app, minus the per-request connection closing (as Django's test client
    does), so that requests stay inside the test's transaction on PostgreSQL too."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield application
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _plausible_window(values: dict, base) -> None:
    """Move a generated ``start``/``end`` pair into the next weeks, keeping its offset and some of
    its variety (day, time of day, length), so that the rules are reached, not only the parser."""
    try:
        start = datetime.fromisoformat(str(values.get("start")))
    except ValueError:
        return
    if start.tzinfo is None:
        return
    moved = base + timedelta(days=start.toordinal() % 14, minutes=(start.hour * 60 + start.minute) // 15 * 15)
    moved = moved.astimezone(start.tzinfo)
    values["start"] = moved.isoformat()
    values["end"] = (moved + timedelta(minutes=30 * (1 + start.second % 8))).isoformat()


def _aim_at_real_rows(case, operation, rows, base):
    """Random ids and dates rarely hit anything: point every other case at a real resource or
    booking and a window in the coming weeks, so that the fuzzer also reaches the rules, the
    services and the idempotency store."""
    if "id" in (case.path_parameters or {}) and case.path_parameters["id"] % 2 == 0:
        kind = "booking" if operation.path.startswith("/api/v1/bookings/") else "resource"
        case.path_parameters["id"] = rows[kind][case.path_parameters["id"] // 2 % len(rows[kind])]
    if isinstance(case.query, dict) and "start" in case.query and len(str(case.query["start"])) % 2 == 0:
        _plausible_window(case.query, base)
    if operation.path == "/api/v1/bookings/" and operation.method.upper() == "POST" and isinstance(case.body, dict):
        resource = case.body.get("resource")
        if isinstance(resource, int) and resource % 2 == 0:
            case.body["resource"] = rows["resource"][resource // 2 % len(rows["resource"])]
            _plausible_window(case.body, base)


@pytest.mark.django_db
def test_api_never_fails_on_generated_input(make_venue, make_resource, make_user, wsgi_app, monkeypatch, settings):
    application = wsgi_app
    # Every rate out of reach, and no lockout after failed logins: the fuzzer is here to reach the
    # rules, not the rate limiter.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth": "100000/min", "booking": "100000/min"})
    settings.AXES_ENABLED = False

    weekdays = [(day, "09:00", "18:00") for day in range(5)]
    lyon = make_venue(title="Lieu fuzz A", city="Lyon", latitude=45.76, longitude=4.83, opening_hours=weekdays)
    make_venue("totem", title="Totem fuzz", city="Nantes", latitude=47.21, longitude=-1.55)
    room = make_resource(lyon, name="Salle fuzz", price_minor=1250)
    pool = make_resource(lyon, name="Open space fuzz", kind="desk_pool", capacity=4, booking_unit="half_day")
    user = make_user("fuzzer")
    start = (datetime.now(UTC) + timedelta(days=8)).replace(hour=9, minute=0, second=0, microsecond=0)
    while start.weekday() > 4:
        start += timedelta(days=1)
    booking = BookingFactory(user=user, resource=room, start=start, end=start + timedelta(hours=1))
    rows = {"resource": [room.pk, pool.pk], "booking": [booking.pk]}
    base = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    headers = {"Authorization": f"Token {auth_token_issue(user=user).key}"}

    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/api/v1/venues/",
        "/api/v1/venues/{id}/",
        "/api/v1/auth/token/",
        "/api/v1/resources/",
        "/api/v1/resources/{id}/",
        "/api/v1/resources/{id}/availability/",
        "/api/v1/availability/",
        "/api/v1/bookings/",
        "/api/v1/bookings/{id}/",
        "/api/v1/bookings/{id}/cancel/",
    }

    statuses: Counter = Counter()

    def fuzz(operation):
        @FUZZ_SETTINGS
        @given(case=operation.as_strategy())
        def check(case):
            _aim_at_real_rows(case, operation, rows, base)
            response = case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])
            statuses[response.status_code] += 1

        return check

    for operation in operations:
        fuzz(operation)()
    total = sum(statuses.values())
    print("fuzz statuses:", dict(sorted(statuses.items())), f"({total} requests)")
    # Generated input follows the schema's constraints: most of it passes validation and is
    # answered by the rules (2xx, 404 for an unknown id, 409), not refused as malformed or rationed.
    assert statuses[429] == 0
    assert sum(n for code, n in statuses.items() if code != 400) >= total / 2, statuses


@pytest.mark.django_db
def test_an_id_beyond_64_bits_is_a_404(client, site_tree):
    """Found by the fuzzer: SQLite raised OverflowError (a 500) for such an id. No route takes it
    now (``core.routes``), and the API's 404 keeps the API's error shape."""
    response = client.get("/api/v1/venues/17698999597720725504/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found" and response.json()["detail"]
    assert client.get("/api/v1/no-such-thing/").json()["code"] == "not_found"
