"""On the booker's node: a remote booking is committed before the venue's node is called, never
inside a transaction; a lost answer is retried with the same key; refusals are kept; the venue
node's status entries update it."""

import uuid
from datetime import timedelta

import pytest
from django.db import transaction

from accounts.models import Profile
from core.errors import Conflict, Unavailable
from federation.models import Peer, PeerState, RemoteBooking, RemoteBookingStatus
from federation.services import remote_bookings
from tests.integration.federation.conftest import MIRROR_PEER_URL
from tests.support.factories import UserFactory, next_weekday_at

pytestmark = pytest.mark.django_db

PEER_URL = MIRROR_PEER_URL


class FakePeer:
    """The venue's node, answering from a script; it checks what B promised before each call."""

    def __init__(self):
        self.calls = []
        self.answers = []

    def __call__(self, peer, method, path, *, json=None, idempotency_key=None):
        assert not remote_bookings.in_transaction()
        if path.endswith("/holds"):
            row = RemoteBooking.objects.get(uid=idempotency_key)  # committed before we were asked
            assert row.status in (RemoteBookingStatus.REQUESTED,)
        self.calls.append((method, path, json, idempotency_key))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def fake(monkeypatch):
    fake = FakePeer()
    monkeypatch.setattr(remote_bookings, "_call", fake)
    return fake


def held(uid, **extra):
    return 201, {
        "uid": str(uid),
        "status": "held",
        "reference": "AB12CD34",
        "expires_at": "2030-01-01T10:00:00+00:00",
        "amount_minor": 0,
        "currency": "EUR",
        "payment_state": "none",
        **extra,
    }


def hold(user, mirror):
    start = next_weekday_at(mirror, 10)
    return remote_bookings.remote_hold(user=user, resource=mirror, start=start, end=start + timedelta(hours=1))


def test_the_row_is_committed_before_the_call_and_takes_the_answer(fake, mirror):
    fake.answers = [None]  # set below, once the key is known

    def answer(peer, method, path, *, json=None, idempotency_key=None):
        assert not remote_bookings.in_transaction()
        assert RemoteBooking.objects.filter(uid=idempotency_key, status="requested").exists()
        fake.calls.append((path, json, idempotency_key))
        return held(idempotency_key)

    remote_bookings._call = answer
    booking = hold(UserFactory(), mirror)
    assert booking.status == RemoteBookingStatus.HELD
    assert booking.reference == "AB12CD34"
    path, body, key = fake.calls[0]
    assert path == "/federation/v1/holds"
    assert key == str(booking.uid)
    assert body["resource"] == str(mirror.uid)
    assert set(body["booker"]) == {"handle", "language"}  # no consent: a pseudonym only


def test_name_and_email_travel_only_with_consent(fake, mirror):
    user = UserFactory(first_name="Awa", last_name="Diop")
    Profile.objects.update_or_create(user=user, defaults={"share_identity_with_peers": True})
    fake.answers = [held(uuid.uuid4())]
    hold(user, mirror)
    booker = fake.calls[0][2]["booker"]
    assert booker["name"] == "Awa Diop" and booker["email"] == user.email
    other = UserFactory()
    fake.answers = [held(uuid.uuid4())]
    hold(other, mirror)
    assert "name" not in fake.calls[1][2]["booker"] and "email" not in fake.calls[1][2]["booker"]
    assert fake.calls[0][2]["booker"]["handle"] != fake.calls[1][2]["booker"]["handle"]


def test_a_lost_answer_is_retried_with_the_same_key(fake, mirror):
    fake.answers = [TimeoutError("read timed out")]
    booking = hold(UserFactory(), mirror)
    assert booking.status == RemoteBookingStatus.REQUESTED
    assert booking.error_code == "unreachable"
    fake.answers = [(503, {})]
    assert remote_bookings.remote_retry(booking=booking).status == RemoteBookingStatus.REQUESTED
    fake.answers = [held(booking.uid)]
    booking = remote_bookings.remote_retry(booking=booking)
    assert booking.status == RemoteBookingStatus.HELD
    assert booking.error_code == ""
    keys = {call[3] for call in fake.calls}
    assert keys == {str(booking.uid)}
    assert len(fake.calls) == 3


def test_the_sweep_retries_old_requested_rows(fake, mirror, time_machine):
    fake.answers = [ConnectionError("refused")]
    booking = hold(UserFactory(), mirror)
    fake.answers = [held(booking.uid)]
    assert remote_bookings.remote_retry_all(now=booking.updated_at + timedelta(minutes=2)) == 1
    booking.refresh_from_db()
    assert booking.status == RemoteBookingStatus.HELD


def test_a_refusal_is_stored(fake, mirror):
    fake.answers = [(409, {"detail": "Plus de place.", "code": "no_room"})]
    booking = hold(UserFactory(), mirror)
    assert booking.status == RemoteBookingStatus.FAILED
    assert (booking.error_code, booking.error) == ("no_room", "Plus de place.")


def test_confirm_release_and_cancel_use_their_own_keys(fake, mirror):
    fake.answers = [held(uuid.uuid4())]
    booking = hold(UserFactory(), mirror)
    fake.answers = [(200, {"status": "confirmed", "reference": "AB12CD34", "payment_state": "none"})]
    booking = remote_bookings.remote_confirm(booking=booking)
    assert booking.status == RemoteBookingStatus.CONFIRMED
    assert booking.expires_at is None
    assert fake.calls[-1][1].endswith(f"/holds/{booking.uid}/confirm")
    assert fake.calls[-1][3] == f"{booking.uid}:confirm"
    fake.answers = [TimeoutError()]
    with pytest.raises(Unavailable):
        remote_bookings.remote_cancel(booking=booking, reason="ill")
    fake.answers = [(400, {"detail": "Trop tard.", "code": "cancel_too_late"})]
    with pytest.raises(Exception) as refused:
        remote_bookings.remote_cancel(booking=booking, reason="ill")
    assert refused.value.code == "cancel_too_late"
    fake.answers = [(200, {"status": "cancelled", "reference": "AB12CD34"})]
    booking = remote_bookings.remote_cancel(booking=booking, reason="ill")
    assert booking.status == RemoteBookingStatus.CANCELLED
    assert [call[3] for call in fake.calls[-3:]] == [f"{booking.uid}:cancel"] * 3


def test_a_priced_hold_keeps_the_payment_link_of_the_venue_node_only(fake, mirror):
    fake.answers = [held(uuid.uuid4(), amount_minor=1500, payment_state="pending")]
    booking = hold(UserFactory(), mirror)
    fake.answers = [
        (200, {"status": "held", "payment_url": f"{PEER_URL}/payments/checkout/abc/", "amount_minor": 1500})
    ]
    booking = remote_bookings.remote_confirm(booking=booking)
    assert booking.payment_url == f"{PEER_URL}/payments/checkout/abc/"
    fake.answers = [(200, {"status": "held", "payment_url": "https://evil.example/pay"})]
    booking = remote_bookings.remote_confirm(booking=booking)
    assert booking.payment_url == ""


def test_a_conflict_on_confirm_is_raised(fake, mirror):
    fake.answers = [held(uuid.uuid4())]
    booking = hold(UserFactory(), mirror)
    fake.answers = [(409, {"detail": "Plus de place.", "code": "no_room"})]
    with pytest.raises(Conflict):
        remote_bookings.remote_confirm(booking=booking)


def test_status_entries_update_the_row_from_its_peer_only(fake, mirror):
    fake.answers = [held(uuid.uuid4())]
    booking = hold(UserFactory(), mirror)
    peer = booking.peer
    entry = {
        "status": "confirmed",
        "payment_state": "paid",
        "reference": "AB12CD34",
        "amount_minor": 1500,
        "currency": "EUR",
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "quantity": 1,
        "expires_at": None,
        "cancel_reason": "",
    }
    stranger = Peer.objects.create(url="https://c.example", key_id="c#1", state=PeerState.ACTIVE)
    assert not remote_bookings.apply_status(stranger, booking.uid, {**entry, "status": "cancelled"}, False)
    assert remote_bookings.apply_status(peer, booking.uid, entry, False)
    booking.refresh_from_db()
    assert (booking.status, booking.payment_state, booking.expires_at) == ("confirmed", "paid", None)
    assert remote_bookings.apply_status(peer, booking.uid, {}, True)
    booking.refresh_from_db()
    assert booking.status == RemoteBookingStatus.CANCELLED


def test_a_local_resource_or_an_inactive_peer_is_refused(fake, mirror, make_resource):
    local = make_resource()
    start = next_weekday_at(local, 10)
    with pytest.raises(Exception) as refused:
        remote_bookings.remote_hold(user=UserFactory(), resource=local, start=start, end=start + timedelta(hours=1))
    assert refused.value.code == "not_remote"
    Peer.objects.update(state=PeerState.SUSPENDED)
    with pytest.raises(Exception) as refused:
        hold(UserFactory(), mirror)
    assert refused.value.code == "peer_not_active"
    assert not RemoteBooking.objects.exists()


def test_a_peer_is_never_called_inside_a_transaction(fake, mirror):
    fake.answers = [held(uuid.uuid4())]
    with pytest.raises(AssertionError), transaction.atomic():
        hold(UserFactory(), mirror)
    assert fake.calls == []
