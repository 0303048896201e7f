"""``GET /api/v1/resources/``, one resource, and its availability: shapes, filters, decimal prices,
times in the venue's zone on DST days and outside Europe, window validation, and the schema."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from bookings import inventory, services
from core.services import auth_token_issue
from tests.integration.support import build_site_tree, create_venue, rolled_back

pytestmark = pytest.mark.django_db

LIST = "/api/v1/resources/"
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris
EVERY_DAY_8_TO_20 = [(day, "08:00", "20:00") for day in range(7)]
WEEKDAYS_9_TO_17 = [(day, "09:00", "17:00") for day in range(5)]
RESOURCE_FIELDS = {
    "id",
    "venue",
    "name",
    "kind",
    "capacity",
    "seats",
    "description",
    "price",
    "currency",
    "pricing_unit",
    "rules",
    "timezone",
    "origin",
    "origin_name",
    "feed_url",
}
RULE_FIELDS = {
    "slot_minutes",
    "min_minutes",
    "max_minutes",
    "lead_minutes",
    "horizon_days",
    "buffer_minutes",
    "booking_unit",
    "max_per_day",
    "max_per_week",
    "approval_required",
    "free_cancel_hours",
    "late_cancellation",
}


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(scope="module")
def network(django_db_setup, django_db_blocker):
    """Venues in Paris (open every day 8–20), Dakar and Montreal, and one unpublished, with
    resources of every kind; read-only for the tests, rolled back after the module."""
    with rolled_back(django_db_blocker):
        tree = build_site_tree()
        paris = create_venue(tree, title="La Ruche", slug="la-ruche", city="Paris", opening_hours=EVERY_DAY_8_TO_20)
        dakar = create_venue(
            tree,
            "social_business_center",
            title="Hub Dakar",
            slug="hub-dakar",
            city="Dakar",
            country="SN",
            latitude=14.6928,
            longitude=-17.4467,
            timezone="Africa/Dakar",
            opening_hours=WEEKDAYS_9_TO_17,
        )
        montreal = create_venue(
            tree,
            title="Espace Mile End",
            slug="espace-mile-end",
            city="Montréal",
            country="CA",
            latitude=45.5231,
            longitude=-73.5817,
            timezone="America/Montreal",
            opening_hours=WEEKDAYS_9_TO_17,
        )
        draft = create_venue(tree, title="Brouillon", slug="brouillon", publish=False, opening_hours=WEEKDAYS_9_TO_17)

        def resource(venue, **fields):
            return inventory.resource_create(
                venue=venue, **({"kind": "room", "capacity": 1, "horizon_days": 365} | fields)
            )

        yield {
            "paris": paris,
            "dakar": dakar,
            "montreal": montreal,
            "room": resource(paris, name="Salle Lumière", price_minor=1250, seats=8, max_minutes=240),
            "pool": resource(paris, name="Open space", kind="desk_pool", capacity=4, pricing_unit="day"),
            "night": resource(
                paris,
                name="Bureau de nuit",
                kind="desk",
                hours=[(day, "00:00", "12:00") for day in range(7)],
            ),
            "seats": resource(paris, name="Conférence", kind="event_seats", capacity=80),
            "inactive": resource(paris, name="En travaux", is_active=False),
            "dakar_desk": resource(
                dakar, name="Poste 1", kind="desk", price_minor=1500, currency="XOF", pricing_unit="day"
            ),
            "montreal_room": resource(montreal, name="Salle Fleuve", max_per_day=2, approval_required=True),
            "draft_room": resource(draft, name="Salle cachée"),
        }


def names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_list_shows_bookable_resources_only(client, network):
    listed = names(client.get(LIST))
    assert sorted(listed) == sorted(["Salle Lumière", "Open space", "Bureau de nuit", "Poste 1", "Salle Fleuve"]), (
        "event seats, inactive resources and unpublished venues stay out"
    )


def test_list_filters_by_venue_and_kind(client, network):
    assert sorted(names(client.get(LIST, {"venue": network["paris"].pk}))) == [
        "Bureau de nuit",
        "Open space",
        "Salle Lumière",
    ]
    assert names(client.get(LIST, {"venue": network["paris"].pk, "kind": "room"})) == ["Salle Lumière"]
    assert sorted(names(client.get(LIST, {"kind": "desk"}))) == ["Bureau de nuit", "Poste 1"]
    assert names(client.get(LIST, {"venue": 987_654})) == []


@pytest.mark.parametrize("params", [{"venue": "abc"}, {"venue": "0"}, {"venue": str(2**70)}, {"kind": "event_seats"}])
def test_bad_list_filters_are_400s(client, network, params):
    response = client.get(LIST, params)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"


def test_one_resource_in_full(client, network):
    room = network["room"]
    response = client.get(f"{LIST}{room.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == RESOURCE_FIELDS
    assert set(body["rules"]) == RULE_FIELDS
    assert body["id"] == room.pk and body["venue"] == network["paris"].pk
    assert body["kind"] == "room" and body["capacity"] == 1 and body["seats"] == 8
    assert body["price"] == "12.50" and body["currency"] == "EUR" and body["pricing_unit"] == "hour"
    assert body["rules"]["max_minutes"] == 240 and body["rules"]["booking_unit"] == "slots"
    assert body["rules"]["max_per_day"] is None and body["rules"]["approval_required"] is False
    assert body["timezone"] == "Europe/Paris"
    assert body["origin"] == settings.ESSAIM_NODE_URL
    assert body["feed_url"] == f"http://testserver/feeds/resources/{room.pk}.ics"


def test_prices_are_decimal_strings_in_the_currency_units(client, network):
    assert client.get(f"{LIST}{network['dakar_desk'].pk}/").json()["price"] == "1500"
    assert client.get(f"{LIST}{network['pool'].pk}/").json()["price"] == "0.00"


@pytest.mark.parametrize("which", ["seats", "inactive", "draft_room", None, 2**70])
def test_hidden_or_missing_resources_are_404s(client, network, which):
    pk = network[which].pk if isinstance(which, str) else (which or 987_654)
    for url in (f"{LIST}{pk}/", f"{LIST}{pk}/availability/?start=2026-03-03T00:00:00Z&end=2026-03-04T00:00:00Z"):
        response = client.get(url)
        assert response.status_code == 404, url
        # An id past 64 bits matches no route (core.routes): the API's generic JSON 404.
        assert response.json()["code"] == ("not_found" if which == 2**70 else "resource_not_found")


# Availability --------------------------------------------------------------------------------------


def availability(client, resource, start, end):
    response = client.get(f"{LIST}{resource.pk}/availability/", {"start": start, "end": end})
    assert response.status_code == 200, response.content
    return response.json()


def spans(body):
    return [(row["start"], row["end"], row["remaining"]) for row in body["free"]]


def test_availability_shape_with_a_booking(client, network, make_user):
    room = network["room"]
    services.booking_create(
        user=make_user(),
        request=services.BookingRequest(
            room, datetime(2026, 3, 3, 9, tzinfo=UTC), datetime(2026, 3, 3, 10, 30, tzinfo=UTC)
        ),
        now=NOW,
    )
    body = availability(client, room, "2026-03-03T00:00:00+01:00", "2026-03-04T00:00:00+01:00")
    assert set(body) == {
        "resource",
        "timezone",
        "start",
        "end",
        "capacity",
        "booking_unit",
        "slot_minutes",
        "min_minutes",
        "max_minutes",
        "free",
    }
    assert body["resource"] == room.pk and body["timezone"] == "Europe/Paris"
    assert body["start"] == "2026-03-03T00:00:00+01:00" and body["end"] == "2026-03-04T00:00:00+01:00"
    assert body["slot_minutes"] == 30 and body["booking_unit"] == "slots" and body["capacity"] == 1
    assert spans(body) == [
        ("2026-03-03T08:00:00+01:00", "2026-03-03T10:00:00+01:00", 1),
        ("2026-03-03T11:30:00+01:00", "2026-03-03T20:00:00+01:00", 1),
    ]


def test_a_desk_pool_shows_what_remains(client, network, make_user):
    pool = network["pool"]
    for _ in range(3):
        services.booking_create(
            user=make_user(),
            request=services.BookingRequest(
                pool, datetime(2026, 3, 3, 12, tzinfo=UTC), datetime(2026, 3, 3, 14, tzinfo=UTC)
            ),
            now=NOW,
        )
    body = availability(client, pool, "2026-03-03T08:00:00+01:00", "2026-03-03T20:00:00+01:00")
    assert spans(body) == [
        ("2026-03-03T08:00:00+01:00", "2026-03-03T13:00:00+01:00", 4),
        ("2026-03-03T13:00:00+01:00", "2026-03-03T15:00:00+01:00", 1),
        ("2026-03-03T15:00:00+01:00", "2026-03-03T20:00:00+01:00", 4),
    ]


def test_the_past_is_not_free(client, network):
    body = availability(client, network["room"], "2026-03-02T00:00:00+01:00", "2026-03-02T12:00:00+01:00")
    assert spans(body) == [("2026-03-02T08:00:00+01:00", "2026-03-02T12:00:00+01:00", 1)]
    body = availability(client, network["room"], "2026-02-23T00:00:00+01:00", "2026-02-24T00:00:00+01:00")
    assert body["free"] == []


def _hours(body) -> float:
    return sum(
        (datetime.fromisoformat(row["end"]) - datetime.fromisoformat(row["start"])).total_seconds() / 3600
        for row in body["free"]
    )


def test_spring_forward_day_in_paris(client, network):
    """29 March 2026: 2:00 becomes 3:00; a desk open midnight to noon is open 11 hours."""
    night = availability(client, network["night"], "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00")
    assert spans(night) == [("2026-03-29T00:00:00+01:00", "2026-03-29T12:00:00+02:00", 1)]
    assert _hours(night) == 11
    day = availability(client, network["room"], "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00")
    assert spans(day) == [("2026-03-29T08:00:00+02:00", "2026-03-29T20:00:00+02:00", 1)]


def test_fall_back_day_in_paris(client, network):
    """25 October 2026: 3:00 becomes 2:00 again; midnight to noon lasts 13 hours."""
    night = availability(client, network["night"], "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00")
    assert spans(night) == [("2026-10-25T00:00:00+02:00", "2026-10-25T12:00:00+01:00", 1)]
    assert _hours(night) == 13
    day = availability(client, network["room"], "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00")
    assert spans(day) == [("2026-10-25T08:00:00+01:00", "2026-10-25T20:00:00+01:00", 1)]


def test_booking_across_the_spring_gap_costs_the_real_hours(make_user, network):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {auth_token_issue(user=make_user()).key}")
    night = network["night"]
    response = client.post(
        "/api/v1/bookings/",
        {"resource": night.pk, "start": "2026-03-29T01:00:00+01:00", "end": "2026-03-29T04:00:00+02:00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["start"] == "2026-03-29T01:00:00+01:00"
    assert response.json()["end"] == "2026-03-29T04:00:00+02:00"


def test_montreal_in_its_own_zone_across_its_dst_change(client, network):
    """North America moves its clocks on 8 March 2026, three weeks before Europe."""
    room = network["montreal_room"]
    before = availability(client, room, "2026-03-06T00:00:00-05:00", "2026-03-07T00:00:00-05:00")
    assert spans(before) == [("2026-03-06T09:00:00-05:00", "2026-03-06T17:00:00-05:00", 1)]
    after = availability(client, room, "2026-03-09T00:00:00-04:00", "2026-03-10T00:00:00-04:00")
    assert after["timezone"] == "America/Montreal"
    assert spans(after) == [("2026-03-09T09:00:00-04:00", "2026-03-09T17:00:00-04:00", 1)]


def test_dakar_answers_in_utc_offset_zero(client, network):
    body = availability(client, network["dakar_desk"], "2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z")
    assert spans(body) == [("2026-03-03T09:00:00+00:00", "2026-03-03T17:00:00+00:00", 1)]


def test_a_window_in_another_offset_is_the_same_instants(client, network):
    """Asking in Dakar's time about Paris: the answer is in Paris time."""
    body = availability(client, network["room"], "2026-03-03T07:00:00+00:00", "2026-03-03T09:00:00+00:00")
    assert spans(body) == [("2026-03-03T08:00:00+01:00", "2026-03-03T10:00:00+01:00", 1)]


def test_an_unencoded_plus_in_the_query_string(client, network):
    url = f"{LIST}{network['room'].pk}/availability/?start=2026-03-03T09:00:00+01:00&end=2026-03-03T10:00:00+01:00"
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response.json()["free"][0]["start"] == "2026-03-03T09:00:00+01:00"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "invalid"),
        ({"start": "2026-03-03T09:00:00+01:00"}, "invalid"),
        ({"start": "2026-03-03T09:00:00", "end": "2026-03-03T10:00:00+01:00"}, "naive_datetime"),
        ({"start": "2026-03-03T09:00:00+01:00", "end": "2026-03-04"}, "naive_datetime"),
        ({"start": "tomorrow", "end": "2026-03-03T10:00:00+01:00"}, "invalid_datetime"),
        ({"start": "2026-02-30T09:00:00+01:00", "end": "2026-03-03T10:00:00+01:00"}, "invalid_datetime"),
        ({"start": "9999-12-31T23:00:00-05:00", "end": "9999-12-31T23:30:00-05:00"}, "out_of_range"),
        ({"start": "", "end": "2026-03-03T10:00:00+01:00"}, "invalid_datetime"),
        ({"start": "2026-03-03T10:00:00+01:00", "end": "2026-03-03T09:00:00+01:00"}, "end_before_start"),
        ({"start": "2026-03-03T10:00:00+01:00", "end": "2026-03-03T10:00:00+01:00"}, "end_before_start"),
        ({"start": "2026-03-01T00:00:00+01:00", "end": "2026-05-02T01:00:01+02:00"}, "window_too_long"),
    ],
)
def test_bad_windows_are_400s_naming_the_rule(client, network, params, code):
    response = client.get(f"{LIST}{network['room'].pk}/availability/", params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code and body["detail"]


def test_a_window_of_62_days_is_allowed(client, network):
    body = availability(client, network["room"], "2026-03-01T00:00:00+01:00", "2026-05-02T00:00:00+02:00")
    assert len(body["free"]) == 62 - 1  # every day from 2 March (today) to 1 May


# The schema -----------------------------------------------------------------------------------------


def test_schema_lists_the_booking_paths(client, db):
    paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    expected = {
        "/api/v1/resources/": {"get"},
        "/api/v1/resources/{id}/": {"get"},
        "/api/v1/resources/{id}/availability/": {"get"},
        "/api/v1/availability/": {"get"},
        "/api/v1/bookings/": {"get", "post"},
        "/api/v1/bookings/{id}/": {"get"},
        "/api/v1/bookings/{id}/cancel/": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, sorted(paths)
        assert methods <= set(paths[path]), path
    post = paths["/api/v1/bookings/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in post["parameters"]}
    assert {"201", "400", "409"} <= set(post["responses"])
    search = {p["name"] for p in paths["/api/v1/availability/"]["get"]["parameters"]}
    assert {"start", "end", "near", "radius_km", "kind"} <= search


def test_schema_generates_without_warnings(db):
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache, dict(GENERATOR_STATS._warn_cache)
    validate_schema(schema)


def test_end_is_exclusive_at_the_window_edge(client, network):
    start = datetime(2026, 3, 3, 7, tzinfo=UTC)
    body = availability(client, network["room"], start.isoformat(), (start + timedelta(minutes=30)).isoformat())
    assert spans(body) == [("2026-03-03T08:00:00+01:00", "2026-03-03T08:30:00+01:00", 1)]
