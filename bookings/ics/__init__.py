"""iCalendar (RFC 5545) for bookings: a person's bookings and a resource's busy time, as bytes.

The builders take plain rows (``BookingEntry``, ``BusyEntry``) and return the calendar's bytes,
written by the one iCalendar writer, ``core.ical_writer``; the feed views and the e-mails both call
them, so a booking carries the same ``UID`` and ``SEQUENCE`` in a subscribed calendar and in an
e-mail's invitation, and calendar clients merge the two. ``SEQUENCE`` is the number of status
changes after the first, so it grows on every change (a cancellation replaces the event instead of
being ignored as stale).

The output is deterministic for the same rows: ``DTSTAMP`` is the booking's last change (not the
clock) unless a ``stamp`` is given, and time zones are emitted in sorted order, so a hash of the
bytes is a strong ETag that every web process computes alike.

A registration for an event is a booking on the event's seats: its entry reads as the event
(the event's title, a link to its page) and keeps the booking's ``UID`` and ``SEQUENCE``.

The resource feed is public (a screen by a door, a janitor's calendar): it says "Booked" or
"Held" and nothing about who. Its UIDs are keyed hashes of the booking references, which cannot
be traced back to a booking or a person. So is its free/busy form (``VFREEBUSY``, periods only).
The venue team's feed is private (a secret URL) and says who booked what.

By concern: ``entries`` (the rows and their UIDs), ``wording`` (what a calendar says, in the
active language), ``calendars`` (rows to bytes), ``links`` (absolute URLs back to the site).
"""

from bookings.ics.calendars import (
    PRODID,
    REFRESH_HOURS,
    booking_event,
    busy_event,
    person_calendar,
    resource_calendar,
    resource_freebusy,
    team_calendar,
    team_event,
)
from bookings.ics.entries import (
    ICAL_STATUS,
    UNPAID,
    BookingEntry,
    BusyEntry,
    TeamEntry,
    anonymous_uid,
    booking_entry,
    booking_uid,
    busy_entry_for_block,
    busy_entry_for_booking,
    busy_period_for_block,
    busy_period_for_booking,
    busy_periods,
    event_title,
    freebusy_uid,
    ical_status,
    node_host,
    sequence_of,
    team_entry,
    team_uid,
    venue_address,
)
from bookings.ics.links import BOOKING_PAGE, MY_BOOKINGS_PAGE, Links, named_url, page_urls, site_url
from bookings.ics.wording import (
    booking_description,
    booking_summary,
    busy_summary,
    payment_line,
    team_description,
    team_summary,
    wording_key,
)

__all__ = [
    "BOOKING_PAGE",
    "ICAL_STATUS",
    "MY_BOOKINGS_PAGE",
    "PRODID",
    "REFRESH_HOURS",
    "UNPAID",
    "BookingEntry",
    "BusyEntry",
    "Links",
    "TeamEntry",
    "anonymous_uid",
    "booking_description",
    "booking_entry",
    "booking_event",
    "booking_summary",
    "booking_uid",
    "busy_entry_for_block",
    "busy_entry_for_booking",
    "busy_event",
    "busy_period_for_block",
    "busy_period_for_booking",
    "busy_periods",
    "busy_summary",
    "event_title",
    "freebusy_uid",
    "ical_status",
    "named_url",
    "node_host",
    "page_urls",
    "payment_line",
    "person_calendar",
    "resource_calendar",
    "resource_freebusy",
    "sequence_of",
    "site_url",
    "team_calendar",
    "team_description",
    "team_entry",
    "team_event",
    "team_summary",
    "team_uid",
    "venue_address",
    "wording_key",
]
