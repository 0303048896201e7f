"""``/health/``: the load balancer's probe answers 200 when the database, the cache and the Celery
broker answer, 500 (naming the failing one) when one does not; never a redirect, a cookie or a 429."""

import pytest
from celery import current_app
from django.test import override_settings

pytestmark = pytest.mark.django_db

CLOSED_PORT = "127.0.0.1:9"  # the discard port: nothing listens there on a test machine


def test_all_three_answer(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert set(response.json().values()) == {"OK"}
    assert {"Database(alias='default')", "Cache(alias='default')", "CeleryBroker()"} == set(response.json())
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]


def test_no_language_prefix_nor_page_swallows_it(client):
    response = client.get("/health/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "CeleryBroker()" in response.json()


def test_text_for_those_who_ask(client):
    response = client.get("/health/", HTTP_ACCEPT="text/plain")
    assert response.status_code == 200
    assert response.content.decode().splitlines() == [
        "Database(alias='default'): OK",
        "Cache(alias='default'): OK",
        "CeleryBroker(): OK",
    ]


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_probe_is_not_redirected(client):
    assert client.get("/health/").status_code == 200
    assert client.get("/api/v1/venues/").status_code == 301


def test_unreachable_broker_is_a_500(client, monkeypatch):
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setitem(current_app.conf, "broker_url", f"redis://{CLOSED_PORT}/0")
    monkeypatch.setitem(current_app.conf, "broker_write_url", None)
    response = client.get("/health/")
    assert response.status_code == 500
    assert response.json()["CeleryBroker()"].endswith("broker unreachable (OperationalError)")
    assert response.json()["Database(alias='default')"] == "OK"


def test_unreachable_cache_is_a_500(client):
    unreachable = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://{CLOSED_PORT}/0"}
    with override_settings(CACHES={"default": unreachable}):  # Django builds the cache afresh from it
        response = client.get("/health/")
    assert response.status_code == 500
    assert response.json()["Cache(alias='default')"] != "OK"


def test_many_probes_are_never_throttled(client):
    assert {client.get("/health/").status_code for _ in range(40)} == {200}
