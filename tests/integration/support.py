"""Integration helpers: geocoder answers shaped like the real services, module-wide test data
(venues from ``tests.support.factories``).

The ``geocoder`` fixture answers like the real services (shapes copied from their public answers):

- BAN — ``GET https://api-adresse.data.gouv.fr/search?q=…`` (geopy's path, no trailing slash)
  returns a GeoJSON FeatureCollection, each feature with ``geometry.coordinates`` as
  ``[lng, lat]`` and ``properties.label``/``score``…
- Nominatim — ``GET https://nominatim.openstreetmap.org/search?q=…&format=json&limit=1`` returns a
  JSON list of places with ``lat``/``lon`` as strings and ``display_name``.

Any request nobody registered gets a ``ConnectionError`` from ``responses`` (and pytest-socket
blocks real sockets anyway): tests assert on ``geocoder.calls`` to prove a service was not asked.
"""

import itertools
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import responses
from django.core.cache import cache
from django.db import transaction
from responses import matchers

from tests.support.factories import VenueFactory, site_tree

BAN_URL = "https://api-adresse.data.gouv.fr/search"  # geopy BANFrance.geocode_path: no trailing slash
NOMINATIM_URL = "https://nominatim.openstreetmap.org/search"

_ids = itertools.count(1000)


def ban_feature(latitude, longitude, label, *, score=0.97, kind="housenumber", postcode="69001", city="Lyon"):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": {
            "label": label,
            "score": score,
            "housenumber": "12",
            "id": f"69381_{next(_ids)}_00012",
            "name": label.split(" " + postcode)[0],
            "postcode": postcode,
            "citycode": "69381",
            "x": 842439.67,
            "y": 6519924.06,
            "city": city,
            "district": "Lyon 1er Arrondissement",
            "context": "69, Rhône, Auvergne-Rhône-Alpes",
            "type": kind,
            "importance": 0.72,
            "street": "Rue des Tanneurs",
        },
    }


def ban_collection(query, *features):
    return {
        "type": "FeatureCollection",
        "version": "draft",
        "features": list(features),
        "attribution": "BAN",
        "licence": "ETALAB-2.0",
        "query": query,
        "limit": 5,
    }


def nominatim_place(latitude, longitude, display_name):
    return {
        "place_id": next(_ids),
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
        "osm_type": "way",
        "osm_id": next(_ids),
        "lat": f"{latitude}",
        "lon": f"{longitude}",
        "class": "building",
        "type": "yes",
        "place_rank": 30,
        "importance": 0.00008,
        "addresstype": "building",
        "name": "",
        "display_name": display_name,
        "boundingbox": [
            f"{latitude - 0.0005}",
            f"{latitude + 0.0005}",
            f"{longitude - 0.0005}",
            f"{longitude + 0.0005}",
        ],
    }


@dataclass
class GeocoderMock:
    rsps: responses.RequestsMock

    def ban(self, query, *features, status=200):
        self.rsps.get(
            BAN_URL,
            json=ban_collection(query, *features),
            status=status,
            match=[matchers.query_param_matcher({"q": query})],
        )

    def ban_error(self, exception):
        self.rsps.get(BAN_URL, body=exception)

    def ban_status(self, status):
        self.rsps.get(BAN_URL, json={"code": status, "message": "Service indisponible"}, status=status)

    def nominatim(self, query, *places):
        self.rsps.get(
            NOMINATIM_URL,
            json=list(places),
            match=[matchers.query_param_matcher({"q": query, "format": "json", "limit": "1"})],
        )

    @property
    def calls(self):
        return list(self.rsps.calls)

    def calls_to(self, url):
        return [call for call in self.rsps.calls if call.request.url.split("?")[0] == url]

    def queries_to(self, url):
        return [parse_qs(urlsplit(call.request.url).query)["q"][0] for call in self.calls_to(url)]


@contextmanager
def rolled_back(django_db_blocker):
    """Data shared by a module's tests: created in an outer transaction that is rolled back.

    Each test's own ``db`` transaction nests inside it (a savepoint), so tests still cannot see
    each other's changes, and nothing outlives the module.
    """
    with django_db_blocker.unblock():
        cache.clear()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()


def build_site_tree():
    """The same tree as the ``site_tree`` fixture (which finds it again and returns it)."""
    return site_tree()


def create_venue(tree, kind="tiers_lieu", *, opening_hours=(), **fields):
    """Like the ``make_venue`` fixture, for module-wide data."""
    return VenueFactory(kind=kind, directory=tree.directory, opening_hours=opening_hours, **fields)
