"""``GET /api/v1/availability/`` and ``bookings.search.free_resources``: resources free for a whole
window across the network, nearest first; listed exactly when booking that window would succeed;
a few queries whatever the number of resources."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import availability as av
from bookings import inventory, search, services
from core.errors import Conflict, InvalidInput
from tests.integration.support import build_site_tree, create_venue, rolled_back
from venues import geo

pytestmark = pytest.mark.django_db

URL = "/api/v1/availability/"
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris
LYON = "45.7640,4.8357"
CENTRE = geo.Point(45.7640, 4.8357)
MORNING = {"start": "2026-03-03T09:00:00+01:00", "end": "2026-03-03T12:00:00+01:00"}  # Tuesday
WEEKDAYS_9_TO_18 = [(day, "09:00", "18:00") for day in range(5)]


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(scope="module")
def network(django_db_setup, django_db_blocker):
    """Three Lyon venues at 0.4, 3 and 4 km from the centre, Annecy (100 km), Paris and Dakar."""

    with rolled_back(django_db_blocker):
        tree = build_site_tree()

        def venue(title, slug, latitude, longitude, **fields):
            defaults = {"latitude": latitude, "longitude": longitude, "opening_hours": WEEKDAYS_9_TO_18}
            return create_venue(tree, title=title, slug=slug, **(defaults | fields))

        def resource(venue, name, **fields):
            return inventory.resource_create(
                venue=venue, name=name, **({"kind": "room", "capacity": 1, "horizon_days": 365} | fields)
            )

        ruche = venue("La Ruche des Pentes", "ruche", 45.7676, 4.8344)
        h7 = venue("H7", "h7", 45.7405, 4.8185)
        gratte_ciel = venue("Atelier Gratte-Ciel", "gratte-ciel", 45.7719, 4.8902, city="Villeurbanne")
        annecy = venue("Bureaux du Lac", "lac", 45.8992, 6.1294, city="Annecy")
        paris = venue("Paris Coop", "paris-coop", 48.8566, 2.3522, city="Paris")
        dakar = venue(
            "Hub Dakar",
            "hub-dakar",
            14.6928,
            -17.4467,
            city="Dakar",
            country="SN",
            timezone="Africa/Dakar",
            opening_hours=[(day, "08:00", "18:00") for day in range(5)],
        )
        data = {
            "ruche": ruche,
            "h7": h7,
            "gratte_ciel": gratte_ciel,
            "room_a": resource(ruche, "Salle A", price_minor=1250, max_minutes=480),
            "pool": resource(ruche, "Open space", kind="desk_pool", capacity=4),
            "day_desk": resource(h7, "Poste fixe", kind="desk", booking_unit="day"),
            "slow_room": resource(h7, "Salle sur réservation", lead_minutes=3 * 24 * 60),
            "room_b": resource(gratte_ciel, "Salle B", buffer_minutes=30),
            "annecy_room": resource(annecy, "Salle du Lac"),
            "paris_room": resource(paris, "Salle Paris", min_minutes=120, slot_minutes=60),
            "dakar_desk": resource(dakar, "Poste Dakar", kind="desk"),
            "seats": resource(ruche, "Conférence", kind="event_seats", capacity=50),
            "inactive": resource(ruche, "En travaux", is_active=False),
        }
        booker = get_user_model().objects.create_user("booker", "booker@example.org", "x-pass-1234")
        wednesday = datetime(2026, 3, 4, tzinfo=UTC)
        for resource_key, hour, minutes, quantity in [
            ("room_a", 9, 60, 1),
            ("room_b", 13, 90, 1),
            ("pool", 10, 120, 3),
            ("pool", 11, 60, 1),
            ("paris_room", 8, 120, 1),
        ]:
            start = wednesday + timedelta(hours=hour)
            services.booking_create(
                user=booker,
                request=services.BookingRequest(
                    data[resource_key], start, start + timedelta(minutes=minutes), quantity
                ),
                now=NOW,
            )
        yield data


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def names(response):
    return [(row["venue"]["name"], row["resource"]["name"]) for row in results(response)]


def test_near_lyon_nearest_venue_first(client, network):
    rows = results(client.get(URL, MORNING | {"near": LYON}))
    assert [(row["venue"]["name"], row["resource"]["name"]) for row in rows] == [
        ("La Ruche des Pentes", "Open space"),
        ("La Ruche des Pentes", "Salle A"),
        ("Atelier Gratte-Ciel", "Salle B"),
    ], "H7's day desk needs a whole day, its other room three days' notice; Annecy is 100 km away"
    distances = [row["distance_km"] for row in rows]
    assert distances == sorted(distances)
    expected = geo.distance_km(CENTRE, geo.Point(45.7676, 4.8344))
    assert distances[0] == pytest.approx(expected, abs=0.001)


def test_a_hit_carries_resource_venue_distance_and_the_window_in_local_time(client, network):
    row = results(client.get(URL, MORNING | {"near": LYON}))[1]
    assert set(row) == {"resource", "venue", "origin", "origin_name", "distance_km", "remaining", "start", "end"}
    room = network["room_a"]
    assert row["resource"] == {
        "id": room.pk,
        "name": "Salle A",
        "kind": "room",
        "capacity": 1,
        "seats": None,
        "price": "12.50",
        "currency": "EUR",
        "pricing_unit": "hour",
        "booking_unit": "slots",
        "approval_required": False,
    }
    venue_url = row["venue"].pop("url")
    assert row["venue"] == {"id": network["ruche"].pk, "name": "La Ruche des Pentes", "city": "Lyon"}
    assert venue_url.startswith("http") and venue_url.endswith("/ruche/")
    assert row["remaining"] == 1
    assert (row["start"], row["end"]) == ("2026-03-03T09:00:00+01:00", "2026-03-03T12:00:00+01:00")


def test_the_window_comes_back_in_each_venues_zone(client, network):
    body = client.get(URL, {"start": "2026-03-03T08:00:00Z", "end": "2026-03-03T11:00:00Z"}).json()
    assert (body["start"], body["end"]) == ("2026-03-03T08:00:00+00:00", "2026-03-03T11:00:00+00:00")
    by_venue = {row["venue"]["name"]: (row["start"], row["end"]) for row in body["results"]}
    assert by_venue["Hub Dakar"] == ("2026-03-03T08:00:00+00:00", "2026-03-03T11:00:00+00:00")
    assert by_venue["La Ruche des Pentes"] == ("2026-03-03T09:00:00+01:00", "2026-03-03T12:00:00+01:00")


def test_without_near_by_venue_name(client, network):
    assert [venue for venue, _resource in names(client.get(URL, MORNING))] == [
        "Atelier Gratte-Ciel",
        "Bureaux du Lac",
        "Hub Dakar",
        "La Ruche des Pentes",
        "La Ruche des Pentes",
        "Paris Coop",
    ]
    assert all(row["distance_km"] is None for row in results(client.get(URL, MORNING)))


def test_booked_time_buffers_and_capacity_count(client, network):
    wednesday = {"start": "2026-03-04T10:00:00+01:00", "end": "2026-03-04T12:00:00+01:00"}
    rows = {row["resource"]["name"]: row["remaining"] for row in results(client.get(URL, wednesday))}
    assert "Salle A" not in rows  # booked 10:00–11:00
    assert rows["Open space"] == 1  # three of four desks taken from 11:00
    assert rows["Salle B"] == 1
    after_b = {"start": "2026-03-04T15:30:00+01:00", "end": "2026-03-04T16:00:00+01:00"}
    assert "Salle B" not in [resource for _venue, resource in names(client.get(URL, after_b))]  # in its buffer
    later = {"start": "2026-03-04T16:00:00+01:00", "end": "2026-03-04T16:30:00+01:00"}
    assert "Salle B" in [resource for _venue, resource in names(client.get(URL, later))]


def test_a_whole_day_lists_day_desks(client, network):
    day = {"start": "2026-03-03T09:00:00+01:00", "end": "2026-03-03T18:00:00+01:00", "near": LYON}
    assert ("H7", "Poste fixe") in names(client.get(URL, day))


def test_closures_opening_hours_and_the_grid(client, network):
    inventory.closure_create(venue=network["gratte_ciel"], first_day=date(2026, 3, 3))
    assert ("Atelier Gratte-Ciel", "Salle B") not in names(client.get(URL, MORNING | {"near": LYON}))
    early = {"start": "2026-03-03T08:00:00+01:00", "end": "2026-03-03T10:00:00+01:00", "near": LYON}
    assert names(client.get(URL, early)) == []
    off_grid = {"start": "2026-03-03T09:10:00+01:00", "end": "2026-03-03T10:00:00+01:00", "near": LYON}
    assert names(client.get(URL, off_grid)) == []


def test_kind_quantity_radius_and_limit(client, network):
    assert names(client.get(URL, MORNING | {"kind": "desk_pool"})) == [("La Ruche des Pentes", "Open space")]
    assert names(client.get(URL, MORNING | {"quantity": 5})) == []
    rows = results(client.get(URL, MORNING | {"quantity": 2}))
    assert [(row["resource"]["name"], row["remaining"]) for row in rows] == [("Open space", 4)]
    assert {venue for venue, _r in names(client.get(URL, MORNING | {"near": LYON, "radius_km": 1}))} == {
        "La Ruche des Pentes"
    }
    assert len(results(client.get(URL, MORNING | {"near": LYON, "limit": 1}))) == 1
    with_annecy = names(client.get(URL, MORNING | {"near": LYON, "radius_km": 150}))
    assert with_annecy[-1] == ("Bureaux du Lac", "Salle du Lac")


def test_the_past_and_the_notice_are_respected(client, network):
    past = {"start": "2026-02-24T09:00:00+01:00", "end": "2026-02-24T10:00:00+01:00"}
    assert names(client.get(URL, past)) == []
    later = {"start": "2026-03-06T09:00:00+01:00", "end": "2026-03-06T10:00:00+01:00", "near": LYON}
    assert ("H7", "Salle sur réservation") in names(client.get(URL, later))


@pytest.mark.parametrize(
    ("params", "code"),
    [
        (MORNING | {"radius_km": "10"}, "invalid"),
        (MORNING | {"near": "north"}, "invalid"),
        (MORNING | {"near": "45,4", "radius_km": "-1"}, "invalid"),
        (MORNING | {"kind": "event_seats"}, "invalid"),
        (MORNING | {"quantity": "0"}, "invalid"),
        (MORNING | {"limit": "1000"}, "invalid"),
        ({"start": MORNING["start"]}, "invalid"),
        ({"start": "2026-03-03T09:00:00", "end": MORNING["end"]}, "naive_datetime"),
        ({"start": "soon", "end": MORNING["end"]}, "invalid_datetime"),
        ({"start": MORNING["end"], "end": MORNING["start"]}, "end_before_start"),
        ({"start": MORNING["start"], "end": "2026-06-03T12:00:00+02:00"}, "window_too_long"),
    ],
)
def test_bad_queries_are_400s(client, network, params, code):
    response = client.get(URL, params)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code


# The selector ----------------------------------------------------------------------------------------


def window(start: str, end: str) -> av.Interval:
    return av.Interval(datetime.fromisoformat(start), datetime.fromisoformat(end))


@pytest.mark.parametrize("near", [CENTRE, None])
def test_a_handful_of_queries_whatever_the_number_of_resources(network, django_assert_max_num_queries, near):
    for n in range(20):  # twenty more rooms at La Ruche, and a closure and hours of their own for some
        inventory.resource_create(
            venue=network["ruche"], name=f"Box {n}", kind="room", hours=[(1, "09:00", "12:00")] if n % 3 else []
        )
    with django_assert_max_num_queries(7):
        hits = search.free_resources(
            window=window(MORNING["start"], MORNING["end"]), near=near, radius_km=500, now=NOW, limit=100
        )
    assert len(hits) >= 22


def test_the_web_helper_signature(network):
    hits = search.free_resources(
        window=window(MORNING["start"], MORNING["end"]),
        near=CENTRE,
        radius_km=50,
        kind="room",
        quantity=1,
        now=NOW,
        limit=50,
    )
    first = hits[0]
    assert isinstance(first, search.SearchHit)
    assert (first.resource.name, first.venue.title, first.remaining) == ("Salle A", "La Ruche des Pentes", 1)
    assert first.distance_km == pytest.approx(geo.distance_km(CENTRE, geo.Point(45.7676, 4.8344)))


BOOKABLE = ["room_a", "pool", "day_desk", "slow_room", "room_b", "annecy_room", "paris_room", "dakar_desk"]


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    day=st.sampled_from([3, 4, 5]),
    # Mostly plausible windows (on the half-hour, within the day), some off the grid or too early.
    start_minutes=st.one_of(
        st.integers(min_value=9 * 2, max_value=16 * 2).map(lambda half_hours: half_hours * 30),
        st.integers(min_value=6 * 4, max_value=19 * 4).map(lambda quarters: quarters * 15),
    ),
    length_minutes=st.sampled_from([60, 30, 120, 90, 60, 180, 240, 540, 15, 600]),
    quantity=st.sampled_from([1, 1, 1, 1, 2, 4, 5]),
)
def test_listed_exactly_when_booking_would_succeed(network, make_user, day, start_minutes, length_minutes, quantity):
    start = datetime(2026, 3, day, tzinfo=UTC) + timedelta(minutes=start_minutes - 60)  # Paris is UTC+1
    wanted = av.Interval(start, start + timedelta(minutes=length_minutes))
    listed = {
        hit.resource.pk
        for hit in search.free_resources(window=wanted, near=None, radius_km=50, quantity=quantity, now=NOW, limit=100)
    }
    user = make_user()
    accepted = set()
    for key in BOOKABLE:
        resource = network[key]
        try:
            with transaction.atomic():
                services.booking_create(
                    user=user, request=services.BookingRequest(resource, wanted.start, wanted.end, quantity), now=NOW
                )
                transaction.set_rollback(True)
        except (InvalidInput, Conflict):
            continue
        accepted.add(resource.pk)
    assert listed == accepted


def test_the_endpoint_answers_in_a_few_queries(client, network, django_assert_max_num_queries):
    for n in range(15):
        inventory.resource_create(venue=network["gratte_ciel"], name=f"Box {n}", kind="room")
    client.get(URL, MORNING | {"near": LYON})  # warms the site's root paths, as any earlier request would
    with django_assert_max_num_queries(10):
        assert len(results(client.get(URL, MORNING | {"near": LYON}))) == 18


def test_part_of_the_day_offers_each_venue_its_own_day(client, network):
    """``part=day`` on a Tuesday: H7's day desk gets its whole day, Dakar's desk its 8:00–18:00 in
    Dakar's zone; rooms whose longest booking is shorter than the day are left out."""
    day = {"start": "2026-03-03T00:00:00+01:00", "end": "2026-03-04T00:00:00+01:00", "part": "day"}
    rows = {row["resource"]["name"]: (row["start"], row["end"]) for row in results(client.get(URL, day))}
    assert rows["Poste fixe"] == ("2026-03-03T09:00:00+01:00", "2026-03-03T18:00:00+01:00")
    assert rows["Poste Dakar"] == ("2026-03-03T08:00:00+00:00", "2026-03-03T18:00:00+00:00")
    assert "Salle A" not in rows  # 8 hours at most: not a 9-hour day
    afternoon = day | {"part": "afternoon"}
    rows = {row["resource"]["name"]: (row["start"], row["end"]) for row in results(client.get(URL, afternoon))}
    assert rows["Salle A"] == ("2026-03-03T13:00:00+01:00", "2026-03-03T18:00:00+01:00")
    assert "Poste fixe" not in rows  # booked by whole days only
