"""The REST API on the booker's node: ``POST /api/v1/bookings/`` for a mirrored resource books it
through its node (outside any transaction), ``GET`` lists it with our own, cancel goes by uid."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from federation.models import RemoteBooking, RemoteBookingStatus
from tests.integration.federation.conftest import MIRROR_PEER_URL as PEER_URL
from tests.integration.federation.test_remote_bookings_pages import fake  # noqa: F401
from tests.support.factories import UserFactory, next_weekday_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    client = APIClient()
    user = UserFactory(username="bob")
    client.force_authenticate(user)
    client.user = user
    return client


def _book(api, resource, key="k-1"):
    start = next_weekday_at(resource, 10)
    return api.post(
        "/api/v1/bookings/",
        {"resource": resource.pk, "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_mirror_is_booked_through_its_node_and_listed(api, fake, mirror):  # noqa: F811
    fake.answers = {"holds": (201, {"status": "held"}), "confirm": (200, {"status": "confirmed"})}
    answer = _book(api, mirror)
    assert answer.status_code == 201, answer.content
    booking = RemoteBooking.objects.get(user=api.user)
    assert answer.json()["id"] == str(booking.uid)
    assert answer.json()["status"] == "confirmed"
    assert answer.json()["origin"] == PEER_URL
    listed = api.get("/api/v1/bookings/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [str(booking.uid)]
    # The same key again: the recorded answer, the venue's node not asked again.
    calls = len(fake.calls)
    again = _book(api, mirror)
    assert again.json()["id"] == str(booking.uid)
    assert len(fake.calls) == calls


def test_a_refusal_of_the_venue_node_is_a_409_with_its_code(api, fake, mirror):  # noqa: F811
    fake.answers = {"holds": (409, {"code": "no_room", "detail": "Plus de place."})}
    answer = _book(api, mirror)
    assert answer.status_code == 409
    assert answer.json()["code"] == "no_room"
    assert RemoteBooking.objects.get(user=api.user).status == RemoteBookingStatus.FAILED


def test_cancel_by_uid_goes_to_the_venue_node(api, fake, mirror):  # noqa: F811
    fake.answers = {
        "holds": (201, {"status": "held"}),
        "confirm": (200, {"status": "confirmed"}),
        "cancel": (200, {"status": "cancelled"}),
    }
    uid = _book(api, mirror).json()["id"]
    answer = api.post(f"/api/v1/bookings/{uid}/cancel/", {}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "cancelled"
    other = APIClient()
    other.force_authenticate(UserFactory(username="carol"))
    assert other.post(f"/api/v1/bookings/{uid}/cancel/", {}, format="json").status_code == 404
