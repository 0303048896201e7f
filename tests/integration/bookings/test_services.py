"""The booking services' rules and lifecycle, against the database (SQLite and PostgreSQL)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import Group

from bookings import availability as av
from bookings import inventory, selectors, services
from bookings.models import Booking, BookingStatus, BusyBlock, PaymentState, fresh_references
from core.errors import Conflict, InvalidInput, PermissionDenied
from venues.services import venue_manager_assign

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in Paris in March 2026 (UTC+1 before the 29th)."""
    return datetime(2026, 3, day, hour - 1, minute, tzinfo=UTC)


def book(user, resource, start, end, quantity=1, **kwargs):
    return services.booking_create(
        user=user, request=services.BookingRequest(resource, start, end, quantity), now=kwargs.pop("now", NOW), **kwargs
    )


pytestmark = pytest.mark.django_db


def test_pool_takes_up_to_its_capacity(make_resource, make_user):
    pool = make_resource(name="Open space", kind="desk_pool", capacity=5)
    a, b, c = make_user(), make_user(), make_user()
    book(a, pool, paris(3, 9), paris(3, 12), quantity=3)
    with pytest.raises(Conflict) as error:
        book(b, pool, paris(3, 10), paris(3, 11), quantity=3)
    assert error.value.extra == {"remaining": 2}
    book(c, pool, paris(3, 10), paris(3, 11), quantity=2)
    window = av.Interval(paris(3, 9), paris(3, 18))
    free = selectors.resource_availability(resource=pool, window=window, now=NOW)
    assert [(f.start, f.end, f.remaining) for f in free] == [
        (paris(3, 9), paris(3, 10), 2),
        (paris(3, 11), paris(3, 12), 2),
        (paris(3, 12), paris(3, 18), 5),
    ]


def test_busy_blocks_from_outside_count(make_resource, make_user):
    room = make_resource()
    BusyBlock.objects.create(resource=room, start=paris(3, 10), end=paris(3, 11), source="google")
    with pytest.raises(Conflict):
        book(make_user(), room, paris(3, 10, 30), paris(3, 11, 30))


def test_approval_flow(make_resource, make_user):
    room = make_resource(approval_required=True)
    manager, alice, bob = make_user(), make_user(), make_user()
    venue_manager_assign(venue=room.venue, user=manager)
    first = book(alice, room, paris(3, 9), paris(3, 10))
    second = book(bob, room, paris(3, 9), paris(3, 10))
    assert first.status == second.status == BookingStatus.PENDING_APPROVAL  # requests do not occupy
    services.booking_approve(booking=first, actor=manager, now=NOW)
    with pytest.raises(Conflict):
        services.booking_approve(booking=second, actor=manager, now=NOW)
    services.booking_reject(booking=second, actor=manager, reason="Already taken", now=NOW)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (BookingStatus.CONFIRMED, BookingStatus.REJECTED)
    trail = list(first.transitions.values_list("from_status", "to_status", "actor_id"))
    assert trail == [("", "pending_approval", alice.pk), ("pending_approval", "confirmed", manager.pk)]


def test_managers_act_only_on_their_own_venues(make_resource, make_user, make_venue):
    room = make_resource()
    other_manager, alice = make_user(), make_user()
    venue_manager_assign(venue=make_venue(), user=other_manager)
    booking = book(alice, room, paris(3, 9), paris(3, 10))
    with pytest.raises(PermissionDenied):
        services.booking_check_in(booking=booking, actor=other_manager, now=paris(3, 9))
    with pytest.raises(PermissionDenied):
        services.booking_cancel(booking=booking, actor=other_manager, reason="no", now=NOW)
    admin = make_user()
    admin.groups.add(Group.objects.get_or_create(name="Network admins")[0])
    services.booking_check_in(booking=booking, actor=admin, now=paris(3, 9))


def test_check_in_and_no_show_windows(make_resource, make_user):
    room = make_resource()
    manager, alice = make_user(), make_user()
    venue_manager_assign(venue=room.venue, user=manager)
    booking = book(alice, room, paris(3, 10), paris(3, 11))
    with pytest.raises(InvalidInput) as error:
        services.booking_check_in(booking=booking, actor=manager, now=paris(3, 8, 30))
    assert error.value.code == "check_in_window"
    with pytest.raises(InvalidInput) as error:
        services.booking_mark_no_show(booking=booking, actor=manager, now=paris(3, 9, 30))
    assert error.value.code == "not_started"
    services.booking_mark_no_show(booking=booking, actor=manager, now=paris(3, 10, 20))
    services.booking_check_in(booking=booking, actor=manager, now=paris(3, 10, 40))  # came late after all
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN


def test_per_person_limits(make_resource, make_user):
    desk = make_resource(name="Desk 1", kind="desk", max_per_day=1, max_per_week=2)
    alice = make_user()
    book(alice, desk, paris(3, 9), paris(3, 10))
    with pytest.raises(InvalidInput) as error:
        book(alice, desk, paris(3, 14), paris(3, 15))
    assert error.value.code == "per_day_limit"
    book(alice, desk, paris(4, 9), paris(4, 10))
    with pytest.raises(InvalidInput) as error:
        book(alice, desk, paris(5, 9), paris(5, 10))
    assert error.value.code == "per_week_limit"
    book(alice, desk, paris(9, 9), paris(9, 10))  # next week
    book(make_user(), desk, paris(3, 14), paris(3, 15))  # limits are per person


def test_holds_cannot_be_hoarded(make_resource, make_user, settings):
    settings.ESSAIM_MAX_OPEN_HOLDS = 2
    room = make_resource(price_minor=2000)
    alice = make_user()
    book(alice, room, paris(3, 9), paris(3, 10), hold=True)
    book(alice, room, paris(3, 10), paris(3, 11), hold=True)
    with pytest.raises(InvalidInput) as error:
        book(alice, room, paris(3, 11), paris(3, 12), hold=True)
    assert error.value.code == "too_many_holds"
    # Once they run out they no longer count, without any worker marking them.
    later = NOW + timedelta(minutes=settings.ESSAIM_HOLD_MINUTES + 1)
    book(alice, room, paris(3, 11), paris(3, 12), hold=True, now=later)


def test_confirming_a_lapsed_hold(make_resource, make_user):
    room = make_resource(price_minor=2000)
    alice, bob = make_user(), make_user()
    hold = book(alice, room, paris(3, 9), paris(3, 10), hold=True)
    assert (hold.payment_state, hold.amount_minor) == (PaymentState.PENDING, 2000)
    late = NOW + timedelta(hours=1)
    services.booking_confirm(booking=hold, now=late)  # still free: the payment wins
    hold.refresh_from_db()
    assert hold.status == BookingStatus.CONFIRMED
    lapsed = book(alice, room, paris(3, 11), paris(3, 12), hold=True)
    book(bob, room, paris(3, 11), paris(3, 12), now=late)  # took the slot after the hold ran out
    with pytest.raises(Conflict):
        services.booking_confirm(booking=lapsed, now=late)
    lapsed.refresh_from_db()
    assert lapsed.status == BookingStatus.EXPIRED


def test_cancellation_policy(make_resource, make_user):
    free_room = make_resource(free_cancel_hours=24)
    priced = make_resource(price_minor=1000, free_cancel_hours=48, late_cancellation="refused")
    alice = make_user()
    early = book(alice, priced, paris(4, 9), paris(4, 10))
    assert early.payment_state == PaymentState.DUE_AT_VENUE
    assert services.cancellation_terms(early, NOW)["code"] == "free"  # 49 h ahead, free until 48 h before
    services.booking_cancel(booking=early, actor=alice, now=NOW)
    soon = book(alice, priced, paris(3, 14), paris(3, 15))
    with pytest.raises(InvalidInput) as error:
        services.booking_cancel(booking=soon, actor=alice, now=NOW)
    assert error.value.code == "cancel_too_late"
    free_booking = book(alice, free_room, paris(3, 14), paris(3, 15))
    services.booking_cancel(booking=free_booking, actor=alice, now=NOW)  # free bookings: always free
    with pytest.raises(InvalidInput) as error:
        services.booking_cancel(booking=free_booking, actor=alice, now=NOW)
    assert error.value.code == "not_cancellable"


def test_manager_cancels_with_a_reason(make_resource, make_user):
    room = make_resource()
    manager, alice = make_user(), make_user()
    venue_manager_assign(venue=room.venue, user=manager)
    booking = book(alice, room, paris(3, 9), paris(3, 10))
    with pytest.raises(InvalidInput) as error:
        services.booking_cancel(booking=booking, actor=manager, reason=" ", now=NOW)
    assert error.value.code == "reason_required"
    services.booking_cancel(booking=booking, actor=manager, reason="Water leak", now=NOW)
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == (BookingStatus.CANCELLED, "Water leak")
    assert booking.transitions.last().actor == manager


def test_closures_and_remote_resources(make_resource, make_user):
    room = make_resource()
    inventory.closure_create(venue=room.venue, first_day=date(2026, 3, 4), reason="Inventaire")
    alice = make_user()
    with pytest.raises(InvalidInput) as error:
        book(alice, room, paris(4, 9), paris(4, 10))
    assert error.value.code == "closed"
    remote = make_resource(name="Remote room")
    remote.origin = "https://other.example.org"
    remote.save()
    with pytest.raises(InvalidInput) as error:
        book(alice, remote, paris(3, 9), paris(3, 10))
    assert error.value.code == "remote_resource"
    assert not Booking.objects.filter(user=alice).exists()


def test_day_units_book_presets(make_resource, make_user):
    desk = make_resource(name="Desk", kind="desk", booking_unit="half_day", price_minor=1200, pricing_unit="day")
    alice = make_user()
    morning = book(alice, desk, paris(3, 9), paris(3, 13))
    assert morning.amount_minor == 600
    with pytest.raises(InvalidInput) as error:
        book(alice, desk, paris(3, 13), paris(3, 17))
    assert error.value.code == "day_unit"
    day = book(make_user(), desk, paris(4, 9), paris(4, 18))
    assert day.amount_minor == 1200


def test_expiry_task_and_reminders(make_resource, make_user, django_capture_on_commit_callbacks, mailoutbox):
    room = make_resource(price_minor=500, approval_required=False)
    ask = make_resource(name="On request", approval_required=True)
    alice = make_user()
    hold = book(alice, room, paris(3, 9), paris(3, 10), hold=True)
    request = book(alice, ask, paris(3, 9), paris(3, 10))
    confirmed = book(alice, room, paris(3, 14), paris(3, 15))
    assert services.hold_expire_all(now=NOW + timedelta(minutes=5)) == 0
    assert services.hold_expire_all(now=paris(3, 9, 5)) == 2
    hold.refresh_from_db()
    request.refresh_from_db()
    assert hold.status == request.status == BookingStatus.EXPIRED
    with django_capture_on_commit_callbacks(execute=True):
        assert services.booking_reminders_send(now=paris(2, 16)) == 1
        assert services.booking_reminders_send(now=paris(2, 17)) == 0
    confirmed.refresh_from_db()
    assert confirmed.reminder_sent_at is not None
    assert len(mailoutbox) == 1


def test_fresh_references_skip_those_taken_and_repeated(make_resource, make_user, monkeypatch):
    """The demo inserts thousands of bookings at once: a drawn duplicate must be drawn again."""
    taken = book(make_user(), make_resource(name="Room"), paris(3, 9), paris(3, 10)).reference
    draws = iter([taken, "0000000A", "0000000A", taken, "0000000B", "0000000C"])
    monkeypatch.setattr("bookings.models.new_reference", lambda: next(draws))
    assert sorted(fresh_references(3)) == ["0000000A", "0000000B", "0000000C"]


def test_a_booking_never_reuses_a_reference(make_resource, make_user, monkeypatch):
    """A duplicate drawn at booking time must not read as "no room": the insert does nothing and
    is sent again with a new draw, leaving no transition of a booking that was not written."""
    room = make_resource(name="Room")
    first = book(make_user(), room, paris(3, 9), paris(3, 10))
    draws = iter([first.reference, first.reference, "0000000D"])
    monkeypatch.setattr("bookings.models.new_reference", lambda: next(draws))
    second = book(make_user(), room, paris(3, 11), paris(3, 12))
    assert second.reference == "0000000D"
    second.refresh_from_db()
    assert [(t.from_status, t.to_status) for t in second.transitions.all()] == [("", BookingStatus.CONFIRMED)]
    assert first.transitions.count() == 1
    assert Booking.objects.count() == 2
