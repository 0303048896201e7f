"""``/federation/v1/holds`` on the venue's node: a peer holds, confirms, releases and cancels for
its people, through real signed requests; our own rules answer as the local API does."""

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bookings import services
from bookings.models import Booking, BookingStatus
from bookings.payments.views import checkout_return_urls
from events.models import Registration
from federation.models import RemoteBooker, RemoteHold
from tests.integration.bookings.test_admin_support import admin_in_english
from tests.support.factories import EventFactory, UserFactory, next_weekday_at
from tests.support.federation_holds import make_peer
from venues.services import venue_manager_assign

pytestmark = pytest.mark.django_db

HOLDS = "/federation/v1/holds"


@pytest.fixture
def peer(client):
    return make_peer(client)


@pytest.fixture
def room(make_resource):
    return make_resource()


def hold_body(resource, start, *, hours=1, handle="p-1", **extra):
    return {
        "resource": str(resource.uid),
        "start": start.isoformat(),
        "end": (start + timedelta(hours=hours)).isoformat(),
        "quantity": 1,
        "booker": {"handle": handle, "language": "fr"},
        **extra,
    }


def test_a_hold_is_placed_for_a_pseudonymous_booker(peer, room):
    key = str(uuid.uuid4())
    start = next_weekday_at(room, 10)
    answer = peer.post(HOLDS, hold_body(room, start), key=key)
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert data["uid"] == key
    assert data["status"] == "held"
    assert data["expires_at"] and data["reference"]
    assert (data["amount_minor"], data["currency"]) == (0, "EUR")
    booking = Booking.objects.get(uid=key)
    assert booking.status == BookingStatus.HELD and booking.expires_at is not None
    booker = RemoteBooker.objects.get(peer=peer.peer, handle="p-1")
    assert booking.user == booker.user
    assert not booker.user.has_usable_password()
    assert (booker.user.first_name, booker.user.email) == ("", "")
    assert RemoteHold.objects.get(booking=booking).peer == peer.peer
    assert answer["Signature"]  # the answer is signed for the peer


def test_a_shared_identity_is_kept_only_while_shared(peer, room):
    start = next_weekday_at(room, 10)
    body = hold_body(room, start, booker={"handle": "p-1", "name": "Awa Diop", "email": "awa@b.example"})
    assert peer.post(HOLDS, body, key=str(uuid.uuid4())).status_code == 201
    user = RemoteBooker.objects.get(handle="p-1").user
    assert (user.first_name, user.email) == ("Awa Diop", "awa@b.example")
    later = hold_body(room, start + timedelta(hours=2), handle="p-1")
    assert peer.post(HOLDS, later, key=str(uuid.uuid4())).status_code == 201
    user.refresh_from_db()
    assert (user.first_name, user.email) == ("", "")


def test_the_same_key_answers_the_same_hold(peer, room):
    key = str(uuid.uuid4())
    body = hold_body(room, next_weekday_at(room, 10))
    first = peer.post(HOLDS, body, key=key)
    again = peer.post(HOLDS, body, key=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Booking.objects.count() == 1


def test_a_taken_time_is_409_no_room_and_stays_refused(peer, room):
    start = next_weekday_at(room, 10)
    taken = services.BookingRequest(room, start, start + timedelta(hours=1))
    services.booking_create(user=UserFactory(), request=taken)
    key = str(uuid.uuid4())
    answer = peer.post(HOLDS, hold_body(room, start), key=key)
    assert answer.status_code == 409
    assert answer.json()["code"] == "no_room"
    assert peer.post(HOLDS, hold_body(room, start), key=key).json()["code"] == "no_room"
    assert not Booking.objects.filter(uid=key).exists()


def test_a_broken_rule_is_400_with_its_code(peer, room):
    evening = next_weekday_at(room, 20)
    answer = peer.post(HOLDS, hold_body(room, evening), key=str(uuid.uuid4()))
    assert answer.status_code == 400
    assert answer.json()["code"] not in ("", "invalid")
    assert Booking.objects.count() == 0


def test_unknown_resource_and_missing_key_are_400(peer, room):
    body = hold_body(room, next_weekday_at(room, 10))
    assert peer.post(HOLDS, body).json()["code"] == "idempotency_key_invalid"
    body["resource"] = str(uuid.uuid4())
    assert peer.post(HOLDS, body, key=str(uuid.uuid4())).json()["code"] == "unknown_resource"


def test_a_peer_keeps_only_so_many_holds_open(peer, room):
    peer.peer.max_open_holds = 1
    peer.peer.save()
    start = next_weekday_at(room, 10)
    assert peer.post(HOLDS, hold_body(room, start, handle="a"), key=str(uuid.uuid4())).status_code == 201
    answer = peer.post(HOLDS, hold_body(room, start + timedelta(hours=2), handle="b"), key=str(uuid.uuid4()))
    assert answer.status_code == 409
    assert answer.json()["code"] == "peer_hold_cap"


def test_confirm_release_and_cancel(peer, room):
    start = next_weekday_at(room, 10)
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    peer.post(HOLDS, hold_body(room, start), key=first)
    peer.post(HOLDS, hold_body(room, start + timedelta(hours=2)), key=second)

    confirmed = peer.post(f"{HOLDS}/{first}/confirm", key=f"{first}:confirm")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert peer.post(f"{HOLDS}/{first}/confirm", key=f"{first}:confirm").json() == confirmed.json()

    released = peer.post(f"{HOLDS}/{second}/release", key=f"{second}:release")
    assert released.json()["status"] == "cancelled"
    assert Booking.objects.get(uid=second).status == BookingStatus.CANCELLED

    cancelled = peer.post(f"{HOLDS}/{first}/cancel", {"reason": "plans changed"}, key=f"{first}:cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert Booking.objects.get(uid=first).status == BookingStatus.CANCELLED


def test_another_peer_cannot_touch_the_booking(client, peer, room):
    key = str(uuid.uuid4())
    peer.post(HOLDS, hold_body(room, next_weekday_at(room, 10)), key=key)
    other = make_peer(client, url="https://peer-c.example", name="C")
    for action in ("confirm", "release", "cancel"):
        answer = other.post(f"{HOLDS}/{key}/{action}", key=f"{key}:{action}")
        assert answer.status_code == 404
    assert Booking.objects.get(uid=key).status == BookingStatus.HELD
    # nor reuse its key for a hold of its own
    assert other.post(HOLDS, hold_body(room, next_weekday_at(room, 14)), key=key).status_code == 400


def test_an_unsigned_request_is_refused(client, room):
    answer = client.post(HOLDS, {}, content_type="application/json")
    assert answer.status_code == 401


def test_an_unconfirmed_hold_expires_and_frees_the_room(peer, room, time_machine):
    start = next_weekday_at(room, 10)
    key = str(uuid.uuid4())
    peer.post(HOLDS, hold_body(room, start), key=key)
    booking = Booking.objects.get(uid=key)
    later = booking.expires_at + timedelta(seconds=1)
    time_machine.move_to(later, tick=False)
    assert services.hold_expire_all(now=later) == 1
    assert Booking.objects.get(uid=key).status == BookingStatus.EXPIRED
    local = services.booking_create(
        user=UserFactory(), request=services.BookingRequest(room, start, start + timedelta(hours=1)), now=later
    )
    assert local.status == BookingStatus.CONFIRMED
    # and confirming the lapsed hold now finds the room taken
    answer = peer.post(f"{HOLDS}/{key}/confirm", key=f"{key}:confirm")
    assert answer.status_code == 409


def test_the_shadow_account_cannot_log_in(peer, room):
    peer.post(HOLDS, hold_body(room, next_weekday_at(room, 10)), key=str(uuid.uuid4()))
    user = get_user_model().objects.get(remote_booker__handle="p-1")
    assert "~" in user.username
    assert not user.has_usable_password()


def test_the_day_view_shows_a_guest_of_the_peer_and_a_shared_name(client, peer, room):
    start = next_weekday_at(room, 10)
    peer.post(HOLDS, hold_body(room, start), key=(first := str(uuid.uuid4())))
    peer.post(f"{HOLDS}/{first}/confirm", key=f"{first}:confirm")
    shared = hold_body(room, start + timedelta(hours=2), booker={"handle": "p-2", "name": "Awa Diop"})
    peer.post(HOLDS, shared, key=str(uuid.uuid4()))
    manager = admin_in_english(UserFactory(username="manager-a"))
    venue_manager_assign(venue=room.venue, user=manager)
    client.force_login(manager)
    day = start.astimezone(ZoneInfo(room.venue.specific.timezone)).date()
    page = client.get(reverse("booking_day:index"), {"venue": room.venue_id, "date": day.isoformat()})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Guest of Réseau B" in text
    assert "Awa Diop, via Réseau B" in text
    assert "peer" not in text.split("Guest of")[0][-200:]  # no shadow username shown


def test_an_event_date_is_held_then_confirmed_as_a_registration(peer, make_venue):
    event = EventFactory(venue=make_venue(), capacity=1)
    key = str(uuid.uuid4())
    body = {
        "resource": str(event.seats.uid),
        "event": str(event.uid),
        "recurrence_id": event.start.isoformat(),
        "quantity": 1,
        "booker": {"handle": "p-1"},
    }
    answer = peer.post(HOLDS, body, key=key)
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "held"
    booking = Booking.objects.get(uid=key)
    assert Registration.objects.get(booking=booking).event == event
    assert peer.post(f"{HOLDS}/{key}/confirm", key=f"{key}:confirm").json()["status"] == "confirmed"
    full = peer.post(HOLDS, {**body, "booker": {"handle": "p-2"}}, key=str(uuid.uuid4()))
    assert full.status_code == 409
    assert full.json()["code"] == "event_full"


def test_after_paying_the_person_returns_to_the_peer_page_only(peer, room, rf):
    start = next_weekday_at(room, 10)
    back = "https://peer-b.example/reservations/ailleurs/x/"
    peer.post(HOLDS, hold_body(room, start, return_url=back), key=(first := str(uuid.uuid4())))
    elsewhere = hold_body(room, start + timedelta(hours=2), return_url="https://evil.example/x/")
    peer.post(HOLDS, elsewhere, key=(second := str(uuid.uuid4())))
    urls = checkout_return_urls(rf.get("/"))
    assert urls(Booking.objects.get(uid=first)) == (back, back)
    assert "evil" not in urls(Booking.objects.get(uid=second))[0]


def test_a_resource_that_needs_approval_answers_pending_approval(peer, make_resource):
    room = make_resource(approval_required=True)
    key = str(uuid.uuid4())
    answer = peer.post(HOLDS, hold_body(room, next_weekday_at(room, 10)), key=key)
    assert answer.status_code == 201
    assert answer.json()["status"] == "pending_approval"
    assert peer.post(f"{HOLDS}/{key}/confirm", key=f"{key}:confirm").json()["status"] == "pending_approval"
    assert peer.post(f"{HOLDS}/{key}/release", key=f"{key}:release").json()["status"] == "cancelled"


def test_a_priced_hold_stays_held_and_carries_the_payment_link(peer, make_resource, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_remote"
    room = make_resource(price_minor=1500)
    key = str(uuid.uuid4())
    answer = peer.post(HOLDS, hold_body(room, next_weekday_at(room, 10)), key=key)
    assert answer.status_code == 201
    data = answer.json()
    assert (data["status"], data["amount_minor"], data["payment_state"]) == ("held", 1500, "pending")
    confirmed = peer.post(f"{HOLDS}/{key}/confirm", key=f"{key}:confirm").json()
    assert confirmed["status"] == "held"
    assert confirmed["payment_url"].startswith(settings.ESSAIM_NODE_URL + "/payments/checkout/")
