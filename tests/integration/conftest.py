"""Integration fixtures: the geocoders replaced at the HTTP edge, users and groups.

``geocoder`` answers like the real services (shapes copied from their public answers):

- BAN — ``GET https://api-adresse.data.gouv.fr/search/?q=…`` returns a GeoJSON FeatureCollection,
  each feature with ``geometry.coordinates`` as ``[lng, lat]`` and ``properties.label``/``score``…
- Nominatim — ``GET https://nominatim.openstreetmap.org/search?q=…&format=json&limit=1`` returns a
  JSON list of places with ``lat``/``lon`` as strings and ``display_name``.

Any request nobody registered gets a ``ConnectionError`` from ``responses`` (and pytest-socket
blocks real sockets anyway): tests assert on ``geocoder.calls`` to prove a service was not asked.
"""

import itertools
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from responses import matchers

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
        "boundingbox": [f"{latitude - 0.0005}", f"{latitude + 0.0005}", f"{longitude - 0.0005}", f"{longitude + 0.0005}"],
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


@pytest.fixture
def geocoder():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield GeocoderMock(rsps)


@pytest.fixture
def network_admin(site_tree, django_user_model):
    from django.contrib.auth.models import Group

    from cms.services import NETWORK_ADMINS

    user = django_user_model.objects.create_user("netadmin", "netadmin@example.org", "admin-pass-93ab")
    user.groups.add(Group.objects.get(name=NETWORK_ADMINS))
    return user


@pytest.fixture
def make_user(db, django_user_model):
    counter = itertools.count(1)

    def make(username=None, password="manager-pass-7c1d", **fields):
        username = username or f"user{next(counter)}"
        return django_user_model.objects.create_user(username, f"{username}@example.org", password, **fields)

    return make
