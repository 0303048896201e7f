"""``GET /api/v1/venues/`` and ``/api/v1/venues/{id}/``, the schema, Swagger UI and token auth."""

import hashlib

import pytest
from django.conf import settings
from geopy.distance import geodesic
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from accounts.models import ApiToken
from tests.integration.support import build_site_tree, create_venue, rolled_back
from venues.services import venue_translate

pytestmark = pytest.mark.django_db

LIST = "/api/v1/venues/"
CONTRACT_FIELDS = {
    "id",
    "slug",
    "name",
    "kind",
    "street_address",
    "postcode",
    "city",
    "region",
    "country",
    "latitude",
    "longitude",
    "timezone",
    "url",
    "origin",
}


def detail_url(pk):
    return f"/api/v1/venues/{pk}/"


def names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


@pytest.fixture(scope="module")
def network(django_db_setup, django_db_blocker):
    """Five venues of the three kinds, in France and Senegal, with labels and amenities.

    Read-only for the tests: created once for the module and rolled back after it.
    """
    with rolled_back(django_db_blocker):
        tree = build_site_tree()
        yield {
            "ruche": create_venue(
                tree,
                title="La Ruche des Pentes",
                slug="la-ruche-des-pentes",
                street_address="12 rue des Tanneurs",
                postcode="69001",
                region="Auvergne-Rhône-Alpes",
                summary="Coworking associatif sur les pentes",
                latitude=45.7676,
                longitude=4.8344,
                amenities=["wifi", "meeting_rooms"],
                labels=["ecosysteme_champion"],
            ),
            "villeurbanne": create_venue(
                tree,
                title="Atelier Gratte-Ciel",
                slug="atelier-gratte-ciel",
                city="Villeurbanne",
                latitude=45.7719,
                longitude=4.8902,
                amenities=["wifi", "fab_lab"],
            ),
            "totem": create_venue(
                tree,
                "totem",
                title="H7",
                slug="h7",
                latitude=45.7405,
                longitude=4.8185,
                amenities=["meeting_rooms"],
                labels=["totem_french_tech"],
            ),
            "paris": create_venue(
                tree,
                title="Le Comptoir",
                slug="le-comptoir",
                city="Paris",
                region="Île-de-France",
                latitude=48.8566,
                longitude=2.3522,
                amenities=["wifi"],
            ),
            "dakar": create_venue(
                tree,
                "social_business_center",
                title="Dakar Social Hub",
                slug="dakar-social-hub",
                city="Dakar",
                country="SN",
                latitude=14.7167,
                longitude=-17.4677,
                timezone="Africa/Dakar",
            ),
        }


# ---------------------------------------------------------------------------------------------
# Shape


def test_detail_has_every_field_of_the_contract(client, db, network):
    venue = network["ruche"]
    response = client.get(detail_url(venue.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert set(data) >= CONTRACT_FIELDS
    assert data["id"] == venue.pk
    assert data["slug"] == "la-ruche-des-pentes"
    assert data["name"] == "La Ruche des Pentes"
    assert data["kind"] == "tiers_lieu"
    assert data["street_address"] == "12 rue des Tanneurs"
    assert data["postcode"] == "69001"
    assert data["city"] == "Lyon"
    assert data["region"] == "Auvergne-Rhône-Alpes"
    assert data["country"] == "FR"
    assert (data["latitude"], data["longitude"]) == (45.7676, 4.8344)
    assert data["timezone"] == "Europe/Paris"
    assert data["url"] == "http://testserver/lieux/la-ruche-des-pentes/"
    assert data["origin"] == settings.ESSAIM_NODE_URL
    assert data["labels"] == ["ecosysteme_champion"]
    assert data["amenities"] == ["meeting_rooms", "wifi"]
    assert data["distance_km"] is None


def test_url_in_the_api_opens_the_venue_page(client, db, network):
    data = client.get(detail_url(network["dakar"].pk)).json()
    page = client.get(data["url"].removeprefix("http://testserver"))
    assert page.status_code == 200
    assert b"Dakar Social Hub" in page.content


@pytest.mark.parametrize(
    ("key", "kind"), [("ruche", "tiers_lieu"), ("totem", "totem"), ("dakar", "social_business_center")]
)
def test_kind_codes(client, db, network, key, kind):
    assert client.get(detail_url(network[key].pk)).json()["kind"] == kind


def test_list_is_paginated_and_sorted_by_name(client, db, network):
    response = client.get(LIST)
    data = response.json()
    assert data["count"] == 5
    assert {"count", "next", "previous", "results"} <= set(data)
    assert names(response) == sorted(names(response))
    assert all(set(row) >= CONTRACT_FIELDS for row in data["results"])
    page = client.get(LIST, {"limit": 2, "offset": 2}).json()
    assert [row["name"] for row in page["results"]] == names(response)[2:4]
    assert page["next"] and page["previous"]


def test_drafts_are_not_listed(client, db, network, make_venue):
    draft = make_venue(title="Brouillon", publish=False)
    assert "Brouillon" not in names(client.get(LIST))
    assert client.get(detail_url(draft.pk)).status_code == 404


def test_english_translations_are_not_listed_twice(client, db, network):
    translation = venue_translate(venue=network["ruche"], language="en", slug="the-hive", title="The Hive")
    data = client.get(LIST).json()
    assert data["count"] == 5
    assert "The Hive" not in [row["name"] for row in data["results"]]
    assert client.get(detail_url(translation.pk)).status_code == 404


# ---------------------------------------------------------------------------------------------
# Filters


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "totem"}, ["H7"]),
        ({"kind": "social_business_center"}, ["Dakar Social Hub"]),
        ({"kind": "tiers_lieu"}, ["Atelier Gratte-Ciel", "La Ruche des Pentes", "Le Comptoir"]),
        ({"city": "lyon"}, ["H7", "La Ruche des Pentes"]),
        ({"city": "Villeurbanne"}, ["Atelier Gratte-Ciel"]),
        ({"country": "SN"}, ["Dakar Social Hub"]),
        ({"country": "sn"}, ["Dakar Social Hub"]),
        ({"country": "FR", "kind": "totem"}, ["H7"]),
        ({"q": "ruche"}, ["La Ruche des Pentes"]),
        ({"q": "associatif"}, ["La Ruche des Pentes"]),  # summary
        ({"q": "Île-de"}, ["Le Comptoir"]),  # region
        ({"q": "RUCHE"}, ["La Ruche des Pentes"]),  # case-insensitive (ASCII)
        ({"q": "dakar"}, ["Dakar Social Hub"]),  # city
        ({"q": "nothing like this"}, []),
        ({"label": "ecosysteme_champion"}, ["La Ruche des Pentes"]),
        ({"label": "totem_french_tech"}, ["H7"]),
        ({"label": "territoire_prioritaire"}, []),
        ({"amenity": "fab_lab"}, ["Atelier Gratte-Ciel"]),
        ({"amenity": "meeting_rooms"}, ["H7", "La Ruche des Pentes"]),
        ({"amenity": ["wifi", "meeting_rooms"]}, ["La Ruche des Pentes"]),  # all of them
        ({"amenity": "wifi", "city": "Paris"}, ["Le Comptoir"]),
    ],
)
def test_filters(client, db, network, params, expected):
    assert names(client.get(LIST, params)) == expected


def test_q_is_case_insensitive_beyond_ascii(client, db, network):
    assert names(client.get(LIST, {"q": "île-de-france"})) == ["Le Comptoir"]
    assert names(client.get(LIST, {"q": "AUVERGNE-RHÔNE"})) == ["La Ruche des Pentes"]


def test_filtered_count_matches_results(client, db, network):
    data = client.get(LIST, {"amenity": "wifi"}).json()
    assert data["count"] == len(data["results"]) == 3


# ---------------------------------------------------------------------------------------------
# Near a place

BELLECOUR = (45.7578, 4.8320)


def test_near_orders_by_distance_and_gives_distances(client, db, network):
    data = client.get(LIST, {"near": "45.7578,4.8320", "radius_km": "10"}).json()
    rows = data["results"]
    assert [row["name"] for row in rows] == ["La Ruche des Pentes", "H7", "Atelier Gratte-Ciel"]
    distances = [row["distance_km"] for row in rows]
    assert distances == sorted(distances)
    for row in rows:
        expected = geodesic(BELLECOUR, (row["latitude"], row["longitude"])).km
        assert row["distance_km"] == pytest.approx(expected, abs=0.001)
    assert data["count"] == 3


def test_near_excludes_venues_beyond_the_radius(client, db, network):
    rows = client.get(LIST, {"near": "45.7578,4.8320", "radius_km": "3"}).json()["results"]
    assert [row["name"] for row in rows] == ["La Ruche des Pentes", "H7"]
    assert all(row["distance_km"] <= 3 for row in rows)


def test_near_uses_a_50_km_radius_by_default(client, db, network):
    rows = client.get(LIST, {"near": "45.7578,4.8320"}).json()["results"]
    assert "Le Comptoir" not in [row["name"] for row in rows]  # Paris is ~390 km away
    assert len(rows) == 3


def test_near_with_a_large_radius_reaches_paris_last(client, db, network):
    rows = client.get(LIST, {"near": "45.7578,4.8320", "radius_km": "500"}).json()["results"]
    assert rows[-1]["name"] == "Le Comptoir"
    assert rows[-1]["distance_km"] == pytest.approx(391, abs=3)


def test_near_combines_with_filters(client, db, network):
    rows = client.get(LIST, {"near": "45.7578,4.8320", "radius_km": "10", "amenity": "wifi"}).json()["results"]
    assert [row["name"] for row in rows] == ["La Ruche des Pentes", "Atelier Gratte-Ciel"]


def test_near_results_are_paginated_nearest_first(client, db, network):
    first = client.get(LIST, {"near": "45.7578,4.8320", "radius_km": "10", "limit": 2}).json()
    second = client.get(LIST, {"near": "45.7578,4.8320", "radius_km": "10", "limit": 2, "offset": 2}).json()
    assert first["count"] == second["count"] == 3
    assert [r["name"] for r in first["results"] + second["results"]] == [
        "La Ruche des Pentes",
        "H7",
        "Atelier Gratte-Ciel",
    ]


def test_venue_without_coordinates_is_left_out_of_near_results(client, db, network, make_venue):
    make_venue(title="Sans position", latitude=None, longitude=None)
    assert "Sans position" in names(client.get(LIST, {"city": "Lyon"}))
    assert "Sans position" not in names(client.get(LIST, {"near": "45.7578,4.8320", "radius_km": "100"}))


def test_near_across_the_antimeridian(client, make_venue):
    make_venue(title="Suva", city="Suva", country="FJ", latitude=-18.1416, longitude=178.4419, timezone="Pacific/Fiji")
    make_venue(
        title="Taveuni", city="Taveuni", country="FJ", latitude=-16.85, longitude=-179.95, timezone="Pacific/Fiji"
    )
    rows = client.get(LIST, {"near": "-17.5,179.9", "radius_km": "250"}).json()["results"]
    assert sorted(row["name"] for row in rows) == ["Suva", "Taveuni"]


def test_near_finds_a_venue_just_inside_the_radius_near_the_equator(client, make_venue):
    # Libreville (0.39°N) and a venue 999.9 km due north of it: inside a 1000 km radius.
    north = geodesic(kilometers=999.9).destination((0.3901, 9.4544), 0)
    assert geodesic((0.3901, 9.4544), (north.latitude, north.longitude)).km < 1000
    make_venue(
        "social_business_center",
        title="Hub du Nord",
        city="Garoua",
        country="CM",
        latitude=north.latitude,
        longitude=north.longitude,
        timezone="Africa/Douala",
    )
    rows = client.get(LIST, {"near": "0.3901,9.4544", "radius_km": "1000"}).json()["results"]
    assert [row["name"] for row in rows] == ["Hub du Nord"]


# ---------------------------------------------------------------------------------------------
# Errors


def assert_error(response, status=400, code="invalid", field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["code"] == code
    if field:
        assert field in body["errors"]
        assert body["detail"].startswith(f"{field}: ")
    return body


@pytest.mark.parametrize(
    "params",
    [
        {"near": "abc"},
        {"near": "91,0"},
        {"near": "0,181"},
        {"near": "1,2,3"},
        {"near": "nan,1"},
        {"near": "45.7;4.8"},
    ],
)
def test_malformed_near_is_a_400(client, db, network, params):
    assert_error(client.get(LIST, params), field="near")


@pytest.mark.parametrize("radius", ["-1", "0", "abc", "99999", "inf", "20000.5"])
def test_bad_radius_is_a_400(client, db, network, radius):
    assert_error(client.get(LIST, {"near": "45.7,4.8", "radius_km": radius}), field="radius_km")


def test_empty_parameters_count_as_absent(client, db, network):
    # DRF reads an empty, optional query parameter as not given: "near=" is no near-search.
    data = client.get(LIST, {"near": "", "radius_km": "", "q": ""}).json()
    assert data["count"] == 5
    assert all(row["distance_km"] is None for row in data["results"])


def test_radius_without_near_is_a_400(client, db, network):
    body = assert_error(client.get(LIST, {"radius_km": "10"}), field="radius_km")
    assert "near" in body["detail"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "castle"}, "kind"),
        ({"label": "gold_star"}, "label"),
        ({"amenity": "pool"}, "amenity"),
        ({"country": "FRA"}, "country"),
    ],
)
def test_unknown_filter_values_are_a_400(client, db, network, params, field):
    assert_error(client.get(LIST, params), field=field)


def test_unknown_id_is_a_json_404(client, db, network):
    assert_error(client.get(detail_url(999_999)), status=404, code="venue_not_found")


def test_non_numeric_id_is_a_404(client, db, network):
    assert client.get("/api/v1/venues/abc/").status_code == 404


def test_writes_are_refused(client, db, network):
    response = client.post(LIST, {"name": "x"})
    assert response.status_code in (401, 403, 405)
    assert "code" in response.json()


# ---------------------------------------------------------------------------------------------
# Schema, docs, token


def test_schema_lists_the_contract_paths(client, db):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in ("/api/v1/venues/", "/api/v1/venues/{id}/", "/api/v1/auth/token/"):
        assert path in paths, sorted(paths)
    assert "get" in paths["/api/v1/venues/"] and "get" in paths["/api/v1/venues/{id}/"]
    assert "post" in paths["/api/v1/auth/token/"]
    parameters = {p["name"] for p in paths["/api/v1/venues/"]["get"]["parameters"]}
    assert {"kind", "city", "country", "q", "near", "radius_km", "label", "amenity"} <= parameters


def test_schema_default_format_is_yaml_openapi(client, db):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/venues/{id}/:" in response.content


def test_swagger_ui(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"/api/v1/schema/" in response.content


TOKEN = "/api/v1/auth/token/"


def test_token_for_a_valid_user_authenticates_requests(client, make_user):
    user = make_user("alice", password="s3cret-Password")
    response = client.post(TOKEN, {"username": "alice", "password": "s3cret-Password"}, content_type="application/json")
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert len(token) == 40

    # A named token ("API", on the account page), stored as a digest; each call makes another.
    assert ApiToken.objects.get(digest=hashlib.sha256(token.encode()).hexdigest()).user == user
    again = client.post(TOKEN, {"username": "alice", "password": "s3cret-Password"}, content_type="application/json")
    assert again.json()["token"] != token
    # The header is read: a good token passes, a wrong one is refused even on a public endpoint.
    assert client.get(LIST, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    bad = client.get(LIST, HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert bad.status_code == 401
    assert set(bad.json()) >= {"detail", "code"}


def test_token_resolves_to_the_user(make_user, rf):
    user = make_user("bob", password="another-Pass-42")
    token = Token.objects.create(user=user)
    request = rf.get(LIST, HTTP_AUTHORIZATION=f"Token {token.key}")
    authenticated, auth = TokenAuthentication().authenticate(request)
    assert authenticated == user and auth == token


def test_bad_credentials_are_a_400(client, make_user):
    make_user("alice", password="s3cret-Password")
    response = client.post(TOKEN, {"username": "alice", "password": "wrong"}, content_type="application/json")
    assert_error(response, code="invalid_credentials")
    assert "token" not in response.json()


def test_inactive_user_gets_no_token(client, make_user):
    make_user("carol", password="s3cret-Password", is_active=False)
    response = client.post(TOKEN, {"username": "carol", "password": "s3cret-Password"}, content_type="application/json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_missing_fields_are_a_400(client, db):
    assert_error(client.post(TOKEN, {"username": "alice"}, content_type="application/json"), field="password")
