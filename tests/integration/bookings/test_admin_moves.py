"""The admin offers a manager exactly the moves the services accept: both read
``bookings.state_machine``, for every status and at every moment around a booking."""

from datetime import timedelta

import pytest
from django.db import transaction

from bookings import services, state_machine
from bookings.admin.booking_views import BookingActionView
from bookings.models import Booking, BookingStatus
from core.errors import DomainError
from tests.integration.bookings.test_admin_support import TUE_9, TUE_10

pytestmark = pytest.mark.django_db

#: Before check-in opens, while it is open but before the start, after the start, after the end.
MOMENTS = (
    TUE_9 - timedelta(hours=3),
    TUE_9 - timedelta(minutes=30),
    TUE_9 + timedelta(minutes=30),
    TUE_10 + timedelta(hours=1),
)

SERVICES = {
    "approve": lambda booking, actor, now: services.booking_approve(booking=booking, actor=actor, now=now),
    "reject": lambda booking, actor, now: services.booking_reject(booking=booking, actor=actor, reason="x", now=now),
    "check-in": lambda booking, actor, now: services.booking_check_in(booking=booking, actor=actor, now=now),
    "no-show": lambda booking, actor, now: services.booking_mark_no_show(booking=booking, actor=actor, now=now),
    "cancel": lambda booking, actor, now: services.booking_cancel(booking=booking, actor=actor, reason="x", now=now),
}


class _Undo(Exception):
    pass


def accepted(move: str, booking: Booking, actor, now) -> bool:
    """Whether the service makes the move; whatever it did is rolled back."""
    try:
        with transaction.atomic():
            SERVICES[move](booking, actor, now)
            raise _Undo
    except _Undo:
        return True
    except DomainError:
        return False


def test_every_manager_move_has_a_service_and_an_admin_action():
    assert set(SERVICES) == set(state_machine.MANAGER_MOVES)
    assert set(state_machine.MANAGER_MOVES) <= set(BookingActionView.ACTIONS)


@pytest.mark.parametrize("status", BookingStatus.values)
def test_moves_offered_are_the_moves_accepted(world, status):
    Booking.objects.filter(pk=world.confirmed_a.pk).update(
        status=status, expires_at=TUE_10 if status == BookingStatus.HELD else None
    )
    booking = Booking.objects.select_related("resource__venue").get(pk=world.confirmed_a.pk)
    for now in MOMENTS:
        offered = state_machine.moves_open(booking, now)
        taken = [move for move in state_machine.MANAGER_MOVES if accepted(move, booking, world.manager_a, now)]
        assert offered == taken, (status, now)
