"""The hand-written booking ``INSERT`` (``bookings.services.booking_insert``) writes what the ORM
would: the same row, the same first transition, the same signals."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Booking, BookingStatus, BookingTransition, PaymentState
from bookings.services.booking_insert import DRAWS, booking_insert, row_rider
from federation.models import Change, ChangeKind

pytestmark = pytest.mark.django_db

#: Set on each insert, not compared.
OWN = {"id", "reference", "uid", "created_at", "updated_at"}


def _pair(resource, user, start):
    now = timezone.now().replace(microsecond=0)
    booking = Booking(
        resource=resource,
        user=user,
        start=start,
        end=start + timedelta(hours=1),
        blocked_until=start + timedelta(hours=1, minutes=15),
        quantity=2,
        exclusive=False,
        status=BookingStatus.HELD,
        expires_at=now + timedelta(minutes=20),
        amount_minor=1200,
        currency="EUR",
        payment_state=PaymentState.PENDING,
        note="Près de la fenêtre",
        language="fr",
    )
    return booking, BookingTransition(from_status="", to_status=BookingStatus.HELD, actor=user, at=now)


def _row(booking):
    return {k: v for k, v in Booking.objects.filter(pk=booking.pk).values().get().items() if k not in OWN}


def test_the_row_and_transition_match_the_orms(make_resource, make_user):
    resource, user = make_resource(name="Desks", kind="desk_pool", capacity=4), make_user()
    start = timezone.now().replace(microsecond=0) + timedelta(days=2)
    by_hand, first = _pair(resource, user, start)
    with CaptureQueriesContext(connection) as captured:
        booking_insert(by_hand, first)
    ours = [query["sql"] for query in captured.captured_queries if "bookings_booking" in query["sql"]]
    if connection.vendor == "postgresql":
        assert len(ours) == 1  # the booking, its transition and its outbox entry together
        assert not [query for query in captured.captured_queries if "federation_change" in query["sql"]][1:]
    by_orm, orm_first = _pair(resource, user, start + timedelta(hours=2))
    by_orm.save()
    orm_first.booking = by_orm
    orm_first.save()
    mine, theirs = _row(by_hand), _row(by_orm)
    assert mine.pop("start") + timedelta(hours=2) == theirs.pop("start")
    assert mine.pop("end") + timedelta(hours=2) == theirs.pop("end")
    assert mine.pop("blocked_until") + timedelta(hours=2) == theirs.pop("blocked_until")
    assert mine == theirs
    stored = Booking.objects.get(pk=by_hand.pk)
    assert (stored.reference, stored.uid) == (by_hand.reference, by_hand.uid)
    assert stored.created_at is not None and stored.updated_at is not None
    moves = list(BookingTransition.objects.filter(booking=by_hand).values("from_status", "to_status", "actor", "at"))
    assert moves == [{"from_status": "", "to_status": BookingStatus.HELD, "actor": user.pk, "at": first.at}]


def test_it_sends_the_signals_a_save_sends(make_resource, make_user):
    resource, user = make_resource(name="Room"), make_user()
    heard = []

    def listen(signal):
        def receiver(sender, instance, **kwargs):
            heard.append((signal, instance.pk, kwargs.get("created"), kwargs["raw"], kwargs["update_fields"]))

        return receiver

    before, after = listen("pre_save"), listen("post_save")
    pre_save.connect(before, sender=Booking)
    post_save.connect(after, sender=Booking)
    try:
        booking = booking_insert(*_pair(resource, user, timezone.now() + timedelta(days=1)))
    finally:
        pre_save.disconnect(before, sender=Booking)
        post_save.disconnect(after, sender=Booking)
    assert heard == [("pre_save", None, None, False, None), ("post_save", booking.pk, True, False, None)]
    assert not booking._state.adding


def test_a_reference_always_taken_gives_up_without_writing(make_resource, make_user, monkeypatch):
    resource, user = make_resource(name="Room"), make_user()
    taken = booking_insert(*_pair(resource, user, timezone.now() + timedelta(days=1))).reference
    drawn = []
    monkeypatch.setattr("bookings.models.new_reference", lambda: drawn.append(taken) or taken)
    with pytest.raises(IntegrityError):
        booking_insert(*_pair(resource, user, timezone.now() + timedelta(days=3)))
    assert len(drawn) == DRAWS
    assert Booking.objects.count() == 1
    assert BookingTransition.objects.count() == 1


def test_another_constraint_still_raises(make_resource, make_user):
    """A peer's ``uid`` sent twice is refused, not redrawn."""
    resource, user = make_resource(name="Room"), make_user()
    first = booking_insert(*_pair(resource, user, timezone.now() + timedelta(days=1)))
    again, move = _pair(resource, user, timezone.now() + timedelta(days=2))
    again.uid = first.uid
    with pytest.raises(IntegrityError):
        booking_insert(again, move)


def test_a_rider_is_written_with_the_booking(make_resource, make_user):
    """Any row that refers to the booking (a registration, here a second transition) rides in its
    statement: saved, linked, its signals sent; the outbox entry is written once, not again by
    the booking's ``post_save``."""
    resource, user = make_resource(name="Room"), make_user()
    booking, first = _pair(resource, user, timezone.now() + timedelta(days=1))
    second = BookingTransition(
        from_status=BookingStatus.HELD, to_status=BookingStatus.CONFIRMED, actor=user, at=timezone.now()
    )
    heard = []

    def receiver(sender, instance, created, **kwargs):
        heard.append((instance.pk, created))

    post_save.connect(receiver, sender=BookingTransition)
    try:
        with CaptureQueriesContext(connection) as captured:
            booking_insert(booking, first, [row_rider(second)])
    finally:
        post_save.disconnect(receiver, sender=BookingTransition)
    if connection.vendor == "postgresql":
        assert len(captured.captured_queries) == 1
    assert second.pk is not None and second.booking == booking and not second._state.adding
    assert heard == [(second.pk, True)]
    moves = BookingTransition.objects.filter(booking=booking).values_list("to_status", flat=True)
    assert sorted(moves) == sorted([BookingStatus.HELD, BookingStatus.CONFIRMED])  # one statement: no order
    busy = Change.objects.filter(kind=ChangeKind.BUSY, uid=booking.uid).get()
    assert busy.data["quantity"] == 2 and busy.peer_id is None
    assert not Change.objects.filter(kind=ChangeKind.BOOKING, uid=booking.uid).exists()  # our own person's


def test_a_taken_reference_writes_no_rider(make_resource, make_user, monkeypatch):
    resource, user = make_resource(name="Room"), make_user()
    taken = booking_insert(*_pair(resource, user, timezone.now() + timedelta(days=1))).reference
    draws = iter([taken, taken, "0000FFFF"])
    monkeypatch.setattr("bookings.models.new_reference", lambda: next(draws))
    booking, first = _pair(resource, user, timezone.now() + timedelta(days=3))
    second = BookingTransition(
        from_status=BookingStatus.HELD, to_status=BookingStatus.CANCELLED, actor=user, at=timezone.now()
    )
    booking_insert(booking, first, [row_rider(second)])
    assert booking.reference == "0000FFFF"
    assert BookingTransition.objects.filter(booking=booking).count() == 2
    assert BookingTransition.objects.count() == 3
    assert Change.objects.filter(kind=ChangeKind.BUSY, uid=booking.uid).count() == 1
