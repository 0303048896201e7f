"""An independent expansion of a calendar, to check ``calendars.parsing`` against: vobject (its own
parser, its own VTIMEZONE reading, dateutil's rruleset from ``getrruleset``), then the same rules
of what is busy written again here, plainly."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import vobject


def _value(component, name, default=None):
    child = getattr(component, name.lower().replace("-", "_"), None)
    return default if child is None else child.value


def _free(vevent) -> bool:
    return (
        str(_value(vevent, "TRANSP", "")).upper() == "TRANSPARENT"
        or str(_value(vevent, "X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "FREE"
        or str(_value(vevent, "STATUS", "")).upper() == "CANCELLED"
    )


def _utc(value, zone):
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)
    return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)


def _instant_key(value, zone):
    return _utc(value, zone) if isinstance(value, datetime) else value


def busy_intervals(text: str, *, zone: str, start: datetime, end: datetime, all_day_blocks: bool) -> set:
    """``{(start, end)}`` in UTC of what blocks the room in ``[start, end)``."""
    venue = ZoneInfo(zone)
    # vobject keeps every VTIMEZONE it has read in one global map, first come first kept: a zone an
    # earlier test read (a feed's Europe/Paris, written for its own years only) would stand in for
    # this file's and shift its times.
    vars(vobject.icalendar)["__tzidMap"].clear()
    calendar = vobject.readOne(text)
    events = list(getattr(calendar, "vevent_list", []))
    overridden = {
        (_value(e, "UID"), _instant_key(_value(e, "RECURRENCE-ID"), venue))
        for e in events
        if getattr(e, "recurrence_id", None)
    }
    intervals = set()
    for event in events:
        first = _value(event, "DTSTART")
        all_day = not isinstance(first, datetime)
        if getattr(event, "dtend", None) is not None:
            length = _value(event, "DTEND") - first
            if not all_day:
                length = _utc(_value(event, "DTEND"), venue) - _utc(first, venue)
        elif getattr(event, "duration", None) is not None:
            length = _value(event, "DURATION")
        else:
            length = timedelta(days=1) if all_day else timedelta(0)
        if getattr(event, "recurrence_id", None) is None and (
            getattr(event, "rrule", None) is not None or getattr(event, "rdate", None) is not None
        ):
            starts = []
            for moment in event.getrruleset(addRDate=True):
                if _utc(moment.date() if all_day else moment, venue) >= end:
                    break
                starts.append(moment.date() if all_day else moment)
            starts.append(first)  # DTSTART is always the first instance (vobject adds it too: a set)
            starts = set(starts)
            recurring = True
        else:
            starts, recurring = {first}, False
        if _free(event) or (all_day and not all_day_blocks):
            continue
        uid = _value(event, "UID")
        for moment in starts:
            if recurring and (uid, _instant_key(moment, venue)) in overridden:
                continue
            if all_day:
                begin = _utc(moment, venue)
                finish = _utc(moment + timedelta(days=max(1, length.days)), venue)
            else:
                begin = _utc(moment, venue)
                finish = begin + length
            if begin < end and finish > start and finish > begin:
                intervals.add((begin, finish))
    return intervals


def as_date(value):
    return value if isinstance(value, date) and not isinstance(value, datetime) else value.date()
