"""The public API under generated input (schemathesis, from our own OpenAPI schema): whatever
the query, the answer is never a server error and always matches the documented shape."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

FUZZ_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def wsgi_app():
    """The real WSGI app, minus the per-request connection closing (as Django's test client
    does), so that requests stay inside the test's transaction on PostgreSQL too."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from sites.wsgi import application

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield application
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
def test_api_never_fails_on_generated_input(make_venue, wsgi_app):
    application = wsgi_app

    make_venue(title="Lieu fuzz A", city="Lyon", latitude=45.76, longitude=4.83)
    make_venue("totem", title="Totem fuzz", city="Nantes", latitude=47.21, longitude=-1.55)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/venues/", "/api/v1/venues/{id}/", "/api/v1/auth/token/"}
    for operation in operations:

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

        check()


@pytest.mark.django_db
def test_an_id_beyond_64_bits_is_a_404(client, site_tree):
    """Found by the fuzzer: SQLite raised OverflowError (a 500) for such an id."""
    response = client.get("/api/v1/venues/17698999597720725504/")
    assert response.status_code == 404
    assert response.json()["code"] == "venue_not_found"
