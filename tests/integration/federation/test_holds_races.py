"""Races on the venue's node (PostgreSQL): a peer's person and a local person for the last slot,
and two of a peer's people against the peer's hold cap: exactly one wins each time."""

import uuid
from datetime import timedelta

import pytest

from bookings import services
from bookings.models import Booking, BookingStatus
from core.errors import Conflict
from federation.models import Peer, PeerState
from federation.services import holds
from tests.support.factories import UserFactory, next_weekday_at
from tests.support.races import POSTGRES_ONLY, at_once

pytestmark = POSTGRES_ONLY


@pytest.fixture
def peer():
    return Peer.objects.create(url="https://b.example", name="B", key_id="b#1", state=PeerState.ACTIVE)


def _data(resource, start, handle):
    return {
        "resource": resource.uid,
        "start": start,
        "end": start + timedelta(hours=1),
        "quantity": 1,
        "booker": {"handle": handle, "language": "fr"},
    }


def _hold(peer, data):
    def job():
        return holds.hold_place(peer=peer, key=str(uuid.uuid4()), data=data, fingerprint=uuid.uuid4().hex)

    return job


def test_a_remote_and_a_local_person_race_for_the_room(peer, make_resource):
    room = make_resource()
    start = next_weekday_at(room, 10)
    local = UserFactory()

    def book_here():
        try:
            return services.booking_create(
                user=local, request=services.BookingRequest(room, start, start + timedelta(hours=1))
            )
        except Conflict as error:
            return error

    remote, here = at_once(_hold(peer, _data(room, start, "p-1")), book_here)
    winners = [remote[0] == 201, isinstance(here, Booking)]
    assert winners.count(True) == 1, (remote, here)
    if remote[0] != 201:
        assert remote == (409, remote[1]) and remote[1]["code"] == "no_room"
    assert Booking.objects.filter(status__in=[BookingStatus.HELD, BookingStatus.CONFIRMED]).count() == 1


def test_the_peer_cap_holds_under_a_race(peer, make_resource):
    peer.max_open_holds = 1
    peer.save()
    room = make_resource()
    start = next_weekday_at(room, 10)
    first, second = at_once(
        _hold(peer, _data(room, start, "p-1")), _hold(peer, _data(room, start + timedelta(hours=2), "p-2"))
    )
    statuses = sorted([first[0], second[0]])
    assert statuses == [201, 409], (first, second)
    refused = first if first[0] == 409 else second
    assert refused[1]["code"] == "peer_hold_cap"
