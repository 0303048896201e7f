"""Geocoding through a real Celery worker: the publish queues a task on the broker (Redis when
REDIS_URL is set, Celery's in-memory transport otherwise) and a worker thread runs it."""

import time

import pytest
import responses
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from sites.celery import app as celery_app
from venues.models import GeocodeStatus, VenuePage

BAN_URL = "https://api-adresse.data.gouv.fr/search"
BAN_BODY = {
    "type": "FeatureCollection",
    "version": "draft",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [5.724524, 45.188529]},
            "properties": {
                "label": "3 Rue Lesdiguières 38000 Grenoble",
                "score": 0.95,
                "housenumber": "3",
                "id": "38185_4520_00003",
                "name": "3 Rue Lesdiguières",
                "postcode": "38000",
                "citycode": "38185",
                "x": 913600.1,
                "y": 6457750.2,
                "city": "Grenoble",
                "context": "38, Isère, Auvergne-Rhône-Alpes",
                "type": "housenumber",
                "importance": 0.7,
                "street": "Rue Lesdiguières",
            },
        }
    ],
    "attribution": "BAN",
    "licence": "ETALAB-2.0",
    "query": "3 rue Lesdiguières, 38000 Grenoble",
    "limit": 1,
}


@pytest.fixture
def worker():
    broker = celery_app.conf.broker_url
    if not settings.CELERY_BROKER_URL:
        celery_app.conf.broker_url = "memory://"
    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as running:
        yield running
    celery_app.conf.broker_url = broker


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@responses.activate
def test_publish_geocodes_on_a_worker(make_venue, worker):
    responses.add(responses.GET, BAN_URL, json=BAN_BODY)
    venue = make_venue(
        title="La Casemate",
        street_address="3 rue Lesdiguières",
        postcode="38000",
        city="Grenoble",
        latitude=None,
        longitude=None,
    )
    deadline = time.monotonic() + 30
    status = None
    while time.monotonic() < deadline:
        status = VenuePage.objects.filter(pk=venue.pk).values_list("geocode_status", flat=True).get()
        if status != GeocodeStatus.PENDING:
            break
        time.sleep(0.1)
    stored = VenuePage.objects.get(pk=venue.pk)
    assert status == GeocodeStatus.FOUND, stored.geocode_message
    assert stored.latitude == pytest.approx(45.188529)
    assert stored.longitude == pytest.approx(5.724524)
    assert len(responses.calls) == 1
    assert "Grenoble" in responses.calls[0].request.url
