"""Geocoding through a real Celery worker: the publish queues a task on the broker (Redis when
REDIS_URL is set, Celery's in-memory transport otherwise) and a worker thread runs it."""

import pytest
import responses

from tests.support.worker import wait_for
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
    assert wait_for(
        lambda: (
            VenuePage.objects.filter(pk=venue.pk).values_list("geocode_status", flat=True).get()
            != GeocodeStatus.PENDING
        )
    ), "the worker did not geocode the venue"
    stored = VenuePage.objects.get(pk=venue.pk)
    assert stored.geocode_status == GeocodeStatus.FOUND, stored.geocode_message
    assert stored.latitude == pytest.approx(45.188529)
    assert stored.longitude == pytest.approx(5.724524)
    assert len(responses.calls) == 1
    assert "Grenoble" in responses.calls[0].request.url
