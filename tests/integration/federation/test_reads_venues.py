"""A peer's mirrored venues on every venue read path, marked with their origin; the paths that keep
to our own venues (open data, the sitemap, managers' lists, choosers, geocoding) never show them."""

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from tests.support.factories import VenueFactory
from tests.support.mirrors import PEER, mirror_resource, mirror_venue
from venues import selectors, services
from venues.permissions import venues_managed_by

pytestmark = pytest.mark.django_db

FR, EN = "/lieux/", "/en/venues/"


@pytest.fixture
def venues(peer):
    own = VenueFactory(title="Maison locale", slug="maison-locale")
    mirrors = [
        mirror_venue(PEER, kind=kind, title=f"Miroir {kind}", slug=f"miroir-{kind.replace('_', '-')}")
        for kind in ("tiers_lieu", "totem", "social_business_center")
    ]
    return own, mirrors


def test_directory_lists_mirrors_marked_with_their_node(client, venues):
    own, mirrors = venues
    soup = BeautifulSoup(client.get(FR).content, "html.parser")
    cards = {card.h3.get_text(strip=True): card for card in soup.select("[data-testid=venue-card]")}
    assert set(cards) == {own.title, *(m.title for m in mirrors)}
    assert cards[own.title].select_one("[data-testid=origin]") is None
    mark = cards[mirrors[0].title].select_one("[data-testid=origin] a")
    assert mark.get_text(strip=True) == "sur Nœud A"
    assert mark["href"] == mirrors[0].origin_urls["fr"]


def test_directory_in_english_links_the_english_original(client, venues):
    _own, mirrors = venues
    soup = BeautifulSoup(client.get(EN).content, "html.parser")
    marks = [a["href"] for a in soup.select("[data-testid=origin] a")]
    assert mirrors[0].origin_urls["en"] in marks
    assert "on Nœud A" in soup.get_text()


def test_directory_map_points_carry_the_origin(client, venues):
    _own, mirrors = venues
    response = client.get(FR)
    points = response.context["map_points"]
    by_name = {point["name"]: point for point in points}
    assert by_name[mirrors[1].title]["origin"] == "sur Nœud A"
    assert by_name["Maison locale"]["origin"] == ""


def test_near_search_finds_mirrors(client, venues):
    response = client.get(FR, {"place": "Lyon", "radius_km": "10"})
    names = [venue.title for venue in response.context["venues"]]
    assert "Miroir totem" in names and "Maison locale" in names


def test_api_list_gives_the_origin_and_the_original_page(client, venues):
    own, mirrors = venues
    rows = {row["name"]: row for row in client.get("/api/v1/venues/").json()["results"]}
    assert rows[own.title]["origin"] == settings.ESSAIM_NODE_URL
    assert rows[own.title]["url"].startswith("http://testserver/")
    mirrored = rows["Miroir totem"]
    assert mirrored["origin"] == PEER
    assert mirrored["origin_name"] == "Nœud A"
    assert mirrored["kind"] == "totem"
    assert mirrored["url"] == mirrors[1].origin_urls["fr"]
    english = client.get("/api/v1/venues/", {"kind": "totem"}, HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert [row["url"] for row in english] == [mirrors[1].origin_urls["en"]]


def test_api_url_falls_back_to_a_published_language(client, peer):
    venue = mirror_venue(PEER, title="Seulement en anglais", origin_urls={"en": "https://a.example/en/x/"})
    row = client.get(f"/api/v1/venues/{venue.pk}/").json()
    assert row["url"] == "https://a.example/en/x/"
    assert row["origin"] == PEER


def test_api_near_search_finds_mirrors(client, venues):
    rows = client.get("/api/v1/venues/", {"near": "45.76,4.83", "radius_km": "5"}).json()["results"]
    assert {row["origin"] for row in rows} == {PEER, settings.ESSAIM_NODE_URL}


def test_api_list_queries_do_not_grow_with_mirrors(client, peer, django_assert_max_num_queries):
    for n in range(3):
        mirror_venue(PEER, title=f"Petit {n}")
    client.get("/api/v1/venues/")  # warm the caches (content types, peers' names)
    with django_assert_max_num_queries(6) as few:
        client.get("/api/v1/venues/")
    for n in range(12):
        mirror_venue(PEER, title=f"Grand {n}")
    with django_assert_max_num_queries(len(few)):
        assert client.get("/api/v1/venues/").json()["count"] == 15


def test_directory_queries_do_not_grow_with_mirrors(client, peer, django_assert_max_num_queries):
    for n in range(3):
        mirror_venue(PEER, title=f"Petit {n}")
    client.get(FR)
    with django_assert_max_num_queries(30) as few:
        client.get(FR)
    for n in range(12):
        mirror_venue(PEER, title=f"Grand {n}")
    with django_assert_max_num_queries(len(few)):
        client.get(FR)


def test_mirrored_venue_page_renders_read_only_with_a_banner(client, venues):
    _own, mirrors = venues
    response = client.get(mirrors[0].url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    banner = soup.select_one("[data-testid=origin-banner]")
    assert "Nœud A" in banner.get_text()
    assert banner.a["href"] == mirrors[0].origin_urls["fr"]
    assert soup.select_one("link[rel=canonical]")["href"] == mirrors[0].origin_urls["fr"]


def test_mirrored_venue_page_lists_its_resources_booked_from_here(client, venues):
    _own, mirrors = venues
    room = mirror_resource(mirrors[0], name="Salle du miroir")
    soup = BeautifulSoup(client.get(mirrors[0].url).content, "html.parser")
    cards = soup.select("[data-testid=resource-card]")
    assert [card.select_one("a.button")["href"] for card in cards] == [f"/reserver/{room.pk}/"]


def test_own_venue_page_has_no_banner(client, venues):
    own, _mirrors = venues
    soup = BeautifulSoup(client.get(own.url).content, "html.parser")
    assert soup.select_one("[data-testid=origin-banner]") is None


def test_unknown_peer_is_named_by_its_host(client, db):
    mirror_venue("https://b.example", title="Chez B")
    rows = client.get("/api/v1/venues/").json()["results"]
    assert rows[0]["origin_name"] == "b.example"


def test_open_data_keeps_to_our_own_venues(client, venues):
    own, _mirrors = venues
    rows = client.get("/open-data/venues.json").json()
    text = str(rows)
    assert own.title in text and "Miroir" not in text
    assert "Miroir" not in client.get("/open-data/venues.csv").content.decode()
    assert "Miroir" not in client.get("/open-data/venues.geojson").content.decode()


def test_sitemap_keeps_to_our_own_pages(client, venues):
    own, mirrors = venues
    body = client.get("/sitemap.xml").content.decode()
    assert own.slug in body
    assert not any(mirror.slug in body for mirror in mirrors)
    assert "a-example" not in body


def test_managers_lists_keep_to_our_own_venues(venues, network_admin):
    own, _mirrors = venues
    assert [venue.pk for venue in venues_managed_by(network_admin)] == [own.pk]


def test_mirrors_are_never_geocoded(venues, django_capture_on_commit_callbacks):
    _own, mirrors = venues
    mirror = mirrors[0]
    before = mirror.geocode_status, mirror.latitude
    mirror.street_address = "1 rue Ailleurs"
    with django_capture_on_commit_callbacks() as callbacks:
        services.venue_geocode_request(venue=mirror)
    assert callbacks == []
    assert services.venue_geocode(venue_id=mirror.pk) is None
    mirror.refresh_from_db()
    assert (mirror.geocode_status, mirror.latitude) == before


def test_page_chooser_offers_our_own_venues(admin_client, venues):
    own, mirrors = venues
    response = admin_client.get("/admin/choose-page/search/", {"q": "Miroir"})
    assert response.status_code == 200
    assert "Miroir" not in response.content.decode()
    response = admin_client.get("/admin/choose-page/search/", {"q": "Maison"})
    assert own.title in response.content.decode()


def test_selectors_own_venues_excludes_mirrors(venues):
    own, _mirrors = venues
    assert [v.pk for v in selectors.own_venues_queryset()] == [own.pk]
    assert selectors.venue_base_queryset().count() == 4


def test_a_renamed_peer_is_renamed_everywhere(client, venues, peer):
    peer.name = "Nœud Alpha"
    peer.save()
    rows = client.get("/api/v1/venues/", {"kind": "totem"}).json()["results"]
    assert rows[0]["origin_name"] == "Nœud Alpha"


def test_home_map_marks_mirrors(client, venues):
    points = {point["name"]: point for point in selectors.venue_map_points_all(None)}
    assert points["Miroir totem"]["origin"] == "sur Nœud A"


def test_bookable_here_keeps_each_venue_to_its_own_resources(client, venues):
    own, mirrors = venues
    mirror_resource(mirrors[0], name="Salle du pair")
    assert "Salle du pair" in client.get(mirrors[0].url).content.decode()  # booked from here, through its node
    assert "Salle du pair" not in client.get(own.url).content.decode()
