"""Read queries for the booking engine, by concern: ``calendar_loader`` (a resource's calendar
and availability), ``resources`` (what can be booked), ``booking_page`` (one resource's day as the
public page shows it), ``booking_lists`` (bookings, counts, payments), ``closure_clashes``
(bookings on a day closed after them), ``feed_data`` (what feeds
and e-mails read). Everything is re-exported here: callers write
``from bookings import selectors; selectors.resource_calendar(...)``.
"""

from bookings.selectors.booking_lists import (
    booking_by_reference,
    booking_of_user_by_reference,
    booking_payments,
    booking_refunds,
    booking_transitions,
    bookings_for_manager,
    open_holds_count,
    user_booking_counts,
    venue_manager_emails,
)
from bookings.selectors.booking_page import (
    DaySlot,
    ResourceDay,
    free_units,
    resource_day,
    resource_first_free_day,
)
from bookings.selectors.calendar_loader import (
    Calendar,
    calendar_availability,
    occupations_and_stale_holds,
    occupations_from,
    occupations_read,
    occupying_bookings,
    resource_availability,
    resource_calendar,
    resource_closures,
    resource_hours,
    resource_occupations,
    resource_rules,
    resource_timezone,
    stale_hold_ids,
)
from bookings.selectors.closure_clashes import bookings_on_closure, closures_covering
from bookings.selectors.feed_data import (
    booking_for_notification,
    bookings_for_person_feed,
    bookings_for_venue_feed,
    calendar_feed_get,
    refund_for_notification,
    resource_bookings_changed,
    resource_busy_blocks,
    resource_busy_bookings,
    resource_standing_bookings,
    venue_bookings_changed,
    venue_feed_get,
    venue_feed_window_days,
)
from bookings.selectors.resources import (
    resource_for_feed,
    resource_get,
    resources_bookable,
    resources_for_venue,
    resources_listed,
)

__all__ = [
    "Calendar",
    "DaySlot",
    "ResourceDay",
    "booking_by_reference",
    "booking_for_notification",
    "booking_of_user_by_reference",
    "booking_payments",
    "booking_refunds",
    "booking_transitions",
    "bookings_on_closure",
    "closures_covering",
    "bookings_for_manager",
    "bookings_for_person_feed",
    "venue_feed_window_days",
    "venue_feed_get",
    "venue_bookings_changed",
    "resource_standing_bookings",
    "resource_bookings_changed",
    "bookings_for_venue_feed",
    "calendar_availability",
    "calendar_feed_get",
    "free_units",
    "occupying_bookings",
    "open_holds_count",
    "refund_for_notification",
    "resource_availability",
    "resource_busy_blocks",
    "resource_busy_bookings",
    "resource_calendar",
    "resource_closures",
    "resource_day",
    "resource_first_free_day",
    "resource_for_feed",
    "resource_get",
    "resource_hours",
    "occupations_from",
    "occupations_read",
    "resource_occupations",
    "resource_rules",
    "resource_timezone",
    "resources_bookable",
    "resources_listed",
    "resources_for_venue",
    "occupations_and_stale_holds",
    "stale_hold_ids",
    "user_booking_counts",
    "venue_manager_emails",
]
