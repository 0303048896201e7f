"""Languages, sitemap and structured data: French at ``/``, English under ``/en/``."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from tests.integration.support import build_site_tree, create_venue, rolled_back
from venues.models import VenuePage
from venues.services import venue_translate

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(scope="module")
def venues(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        tree = build_site_tree()
        ruche = create_venue(
            tree,
            title="La Ruche des Pentes",
            slug="la-ruche-des-pentes",
            summary="Un coworking </script><b>sur les pentes</b> & plus",
            street_address="12 rue des Tanneurs",
            postcode="69001",
            region="Auvergne-Rhône-Alpes",
            latitude=45.7676,
            longitude=4.8344,
            phone="+33 4 00 00 00 00",
            amenities=["wifi"],
            opening_hours=[(0, dt.time(9), dt.time(18))],
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
        venue_translate(venue=ruche, language="en", slug="the-hive", title="The Hive", summary="A coworking space")
        yield {"ruche": ruche, "dakar": dakar, "tree": tree}


def soup(response):
    assert response.status_code == 200, response.content[:300]
    return BeautifulSoup(response.content, "html.parser")


# ---------------------------------------------------------------------------------------------
# Home pages


def test_home_in_french_and_in_english(client, db, venues):
    french, english = soup(client.get("/")), soup(client.get("/en/"))
    assert french.html["lang"] == "fr"
    assert english.html["lang"] == "en"
    assert french.h1.get_text(strip=True) == "Essaim — le réseau des tiers-lieux"
    assert english.h1.get_text(strip=True) == "Essaim network"
    assert french.title.get_text() != english.title.get_text()
    # Each home links to the directory in its own language.
    assert french.select_one(".main-nav a[href='/lieux/']") is not None
    assert english.select_one(".main-nav a[href='/en/venues/']") is not None
    assert english.select_one("form.hero-search")["action"] == "/en/venues/"


def test_home_counts_venues_by_kind(client, db, venues):
    page = soup(client.get("/"))
    assert page.select_one('[data-testid="count-tiers_lieu"]').get_text() == "1"
    assert page.select_one('[data-testid="count-social_business_center"]').get_text() == "1"
    assert page.select_one('[data-testid="count-totem"]').get_text() == "0"
    points = json.loads(page.find("script", id="map-points").string)
    assert sorted(point["name"] for point in points) == ["Dakar Social Hub", "La Ruche des Pentes"]


def test_english_home_map_links_open(client, db, venues):
    # The English home maps the same venues, and every marker links to a page that opens.
    points = json.loads(soup(client.get("/en/")).find("script", id="map-points").string)
    assert len(points) == 2
    for point in points:
        assert client.get(point["url"]).status_code == 200


def switcher(response):
    return [(a["hreflang"], a["href"], a.has_attr("aria-current")) for a in soup(response).select(".lang-switch a")]


def test_language_switcher_links_each_page_to_its_translation(client, db, venues):
    assert switcher(client.get("/")) == [("fr", "/", True), ("en", "/en/", False)]
    assert switcher(client.get("/en/")) == [("fr", "/", False), ("en", "/en/", True)]
    assert switcher(client.get("/lieux/la-ruche-des-pentes/")) == [
        ("fr", "/lieux/la-ruche-des-pentes/", True),
        ("en", "/en/venues/the-hive/", False),  # the English slug, not the French one
    ]
    assert switcher(client.get("/en/venues/")) == [("fr", "/lieux/", False), ("en", "/en/venues/", True)]
    # Every link of the switcher opens.
    for _code, href, _current in switcher(client.get("/lieux/la-ruche-des-pentes/")):
        assert client.get(href).status_code == 200


def test_language_switcher_keeps_the_directory_query(client, db, venues):
    links = switcher(client.get("/lieux/", {"kind": "totem"}))
    assert ("en", "/en/venues/?kind=totem", False) in links


def test_venue_page_in_both_languages(client, db, venues):
    french = soup(client.get("/lieux/la-ruche-des-pentes/"))
    english = soup(client.get("/en/venues/the-hive/"))
    assert french.html["lang"] == "fr" and english.html["lang"] == "en"
    assert french.h1.get_text(strip=True) == "La Ruche des Pentes"
    assert english.h1.get_text(strip=True) == "The Hive"
    # Facts come from the canonical page in both.
    assert "12 rue des Tanneurs" in english.address.get_text()
    assert "12 rue des Tanneurs" in french.address.get_text()


def test_the_url_not_the_browser_decides_the_language(client, db, venues):
    # "/" is French even for an English browser, "/en/" English for a French one: shareable URLs.
    assert soup(client.get("/", headers={"Accept-Language": "en"})).html["lang"] == "fr"
    assert soup(client.get("/en/", headers={"Accept-Language": "fr"})).html["lang"] == "en"


# ---------------------------------------------------------------------------------------------
# Sitemap


def sitemap_locations(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own sitemap
    return [loc.text for loc in root.findall("s:url/s:loc", SITEMAP_NS)]


def test_sitemap_lists_home_directory_and_venue_pages(client, db, venues):
    locations = sitemap_locations(client)
    paths = [loc.split("://", 1)[1].split("/", 1)[1] for loc in locations]
    assert "" in paths  # home
    assert "lieux/" in paths
    assert "lieux/la-ruche-des-pentes/" in paths
    assert "lieux/dakar-social-hub/" in paths
    assert len(paths) == len(set(paths))


def test_sitemap_leaves_out_unpublished_venues(client, db, venues):
    VenuePage.objects.filter(pk=venues["dakar"].pk).update(live=False)
    assert not any(loc.endswith("/lieux/dakar-social-hub/") for loc in sitemap_locations(client))


def test_sitemap_lists_english_translations(client, db, venues):
    locations = sitemap_locations(client)
    assert any(loc.endswith("/en/venues/the-hive/") for loc in locations)
    assert any(loc.endswith("/en/venues/") for loc in locations)
    assert any(loc.endswith("/en/") for loc in locations)
    # Translations only: no English page for a venue that has none.
    assert not any(loc.endswith("/en/venues/dakar-social-hub/") for loc in locations)


# ---------------------------------------------------------------------------------------------
# JSON-LD


def jsonld_script(response):
    return soup(response).find("script", id="venue-jsonld")


def jsonld(response):
    return json.loads(jsonld_script(response).string)


def test_venue_page_carries_a_schema_org_place(client, db, venues):
    data = jsonld(client.get("/lieux/la-ruche-des-pentes/"))
    assert isinstance(data, dict)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Place"
    assert data["name"] == "La Ruche des Pentes"
    assert data["url"] == "http://testserver/lieux/la-ruche-des-pentes/"
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 45.7676, "longitude": 4.8344}
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "12 rue des Tanneurs",
        "postalCode": "69001",
        "addressLocality": "Lyon",
        "addressRegion": "Auvergne-Rhône-Alpes",
        "addressCountry": "FR",
    }
    assert data["telephone"] == "+33 4 00 00 00 00"
    assert data["openingHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": "https://schema.org/Monday",
            "opens": "09:00",
            "closes": "18:00",
        }
    ]
    assert data["description"] == "Un coworking </script><b>sur les pentes</b> & plus"


def test_jsonld_cannot_break_out_of_its_script_element(client, db, venues):
    response = client.get("/lieux/la-ruche-des-pentes/")
    html = response.content.decode()
    start = html.index('id="venue-jsonld"')
    script = html[start : html.index("</script>", start)]
    assert "<b>" not in script and "</script" not in script.lower()


def test_translated_venue_page_jsonld_uses_the_translation_name_and_canonical_facts(client, db, venues):
    data = jsonld(client.get("/en/venues/the-hive/"))
    if isinstance(data, str):
        data = json.loads(data)
    assert data["name"] == "The Hive"
    assert data["description"] == "A coworking space"
    assert data["address"]["addressLocality"] == "Lyon"
    assert data["geo"]["latitude"] == 45.7676


def test_venue_abroad_jsonld_country(client, db, venues):
    data = jsonld(client.get("/lieux/dakar-social-hub/"))
    if isinstance(data, str):
        data = json.loads(data)
    assert data["address"]["addressCountry"] == "SN"
    assert "streetAddress" not in data["address"]  # empty values are left out


def test_jsonld_is_a_json_object_in_an_ld_json_script(client, db, venues):
    script = jsonld_script(client.get("/lieux/la-ruche-des-pentes/"))
    assert script["type"] == "application/ld+json"
    assert isinstance(json.loads(script.string), dict)


# ---------------------------------------------------------------------------------------------
# Translation service


def test_translation_is_published_at_its_english_url(client, db, venues):
    translation = VenuePage.objects.get(locale__language_code="en", translation_key=venues["ruche"].translation_key)
    assert translation.live
    assert translation.url == "/en/venues/the-hive/"
    assert translation.title == "The Hive"
    assert client.get(translation.url).status_code == 200


def test_venue_translate_returns_the_published_translation(client, db, venues):
    translation = venue_translate(venue=venues["dakar"], language="en", slug="dakar-hub-en", title="Dakar Hub")
    assert translation.live
    assert translation.url == "/en/venues/dakar-hub-en/"
    assert client.get(translation.url).status_code == 200
