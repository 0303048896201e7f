"""What a visitor sees: the home page, the directory (filters, near-search, location), a venue page."""

import json
import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from venues import geo
from venues.geocoding import gazetteer_lookup
from venues.models import VENUE_MODELS

pytestmark = pytest.mark.browser


def _live_counts():
    return {
        kind: model.objects.live().filter(locale__language_code="fr").count() for kind, model in VENUE_MODELS.items()
    }


def _card_titles(page):
    return page.get_by_test_id("venue-card").locator("h3").all_inner_texts()


def _distances(page):
    """The cards' distances as floats ("à 1,9 km" in French, "1.9 km away" in English)."""
    values = []
    for text in page.get_by_test_id("distance").all_inner_texts():
        match = re.search(r"(\d+(?:[.,]\d+)?)\s*km", text.replace("\u202f", "").replace("\xa0", ""))
        assert match, f"no distance in {text!r}"
        values.append(float(match.group(1).replace(",", ".")))
    return values


def _expected_near(network, lat, lng, radius_km):
    """Titles of the venues within ``radius_km``, nearest first, and their distances."""

    origin = geo.Point(lat, lng)
    ranked = sorted((geo.distance_km(origin, geo.Point(v.latitude, v.longitude)), v.title) for v in network.values())
    return [(d, title) for d, title in ranked if d <= radius_km]


def _switch_language(page, code):
    """Use the header's language switcher, whichever form it takes on this page: links to the
    page's translations (Wagtail pages) or a select and a button (other views)."""
    select = page.locator("#lang-select")
    if select.count():
        select.select_option(code)
        page.locator("form.lang-switch").get_by_role("button").click()
    else:
        page.locator(f".lang-switch a[hreflang={code}]").click()
    page.wait_for_load_state()


# --- home page ---------------------------------------------------------------------------------


def test_home_counts_map_and_language_switch(page, network, blocked_requests, shot):
    response = page.goto("/")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    counts = _live_counts()
    assert counts == {"tiers_lieu": 3, "totem": 1, "social_business_center": 2}
    for kind, count in counts.items():
        expect(page.get_by_test_id(f"count-{kind}")).to_have_text(str(count))

    # The map script ran: one marker per venue with coordinates, drawn by Leaflet.
    venue_map = page.locator("#venue-map")
    expect(venue_map).to_have_attribute("data-markers", str(len(network)))
    expect(venue_map.locator("path.leaflet-interactive")).to_have_count(len(network))
    expect(page.locator(".map-note")).to_contain_text(f"{len(network)} lieux sur la carte")
    # Tiles come from the internet: the browser asked for them and was refused, nothing else broke.
    assert any("tile.openstreetmap.org" in url for url in blocked_requests)
    shot(page, "fr")

    # French navigation, then the language switcher.
    expect(page.locator("nav.main-nav").get_by_role("link", name="Lieux", exact=True)).to_be_visible()
    _switch_language(page, "en")
    expect(page).to_have_url(re.compile(r"/en/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.main-nav").get_by_role("link", name="Venues", exact=True)).to_be_visible()
    expect(page.locator("h1")).to_have_text("Essaim network")
    expect(page.get_by_test_id("count-tiers_lieu")).to_have_text("3")
    expect(page.locator(".map-note")).to_contain_text(f"{len(network)} venues on the map")
    shot(page, "en")
    # And back to French.
    _switch_language(page, "fr")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_language_switch_on_the_open_data_page(page, network):
    page.goto("/open-data/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    _switch_language(page, "en")
    expect(page).to_have_url(re.compile(r"/en/open-data/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=2000)
    expect(page.locator("h1")).to_have_text("Open data")


# --- directory ---------------------------------------------------------------------------------


def test_directory_filter_by_kind(page, network, shot):
    page.goto("/lieux/")
    expect(page.get_by_test_id("venue-card")).to_have_count(6)
    expect(page.locator("#results-title")).to_contain_text("6 lieux")

    page.get_by_label("Type de lieu").select_option("social_business_center")
    page.get_by_role("button", name="Afficher les lieux").click()
    page.wait_for_url(re.compile(r"kind=social_business_center"))

    cards = page.get_by_test_id("venue-card")
    expect(cards).to_have_count(2)
    expect(page.locator("#results-title")).to_contain_text("2 lieux")
    for i in range(2):
        card = cards.nth(i)
        expect(card).to_have_class(re.compile(r"\bkind-social_business_center\b"))
        expect(card.locator(".badge")).to_have_class(re.compile(r"\bbadge-social_business_center\b"))
        expect(card.locator(".badge")).to_have_text("Social business centre")
    assert sorted(_card_titles(page)) == sorted([network["villeurbanne"].title, network["dakar"].title])
    # The choice stays selected, and the map follows the list.
    expect(page.get_by_label("Type de lieu")).to_have_value("social_business_center")
    expect(page.locator("#venue-map")).to_have_attribute("data-markers", "2")
    shot(page)

    # The language switcher keeps the filters.
    _switch_language(page, "en")
    expect(page).to_have_url(re.compile(r"/en/venues/\?(.*&)?kind=social_business_center(&|$)"))
    expect(page.get_by_test_id("venue-card")).to_have_count(2)
    expect(page.locator("#results-title")).to_have_text("2 venues")

    # In English, a single result is counted in the singular.
    page.goto("/en/venues/?kind=totem")
    expect(page.get_by_test_id("venue-card")).to_have_count(1)
    expect(page.locator("#results-title")).to_have_text("1 venue")
    expect(page.get_by_test_id("venue-card").locator(".badge")).to_have_text("French Tech totem")


def test_near_search_by_typed_city(page, network, shot):
    page.goto("/lieux/")
    page.get_by_label("Ville ou adresse", exact=True).fill("Lyon")
    page.get_by_label("Dans un rayon de").select_option("100")
    page.get_by_role("button", name="Afficher les lieux").click()
    page.wait_for_url(re.compile(r"place=Lyon"))

    lyon = gazetteer_lookup("Lyon")
    expected = _expected_near(network, lyon.latitude, lyon.longitude, 100)
    assert len(expected) >= 4  # Lyon, Villeurbanne, Villefranche, Saint-Étienne at least

    expect(page.locator("#results-title")).to_contain_text(f"{len(expected)} lieux")
    expect(page.locator("#results-title")).to_contain_text("les plus proches d'abord")
    assert _card_titles(page) == [title for _, title in expected]
    distances = _distances(page)
    assert len(distances) == len(expected)
    assert distances == sorted(distances)
    for shown, (computed, _title) in zip(distances, expected, strict=True):
        assert shown == pytest.approx(computed, abs=0.06)
    assert network["dakar"].title not in _card_titles(page)
    # The typed place and the radius stay in the form; the map shows venues plus the searched place.
    expect(page.get_by_label("Ville ou adresse", exact=True)).to_have_value("Lyon")
    expect(page.get_by_label("Dans un rayon de")).to_have_value("100")
    expect(page.locator("#venue-map")).to_have_attribute("data-markers", str(len(expected)))
    expect(page.locator("#venue-map path.leaflet-interactive")).to_have_count(len(expected) + 1)
    shot(page)


def test_near_search_with_browser_location(page, context, make_context, live_server, network, shot):
    lat, lng = 45.7660, 4.8800  # near Villeurbanne
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": lat, "longitude": lng})

    page.goto("/lieux/")
    button = page.get_by_role("button", name="Utiliser ma position")
    expect(button).to_be_visible()
    expect(page.get_by_label("Dans un rayon de")).to_have_value("50")
    button.click()
    page.wait_for_url(re.compile(r"near=45\.766"))

    expected = _expected_near(network, lat, lng, 50)
    assert [title for _, title in expected][:2] == [network["villeurbanne"].title, network["ruche"].title]
    expect(page.locator("#results-title")).to_contain_text("les plus proches d'abord")
    assert _card_titles(page) == [title for _, title in expected]
    distances = _distances(page)
    assert distances == sorted(distances)
    assert distances[0] < 2
    for title in (network["dakar"].title, network["grenoble"].title):
        assert title not in _card_titles(page)
    shot(page)

    # Without the permission the browser refuses: the page says so and stays usable.
    refused = make_context().new_page()
    refused.goto("/lieux/")
    refused.get_by_role("button", name="Utiliser ma position").click()
    expect(refused.locator(".near [role=alert]")).to_contain_text("Votre position n'est pas disponible")
    expect(refused).to_have_url(re.compile(r"/lieux/$"))
    expect(refused.get_by_role("button", name="Utiliser ma position")).to_be_enabled()


# --- bad requests ------------------------------------------------------------------------------


BAD_QUERIES = [
    ("near=abc", "Votre position n'a pas pu être lue"),
    ("near=95,200", "Votre position n'a pas pu être lue"),
    ("radius_km=-3", "Choisissez une distance dans la liste"),
]


def test_bad_directory_queries_show_a_message(page, network, settings):
    for query, message in BAD_QUERIES:
        response = page.goto(f"/lieux/?{query}")
        assert response.status == 200, query
        expect(page.locator("h1")).to_have_text("Les lieux")
        expect(page.get_by_role("alert")).to_contain_text(message)
        # The directory is still there: the form and every venue.
        expect(page.get_by_role("button", name="Afficher les lieux")).to_be_visible()
        expect(page.get_by_test_id("venue-card")).to_have_count(len(network))
        expect(page.locator("body")).not_to_contain_text("Server Error")

    # The fields that are valid still apply: a bad radius near Lyon searches the default 50 km.
    page.goto("/lieux/?radius_km=abc&place=Lyon")
    expect(page.get_by_role("alert")).to_contain_text("Choisissez une distance dans la liste")
    distances = _distances(page)
    assert distances and all(d <= 50 for d in distances) and distances == sorted(distances)
    assert page.get_by_test_id("venue-card").count() < len(network)

    # A place the offline gazetteer does not know goes to the geocoder; here it is switched off.
    settings.ESSAIM_GEOCODING = "off"
    response = page.goto("/lieux/?place=Xyzzyville")
    assert response.status == 200
    expect(page.locator("#place-error")).to_be_visible()
    expect(page.locator("#place-error")).to_have_attribute("role", "alert")
    expect(page.get_by_label("Ville ou adresse", exact=True)).to_have_value("Xyzzyville")
    expect(page.get_by_test_id("venue-card")).to_have_count(len(network))


# --- venue page --------------------------------------------------------------------------------


def test_venue_page(page, network, shot):
    ruche = network["ruche"]
    response = page.goto(ruche.url)
    assert response.status == 200
    expect(page).to_have_title(re.compile(r"^La Ruche des Pentes"))
    expect(page.locator("h1")).to_have_text("La Ruche des Pentes")
    expect(page.locator(".venue-header .badge")).to_have_text("Tiers-lieu")

    address = page.locator("address")
    expect(address).to_contain_text("12 montée de la Grande-Côte")
    expect(address).to_contain_text("69001 Lyon")
    expect(address).to_contain_text("France")

    hours = page.locator("table.hours")
    expect(hours.locator("caption")).to_have_text("Heure locale (Europe/Paris)")
    expect(hours.locator("tbody tr")).to_have_count(7)
    expect(hours.locator("tr", has_text="Lundi").locator("td")).to_have_text("09:00–18:00")
    expect(hours.locator("tr", has_text="Dimanche").locator("td")).to_have_text("Fermé")

    with translation.override("fr"):
        amenities = sorted(str(a) for a in ruche.amenities.all())
    assert sorted(page.locator("ul.amenities li").all_inner_texts()) == amenities
    assert "Salles de réunion" in amenities

    jsonld = page.locator('script[type="application/ld+json"]')
    expect(jsonld).to_have_count(1)
    assert "Place" in jsonld.text_content()
    expect(page.locator("#venue-map")).to_have_attribute("data-markers", "1")
    shot(page)

    # A venue abroad: its own time zone in the caption, its country's name.
    page.goto(network["dakar"].url)
    expect(page.locator("table.hours caption")).to_have_text("Heure locale (Africa/Dakar)")
    expect(page.locator("table.hours tr", has_text="Samedi").locator("td")).to_have_text("08:30–17:00")
    expect(page.locator("address")).to_contain_text("Sénégal")


def test_venue_jsonld_is_a_place_object(page, network):
    response = page.goto(network["ruche"].url)
    # What a browser ends up with: the script's text parsed as JSON must be an object, not a string.
    parsed = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert isinstance(parsed, dict), f"JSON-LD parses to {type(parsed).__name__}: {str(parsed)[:80]}"
    assert parsed["@type"] == "Place"
    # What a crawler that runs no script reads: the HTML as served.
    html = response.text()
    match = re.search(r'<script[^>]*type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert match, "no application/ld+json script in the HTML as served"
    data = json.loads(match.group(1))
    assert isinstance(data, dict)
    assert data["@type"] == "Place"
    assert data["address"]["addressLocality"] == "Lyon"
