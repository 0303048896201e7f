"""``/open-data/venues.{csv,json,geojson}`` and ``/open-data/schema.json`` (Licence Ouverte 2.0)."""

import csv
import datetime as dt
import io
import json

import pytest
from django.conf import settings
from django.utils.http import parse_http_date

from tests.integration.support import build_site_tree, create_venue, rolled_back
from venues.models import VenuePage
from venues.services import venue_translate

# The documented columns, in order (DESIGN: open data; the open-data page and schema.json list them).
COLUMNS = [
    "id",
    "slug",
    "name",
    "kind",
    "summary",
    "street_address",
    "postcode",
    "city",
    "region",
    "country",
    "latitude",
    "longitude",
    "timezone",
    "labels",
    "amenities",
    "opening_hours",
    "wheelchair_accessible",
    "website",
    "email",
    "phone",
    "url",
    "origin",
    "updated_at",
]
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


@pytest.fixture(scope="module")
def venues(django_db_setup, django_db_blocker):
    """Three live venues (one translated to English, one without coordinates) and a draft."""
    with rolled_back(django_db_blocker):
        tree = build_site_tree()
        ruche = create_venue(
            tree,
            title="La Ruche des Pentes",
            slug="la-ruche-des-pentes",
            street_address="12 rue des Tanneurs",
            postcode="69001",
            region="Auvergne-Rhône-Alpes",
            summary="Coworking, café; « associatif »",
            latitude=45.7676,
            longitude=4.8344,
            amenities=["wifi", "meeting_rooms"],
            labels=["ecosysteme_champion"],
            wheelchair_accessible=True,
            website="https://ruche.example.org/",
            email="bonjour@ruche.example.org",
            phone="+33 4 00 00 00 00",
            opening_hours=[(d, dt.time(9), dt.time(12, 30)) for d in range(5)]
            + [(d, dt.time(14), dt.time(19)) for d in range(5)],
        )
        dakar = create_venue(
            tree,
            "social_business_center",
            title="Dakar Social Hub",
            slug="dakar-social-hub",
            city="Dakar",
            country="SN",
            latitude=14.7167,
            longitude=-17.4677,
            timezone="Africa/Dakar",
        )
        nowhere = create_venue(
            tree, "totem", title="Totem sans position", slug="totem-sans-position", latitude=None, longitude=None
        )
        venue_translate(venue=ruche, language="en", slug="the-hive", title="The Hive")
        yield {"ruche": ruche, "dakar": dakar, "nowhere": nowhere}


def get(client, fmt, **headers):
    path = "/open-data/schema.json" if fmt == "schema.json" else f"/open-data/venues.{fmt}"
    return client.get(path, headers=headers)


def csv_rows(response):
    text = response.content.decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


# ---------------------------------------------------------------------------------------------
# CSV


def test_csv_header_is_the_documented_columns_in_order(client, db, venues):
    response = get(client, "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_rows(response)[0] == COLUMNS
    assert response.content.startswith(b"id,slug,name,")
    assert b"\r\n" in response.content  # RFC 4180 line ends


def test_csv_has_one_row_per_live_canonical_venue(client, db, venues):
    rows = csv_rows(get(client, "csv"))[1:]
    assert len(rows) == 3
    names = [row[COLUMNS.index("name")] for row in rows]
    assert sorted(names) == ["Dakar Social Hub", "La Ruche des Pentes", "Totem sans position"]
    assert "The Hive" not in names  # translations are not separate venues
    assert [int(row[0]) for row in rows] == sorted(int(row[0]) for row in rows)


def test_csv_row_values(client, db, venues):
    rows = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in csv_rows(get(client, "csv"))[1:]}
    ruche = rows[str(venues["ruche"].pk)]
    assert ruche["slug"] == "la-ruche-des-pentes"
    assert ruche["kind"] == "tiers_lieu"
    assert ruche["summary"] == "Coworking, café; « associatif »"  # quoted, accents kept
    assert ruche["country"] == "FR"
    assert (float(ruche["latitude"]), float(ruche["longitude"])) == (45.7676, 4.8344)
    assert ruche["labels"] == "ecosysteme_champion"
    assert ruche["amenities"] == "meeting_rooms;wifi"
    assert ruche["opening_hours"] == "Mo-Fr 09:00-12:30,14:00-19:00"
    assert ruche["wheelchair_accessible"] == "true"
    assert ruche["url"] == "http://testserver/lieux/la-ruche-des-pentes/"
    assert ruche["origin"] == settings.ESSAIM_NODE_URL
    assert dt.datetime.fromisoformat(ruche["updated_at"]).tzinfo is not None
    nowhere = rows[str(venues["nowhere"].pk)]
    assert nowhere["kind"] == "totem"
    assert nowhere["latitude"] == nowhere["longitude"] == ""
    assert nowhere["wheelchair_accessible"] == "false"
    assert rows[str(venues["dakar"].pk)]["timezone"] == "Africa/Dakar"


def test_csv_states_the_licence(client, db, venues):
    response = get(client, "csv")
    assert response["Link"] == f'<{LICENCE_URL}>; rel="license"'
    assert response["Content-Disposition"] == 'inline; filename="essaim-venues.csv"'
    assert response["Access-Control-Allow-Origin"] == "*"


def test_drafts_are_not_published(client, db, venues, make_venue):
    draft = make_venue(title="Pas encore", slug="pas-encore")
    VenuePage.objects.filter(pk=draft.pk).update(live=False)
    names = [row[2] for row in csv_rows(get(client, "csv"))[1:]]
    assert "Pas encore" not in names and len(names) == 3


def test_csv_neutralises_spreadsheet_formulas_as_the_admin_does(client, db, venues, make_venue):
    """A summary typed as ``@SUM(…)`` must not run in the spreadsheet of whoever opens the file:
    text cells are quoted with an apostrophe (``core.formatting.csv_safe``); numbers stay numbers
    and the JSON keeps the text as typed."""
    formula = make_venue(title='=HYPERLINK("http://x.example")', slug="formule", summary="@SUM(1+1)*cmd|' /C calc'!A0")
    rows = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in csv_rows(get(client, "csv"))[1:]}
    row = rows[str(formula.pk)]
    assert row["summary"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["name"] == '\'=HYPERLINK("http://x.example")'
    assert rows[str(venues["ruche"].pk)]["phone"] == "'+33 4 00 00 00 00"
    assert rows[str(venues["dakar"].pk)]["longitude"] == "-17.4677"  # a number, not text
    as_json = next(venue for venue in get(client, "json").json()["venues"] if venue["id"] == formula.pk)
    assert as_json["summary"] == "@SUM(1+1)*cmd|' /C calc'!A0"
    assert "apostrophe" in get(client, "schema.json").json()["description"]
    assert "apostrophe" in client.get("/open-data/").content.decode()


# ---------------------------------------------------------------------------------------------
# JSON and GeoJSON


def test_json(client, db, venues):
    response = get(client, "json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert "Licence Ouverte" in body["licence"] and "2.0" in body["licence"]
    assert body["licence_url"] == LICENCE_URL
    assert body["source"] == settings.ESSAIM_NODE_URL
    assert body["schema"] == "/open-data/schema.json"
    dt.datetime.fromisoformat(body["generated_at"])
    assert len(body["venues"]) == 3
    assert all(list(row) == COLUMNS for row in body["venues"])
    ruche = next(row for row in body["venues"] if row["id"] == venues["ruche"].pk)
    assert ruche["wheelchair_accessible"] is True
    assert ruche["latitude"] == 45.7676
    assert "The Hive" not in [row["name"] for row in body["venues"]]


def test_geojson(client, db, venues):
    response = get(client, "geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    assert "Licence Ouverte" in body["licence"]
    features = {feature["id"]: feature for feature in body["features"]}
    assert len(features) == 3
    for feature in features.values():
        assert feature["type"] == "Feature"
        assert list(feature["properties"]) == COLUMNS
    dakar = features[venues["dakar"].pk]
    assert dakar["geometry"] == {"type": "Point", "coordinates": [-17.4677, 14.7167]}  # [lng, lat]
    ruche = features[venues["ruche"].pk]
    assert ruche["geometry"]["coordinates"] == [4.8344, 45.7676]
    assert features[venues["nowhere"].pk]["geometry"] is None


def test_schema_json_describes_the_same_columns(client, db, venues):
    response = get(client, "schema.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    schema = response.json()
    assert [field["name"] for field in schema["fields"]] == COLUMNS
    assert schema["primaryKey"] == ["id"]
    assert schema["licenses"][0]["name"] == "etalab-2.0"
    assert "Licence Ouverte" in schema["licenses"][0]["title"]
    types = {field["name"]: field["type"] for field in schema["fields"]}
    assert types["id"] == "integer" and types["latitude"] == "number"
    assert types["wheelchair_accessible"] == "boolean" and types["updated_at"] == "datetime"
    assert "Content-Disposition" not in response


def test_open_data_page_lists_files_and_licence(client, db, venues):
    response = client.get("/open-data/")
    assert response.status_code == 200
    for link in (b"/open-data/venues.csv", b"/open-data/venues.json", b"/open-data/venues.geojson"):
        assert link in response.content
    assert b"Licence Ouverte / Open Licence 2.0" in response.content
    assert b"<code>opening_hours</code>" in response.content


# ---------------------------------------------------------------------------------------------
# Caching and errors


@pytest.mark.parametrize("fmt", ["csv", "json", "geojson", "schema.json"])
def test_etag_and_if_none_match(client, db, venues, fmt):
    first = get(client, fmt)
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert get(client, fmt)["ETag"] == etag  # stable
    again = get(client, fmt, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert get(client, fmt, **{"If-None-Match": '"something-else"'}).status_code == 200


def test_last_modified_is_the_latest_publication(client, db, venues):
    response = get(client, "csv")
    latest = max(
        VenuePage.objects.filter(pk__in=[v.pk for v in venues.values()]).values_list("last_published_at", flat=True)
    )
    assert parse_http_date(response["Last-Modified"]) == int(latest.timestamp())


def test_etag_changes_when_a_venue_changes(client, db, venues):
    before = get(client, "json")["ETag"]
    page = venues["dakar"].specific_class.objects.get(pk=venues["dakar"].pk)
    page.summary = "Nouveau"
    page.save_revision().publish()
    after = get(client, "json")
    assert after["ETag"] != before
    assert get(client, "json", **{"If-None-Match": before}).status_code == 200


def test_if_modified_since_alone_gets_a_304(client, db, venues):
    last_modified = get(client, "csv")["Last-Modified"]
    assert get(client, "csv", **{"If-Modified-Since": last_modified}).status_code == 304


@pytest.mark.parametrize("header", ["W/{etag}", '"other", {etag}'])
def test_if_none_match_uses_weak_comparison_and_lists(client, db, venues, header):
    etag = get(client, "csv")["ETag"]
    assert get(client, "csv", **{"If-None-Match": header.format(etag=etag)}).status_code == 304


@pytest.mark.parametrize(
    "path", ["/open-data/venues.xml", "/open-data/venues.", "/open-data/lieux.csv", "/open-data/x.json"]
)
def test_unknown_format_is_a_404(client, db, venues, path):
    assert client.get(path).status_code == 404
