"""Everything that changes events: publishing a page's schedule, registering, the waitlist.

The public services are re-exported here, so callers keep writing ``from events import
services`` and ``services.registration_create(...)``; the modules split them by concern:

- ``schedule``: a page's dates as published, and the checks a manager sees before saving;
- ``publishing``: ``event_sync`` and ``event_unpublish``, the ``Event`` rows, their seats, and
  the registrations that follow a cancelled or moved date;
- ``registrations``: one date, or a whole programme;
- ``waitlist``: join, leave, offers made, lapsed, declined and accepted, each audited;
- ``pages``: event and programme pages created through Wagtail's publish path.

Locks come from ``core.locking`` only, in its global order (person, seats, event, booking,
waitlist entry), and every rule a lock protects is checked after the lock.
"""

from events.services.common import registrable
from events.services.pages import event_page_create, programme_page_create
from events.services.publishing import event_sync, event_unpublish, events_extend_horizon
from events.services.registrations import programme_register, registration_create
from events.services.schedule import RECURRENCE_MESSAGES, schedule_check
from events.services.waitlist import (
    seats_released,
    waitlist_accept,
    waitlist_close,
    waitlist_join,
    waitlist_leave,
    waitlist_promote,
)

__all__ = [
    "RECURRENCE_MESSAGES",
    "event_page_create",
    "event_sync",
    "event_unpublish",
    "events_extend_horizon",
    "programme_page_create",
    "programme_register",
    "registrable",
    "registration_create",
    "schedule_check",
    "seats_released",
    "waitlist_accept",
    "waitlist_close",
    "waitlist_join",
    "waitlist_leave",
    "waitlist_promote",
]
