"""A peer's mirrored desks and rooms in the resources API, their availability (the owner's busy
blocks counted) and the "when, not where" search, API and page, marked with their origin; booking
one here is still refused (it goes to its owner); queries do not grow with mirrored resources."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from bookings import services
from bookings.models import Booking
from bookings.services import BookingRequest
from core.errors import InvalidInput
from tests.support.factories import ResourceFactory, UserFactory, VenueFactory
from tests.support.mirrors import PEER, mirror_busy, mirror_resource, mirror_venue

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def tuesday_at(hour: int) -> datetime:
    today = datetime.now(PARIS).date()
    day = today + timedelta(days=2 + (1 - (today + timedelta(days=2)).weekday()) % 7)
    return datetime.combine(day, time(hour), tzinfo=PARIS)


@pytest.fixture
def network(peer):
    own = ResourceFactory(venue=VenueFactory(title="Maison locale"), name="Salle locale")
    venue = mirror_venue(PEER, title="Halle miroir")
    room = mirror_resource(venue, name="Salle miroir")
    pool = mirror_resource(venue, name="Plateau miroir", kind="desk_pool", capacity=4)
    mirror_busy(room, start=tuesday_at(10).astimezone(UTC), end=tuesday_at(12).astimezone(UTC))
    mirror_busy(pool, start=tuesday_at(9).astimezone(UTC), end=tuesday_at(18).astimezone(UTC), quantity=3)
    return {"own": own, "venue": venue, "room": room, "pool": pool}


def test_resources_api_lists_mirrors_of_a_mirrored_venue(client, network):
    rows = client.get("/api/v1/resources/", {"venue": network["venue"].pk}).json()["results"]
    assert {row["name"] for row in rows} == {"Salle miroir", "Plateau miroir"}
    assert {row["origin"] for row in rows} == {PEER}
    assert {row["origin_name"] for row in rows} == {"Nœud A"}
    everything = client.get("/api/v1/resources/").json()["results"]
    assert {row["origin"] for row in everything} == {PEER, settings.ESSAIM_NODE_URL}


def test_resources_api_keeps_seats_of_mirrored_events_out(client, network):
    mirror_resource(network["venue"], name="Places", kind="event_seats", capacity=30)
    names = {row["name"] for row in client.get("/api/v1/resources/").json()["results"]}
    assert "Places" not in names


def test_availability_of_a_mirror_counts_the_owners_busy_blocks(client, network):
    room = network["room"]
    day = tuesday_at(0)
    body = client.get(
        f"/api/v1/resources/{room.pk}/availability/",
        {"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()},
    ).json()
    free = [(row["start"][11:16], row["end"][11:16]) for row in body["free"]]
    assert free == [("09:00", "10:00"), ("12:00", "18:00")]
    detail = client.get(f"/api/v1/resources/{room.pk}/").json()
    assert detail["origin"] == PEER


def test_network_availability_includes_mirrors_with_their_origin(client, network):
    start, end = tuesday_at(14), tuesday_at(16)
    rows = client.get(
        "/api/v1/availability/", {"start": start.isoformat(), "end": end.isoformat(), "near": "45.76,4.83"}
    ).json()["results"]
    by_name = {row["resource"]["name"]: row for row in rows}
    assert by_name["Salle miroir"]["origin"] == PEER
    assert by_name["Salle miroir"]["origin_name"] == "Nœud A"
    assert by_name["Salle miroir"]["venue"]["url"] == network["venue"].origin_urls["fr"]
    assert by_name["Plateau miroir"]["remaining"] == 1  # 4 desks, 3 busy on the owner's side
    assert by_name["Salle locale"]["origin"] == settings.ESSAIM_NODE_URL


def test_network_availability_skips_a_mirror_busy_on_its_owner(client, network):
    start, end = tuesday_at(10), tuesday_at(11)
    rows = client.get("/api/v1/availability/", {"start": start.isoformat(), "end": end.isoformat()}).json()["results"]
    names = {row["resource"]["name"] for row in rows}
    assert "Salle miroir" not in names and "Salle locale" in names


def test_search_page_marks_mirrors(client, network):
    day = tuesday_at(0).date().isoformat()
    query = {"day": day, "when": "hours", "start_time": "14:00", "end_time": "16:00", "place": "Lyon"}
    soup = BeautifulSoup(client.get("/reserver/", query).content, "html.parser")
    results = {r.h3.get_text(strip=True): r for r in soup.select("[data-testid=search-result]")}
    assert "Salle miroir" in results and "Salle locale" in results
    mark = results["Salle miroir"].select_one("[data-testid=origin] a")
    assert mark.get_text(strip=True) == "sur Nœud A"
    assert mark["href"] == network["venue"].origin_urls["fr"]
    assert results["Salle locale"].select_one("[data-testid=origin]") is None


def test_booking_a_mirror_here_is_still_refused(network):
    room = network["room"]
    request = BookingRequest(resource=room, start=tuesday_at(14).astimezone(UTC), end=tuesday_at(15).astimezone(UTC))
    with pytest.raises(InvalidInput) as refused:
        services.booking_create(user=UserFactory(), request=request)
    assert refused.value.code == "remote_resource"


def test_booking_a_mirror_through_the_api_goes_to_its_node_never_here(client, network):
    """Nothing is booked here for a mirror: the API asks its node (unreachable here: a 503 to try
    again, the request kept to be retried)."""
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/api/v1/bookings/",
        {
            "resource": network["room"].pk,
            "start": tuesday_at(14).isoformat(),
            "end": tuesday_at(15).isoformat(),
            "quantity": 1,
        },
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="mirror-1",
    )
    assert response.status_code == 503
    assert response.json()["code"] == "peer_unreachable"
    assert not Booking.objects.filter(resource=network["room"]).exists()


def test_availability_queries_do_not_grow_with_mirrors(client, peer, django_assert_max_num_queries):
    start, end = tuesday_at(14), tuesday_at(16)
    params = {"start": start.isoformat(), "end": end.isoformat(), "near": "45.76,4.83"}
    for n in range(2):
        room = mirror_resource(mirror_venue(PEER, title=f"Petit {n}"), name=f"S{n}")
        mirror_busy(room, start=start.astimezone(UTC), end=(start + timedelta(minutes=30)).astimezone(UTC))
        mirror_resource(room.venue, name=f"L{n}")
    client.get("/api/v1/availability/", params)
    with django_assert_max_num_queries(12) as few:
        assert len(client.get("/api/v1/availability/", params).json()["results"]) == 2
    for n in range(10):
        room = mirror_resource(mirror_venue(PEER, title=f"Grand {n}"), name=f"G{n}")
        mirror_busy(room, start=start.astimezone(UTC), end=(start + timedelta(minutes=30)).astimezone(UTC))
        mirror_resource(room.venue, name=f"H{n}")
    with django_assert_max_num_queries(len(few)):
        assert len(client.get("/api/v1/availability/", params).json()["results"]) == 12
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/resources/").json()["count"] == 24
