"""The OpenAPI schema states the constraints the API enforces, so that clients (and the fuzzer)
can send valid input: id ranges, page sizes, quantities, coordinates, radius, key lengths."""

import re

import pytest

MAX_ID = 2**63 - 1


@pytest.fixture
def schema(client, db):
    return client.get("/api/v1/schema/", {"format": "json"}).json()


def _parameters(schema, path, method="get"):
    return {p["name"]: p["schema"] for p in schema["paths"][path][method]["parameters"]}


def test_every_path_id_is_a_positive_64_bit_integer(schema):
    """Ids are bounded integers; a booking on another node is named by its ``uid`` (a UUID)."""
    params = [
        p
        for operations in schema["paths"].values()
        for operation in operations.values()
        for p in operation.get("parameters", [])
        if p["in"] == "path"
    ]
    ids = [p["schema"] for p in params if p["name"] != "uid"]
    assert len(ids) >= 10
    assert all(s == {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID} for s in ids), ids
    assert all(p["schema"]["format"] == "uuid" for p in params if p["name"] == "uid")


def test_pages_have_their_bounds(schema):
    parameters = _parameters(schema, "/api/v1/venues/")
    assert parameters["limit"]["minimum"] == 1 and parameters["limit"]["maximum"] == 500
    assert parameters["offset"]["minimum"] == 0


def test_near_and_radius_state_their_ranges(schema):
    parameters = _parameters(schema, "/api/v1/availability/")
    near = re.compile(parameters["near"]["pattern"])
    assert near.match("45.76,4.83") and near.match("-90,180") and near.match(" -33.9, 151.2 ")
    assert not near.match("91,0") and not near.match("0,181") and not near.match("abc")
    radius = parameters["radius_km"]
    assert radius["type"] == "number" and radius["minimum"] == 0 and radius["exclusiveMinimum"] is True
    assert radius["maximum"] == 20000


def test_bodies_state_ids_and_quantities(schema):
    components = schema["components"]["schemas"]
    booking = components["BookingInputRequest"]["properties"]
    assert (booking["resource"]["minimum"], booking["resource"]["maximum"]) == (1, MAX_ID)
    assert booking["quantity"]["minimum"] == 1
    seats = components["RegistrationInputRequest"]["properties"]["quantity"]
    assert (seats["minimum"], seats["maximum"]) == (1, 10)


def test_idempotency_key_states_its_length_and_characters(schema):
    key = _parameters(schema, "/api/v1/bookings/", "post")["Idempotency-Key"]
    assert (key["minLength"], key["maxLength"]) == (1, 255)
    assert re.match(key["pattern"], "3f2b-uuid") and not re.match(key["pattern"], "   ")


@pytest.mark.django_db
def test_the_ranges_stated_are_the_ones_enforced(client, make_user, site_tree):
    """What the schema calls out of range is refused: a 404 for an id, a 400 for a point."""
    client.force_login(make_user("ranges"))
    assert client.get(f"/api/v1/resources/{MAX_ID + 1}/").status_code == 404
    assert client.get("/api/v1/availability/", {"near": "91,0", "start": "x", "end": "y"}).status_code == 400
    booking = client.post(
        "/api/v1/bookings/", {"resource": 0, "start": "x", "end": "y"}, content_type="application/json"
    )
    assert booking.status_code in (400, 404)
