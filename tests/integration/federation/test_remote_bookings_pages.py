"""On the booker's node: booking a mirrored resource from its page (hold, then confirm, in one
click), "My bookings" and the personal feed listing remote bookings, cancelling from here."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from bookings import services
from bookings.models import Resource
from events.models import Event
from federation.models import Peer, PeerState, RemoteBooking, RemoteBookingStatus
from federation.services import remote_bookings
from tests.integration.federation.conftest import MIRROR_PEER_URL
from tests.support.factories import EventFactory, UserFactory, next_weekday_at

pytestmark = pytest.mark.django_db

PEER_URL = MIRROR_PEER_URL


class FakePeer:
    def __init__(self):
        self.calls = []
        self.answers = {}

    def __call__(self, peer, method, path, *, json=None, idempotency_key=None):
        assert not remote_bookings.in_transaction()
        self.calls.append((path, json, idempotency_key))
        action = path.rsplit("/", 1)[-1]
        answer = self.answers.get(action)
        if answer is None:
            raise TimeoutError("no answer")
        status, data = answer
        return status, {"uid": idempotency_key.split(":")[0], "reference": "AB12CD34", "currency": "EUR", **data}


@pytest.fixture
def fake(monkeypatch):
    fake = FakePeer()
    monkeypatch.setattr(remote_bookings, "_call", fake)
    return fake


@pytest.fixture
def alice(client):
    user = UserFactory(username="alice")
    client.force_login(user)
    return user


def book(client, mirror):
    start = next_weekday_at(mirror, 10)
    url = reverse("bookings:resource", kwargs={"pk": mirror.pk})
    return client.post(
        url,
        {
            "day": start.date().isoformat(),
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "quantity": 1,
        },
    )


def test_the_booking_page_of_a_mirror_is_shown(client, mirror, alice):
    page = client.get(reverse("bookings:resource", kwargs={"pk": mirror.pk}))
    assert page.status_code == 200


def test_one_click_holds_then_confirms_through_the_venue_node(client, fake, mirror, alice):
    fake.answers = {"holds": (201, {"status": "held"}), "confirm": (200, {"status": "confirmed"})}
    answer = book(client, mirror)
    booking = RemoteBooking.objects.get(user=alice)
    assert answer.status_code == 302, answer.content[:2000]
    assert answer["Location"] == reverse("federation_pages:remote-booking", kwargs={"uid": booking.uid}) + "?new=1"
    assert booking.status == RemoteBookingStatus.CONFIRMED
    assert [call[0] for call in fake.calls] == ["/federation/v1/holds", f"/federation/v1/holds/{booking.uid}/confirm"]
    assert fake.calls[0][1]["return_url"].endswith(f"/{booking.uid}/")
    page = client.get(answer["Location"])
    assert page.status_code == 200
    assert "Réseau A" in page.content.decode()


def test_a_priced_booking_goes_to_the_venue_nodes_payment_page(client, fake, mirror, alice):
    pay = f"{PEER_URL}/payments/checkout/tok/"
    fake.answers = {
        "holds": (201, {"status": "held", "amount_minor": 1500, "payment_state": "pending"}),
        "confirm": (200, {"status": "held", "amount_minor": 1500, "payment_url": pay, "payment_state": "pending"}),
    }
    answer = book(client, mirror)
    assert answer.status_code == 302
    assert answer["Location"] == pay


def test_a_refusal_shows_on_the_form(client, fake, mirror, alice):
    fake.answers = {"holds": (409, {"code": "no_room", "detail": "Plus de place à cette heure."})}
    answer = book(client, mirror)
    assert answer.status_code == 409
    assert "Plus de place à cette heure." in answer.content.decode()
    assert RemoteBooking.objects.get(user=alice).status == RemoteBookingStatus.FAILED


def test_my_bookings_lists_it_and_cancelling_goes_to_the_venue_node(client, fake, mirror, alice):
    fake.answers = {"holds": (201, {"status": "held"}), "confirm": (200, {"status": "confirmed"})}
    book(client, mirror)
    booking = RemoteBooking.objects.get(user=alice)
    page = client.get(reverse("bookings:mine"))
    text = page.content.decode()
    assert 'data-testid="remote-bookings"' in text
    assert "Réseau A" in text and "AB12CD34" in text
    fake.answers["cancel"] = (200, {"status": "cancelled"})
    url = reverse("federation_pages:remote-booking-action", kwargs={"uid": booking.uid, "action": "cancel"})
    assert client.post(url, {"reason": "ill"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == RemoteBookingStatus.CANCELLED
    assert fake.calls[-1][2] == f"{booking.uid}:cancel"


def test_others_cannot_see_the_remote_booking(client, fake, mirror, alice):
    fake.answers = {"holds": (201, {"status": "held"}), "confirm": (200, {"status": "confirmed"})}
    book(client, mirror)
    booking = RemoteBooking.objects.get(user=alice)
    client.force_login(UserFactory(username="bob"))
    assert client.get(reverse("federation_pages:remote-booking", kwargs={"uid": booking.uid})).status_code == 404
    assert client.get(reverse("federation_pages:remote-booking", kwargs={"uid": uuid.uuid4()})).status_code == 404


def test_the_personal_feed_includes_it_with_the_venue_nodes_uid(client, fake, mirror, alice):
    fake.answers = {"holds": (201, {"status": "held"}), "confirm": (200, {"status": "confirmed"})}
    book(client, mirror)
    secret = services.calendar_feed_ensure(user=alice).secret
    feed = client.get(reverse("feeds:me", kwargs={"secret": secret}))
    assert feed.status_code == 200
    body = feed.content.decode()
    assert "UID:booking-AB12CD34@venues-a.example" in body
    assert "STATUS:CONFIRMED" in body


def test_registering_for_a_mirrored_event_date(client, fake, make_venue, alice):
    Peer.objects.create(url=PEER_URL, name="Réseau A", key_id="a#1", public_key="x", state=PeerState.ACTIVE)
    event = EventFactory(venue=make_venue())
    Event.objects.filter(pk=event.pk).update(origin=PEER_URL)
    Resource.objects.filter(pk=event.seats_id).update(origin=PEER_URL)
    fake.answers = {"holds": (201, {"status": "held"}), "confirm": (200, {"status": "confirmed"})}
    url = reverse("federation_pages:remote-register", kwargs={"pk": event.pk})
    answer = client.post(url, {"recurrence_id": event.start.isoformat(), "quantity": 1})
    booking = RemoteBooking.objects.get(user=alice)
    assert answer.status_code == 302
    assert booking.status == RemoteBookingStatus.CONFIRMED
    assert booking.event_id == event.pk and booking.recurrence_id == event.start
    body = fake.calls[0][1]
    assert body["event"] == str(event.uid) and body["resource"] == str(event.seats.uid)
    # a local event is not registered for here
    local = EventFactory(venue=make_venue())
    url = reverse("federation_pages:remote-register", kwargs={"pk": local.pk})
    assert client.post(url, {"recurrence_id": local.start.isoformat()}).status_code == 404
