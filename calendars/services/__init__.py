"""State changes of outside calendars: attach, change, remove (``calendars``), fetch and import
(``imports``). Only these write ``ExternalCalendar`` rows and the calendars' ``BusyBlock`` rows."""

from calendars.services.calendars import calendar_add, calendar_delete, calendar_update, fetch_soon
from calendars.services.imports import FetchResult, calendar_fetch, targets

__all__ = [
    "FetchResult",
    "calendar_add",
    "calendar_delete",
    "calendar_fetch",
    "calendar_update",
    "fetch_soon",
    "targets",
]
