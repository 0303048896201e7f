"""State changes of the booking engine: book, hold, confirm, approve, cancel, check in, expire.

The public services are re-exported here, so callers keep writing ``from bookings import
services`` and ``services.booking_create(...)``; the modules split them by concern:

- ``transitions``: the state machine, its audit rows, the booking's lock, e-mails after commit;
- ``placing``: the rules and the locked capacity and per-person counts of a new booking;
- ``changes``: confirm, approve, reject, cancel, move, check in;
- ``sweeps``: what the clock makes due (expired holds, reminders);
- ``calendar_feeds``: a person's and a venue team's feed secrets;

Locks come from ``core.locking`` only, in its global order, and every rule a lock protects is
checked after the lock, on the fresh rows. E-mails and Stripe calls are queued ``on_commit``.
"""

from bookings.services.booking_insert import Rider, row_rider
from bookings.services.calendar_feeds import (
    calendar_feed_ensure,
    calendar_feed_regenerate,
    venue_feed_ensure,
    venue_feed_regenerate,
)
from bookings.services.changes import (
    UNCHARGED,
    booking_approve,
    booking_cancel,
    booking_cancel_for_event,
    booking_check_in,
    booking_confirm,
    booking_mark_no_show,
    booking_reject,
    booking_reschedule,
    cancellation_terms,
    hold_release,
)
from bookings.services.placing import booking_create, booking_place_seats, booking_validate, pays_online
from bookings.services.sweeps import booking_reminders_send, hold_expire_all
from bookings.services.transitions import TRANSITIONS, BookingRequest, booking_lock, notify, require_manager

__all__ = [
    "TRANSITIONS",
    "UNCHARGED",
    "BookingRequest",
    "Rider",
    "booking_approve",
    "booking_cancel",
    "booking_cancel_for_event",
    "booking_check_in",
    "booking_confirm",
    "booking_create",
    "booking_lock",
    "booking_mark_no_show",
    "booking_place_seats",
    "booking_reject",
    "booking_reminders_send",
    "booking_reschedule",
    "booking_validate",
    "calendar_feed_ensure",
    "calendar_feed_regenerate",
    "cancellation_terms",
    "hold_expire_all",
    "hold_release",
    "notify",
    "pays_online",
    "row_rider",
    "require_manager",
    "venue_feed_ensure",
    "venue_feed_regenerate",
]
