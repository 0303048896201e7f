"""Booking rows to calendar bytes, through ``core.ical_writer``: a person's bookings (a feed, or an
e-mail's invitation), a resource's busy time (as events, or as free/busy) and a venue's bookings
for its team.

Times are written in the venue's zone with its ``VTIMEZONE``, or in UTC where a reader would
misplace a wall time that a DST change repeats or skips (the writer decides, see its docstring).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from bookings.ics.entries import BookingEntry, BusyEntry, TeamEntry, booking_uid, ical_status, team_uid
from bookings.ics.wording import booking_description, booking_summary, busy_summary, team_description, team_summary
from core.ical_writer import Attendee, FeedEvent, FreeBusy, calendar, freebusy_calendar

PRODID = "-//Essaim//Essaim bookings//EN"
#: How often subscribed clients should poll (RFC 7986 REFRESH-INTERVAL, and Outlook's X-PUBLISHED-TTL).
REFRESH_HOURS = 1


def booking_event(
    entry: BookingEntry,
    *,
    stamp: datetime | None = None,
    organizer: tuple[str, str] | None = None,
    attendee: tuple[str, str] | None = None,
) -> FeedEvent:
    """One booking as the booker's calendar shows it; ``organizer`` and ``attendee`` as
    ``(name, e-mail)`` for an invitation, the attendee's answer following the booking's status."""
    status = ical_status(entry.status)
    guests = ()
    if attendee:
        name, email = attendee
        guests = (Attendee(email=email, name=name, partstat="DECLINED" if status == "CANCELLED" else "ACCEPTED"),)
    return FeedEvent(
        uid=booking_uid(entry.reference, entry.uid_host or None),
        sequence=entry.sequence,
        summary=booking_summary(entry),
        start=entry.start,
        end=entry.end,
        tz=entry.tzid,
        stamp=stamp or entry.last_modified,
        last_modified=entry.last_modified,
        description=booking_description(entry),
        location=f"{entry.venue_name}, {entry.address}" if entry.address else entry.venue_name,
        url=entry.url,
        status=status,
        transparency="TRANSPARENT" if status == "CANCELLED" else "OPAQUE",
        geo=(entry.latitude, entry.longitude) if entry.latitude is not None and entry.longitude is not None else None,
        organizer=organizer[0] if organizer else "",
        organizer_email=organizer[1] if organizer else "",
        attendees=guests,
    )


def busy_event(entry: BusyEntry, *, tzid: str, location: str = "", url: str = "") -> FeedEvent:
    return FeedEvent(
        uid=entry.uid,
        sequence=entry.sequence,
        summary=busy_summary(entry),
        start=entry.start,
        end=entry.end,
        tz=tzid,
        stamp=entry.last_modified,
        last_modified=entry.last_modified,
        location=location,
        url=url,
        status="TENTATIVE" if entry.held else "CONFIRMED",
        transparency="OPAQUE",
    )


def _years(entries: Sequence[BookingEntry | BusyEntry]) -> tuple[int, int]:
    """The years the time zones must cover: those of the entries' local times (a day's margin
    either side stands for any zone's offset), or this year for an empty calendar."""
    if not entries:
        year = timezone.now().year
        return year, year
    first = min(entry.start for entry in entries) - timedelta(days=1)
    last = max(entry.end for entry in entries) + timedelta(days=1)
    return first.year, last.year


def _write(events: list[FeedEvent], *, name: str, years: tuple[int, int], method: str = "", zone: str) -> bytes:
    """The calendar's bytes; ``zone``'s VTIMEZONE stands in when there is no event, since a
    calendar needs at least one component."""
    return calendar(
        events,
        name=name,
        first_year=years[0],
        last_year=years[1],
        refresh_hours=REFRESH_HOURS,
        prodid=PRODID,
        method=method,
        zones=() if events else (zone,),
    ).encode("utf-8")


def person_calendar(
    entries: Sequence[BookingEntry],
    *,
    name: str,
    default_tzid: str = "",
    method: str | None = None,
    organizer: tuple[str, str] | None = None,
    attendee: tuple[str, str] | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """A person's bookings. For an e-mail invitation give ``method`` (``REQUEST`` or ``CANCEL``),
    ``organizer`` and ``attendee`` as ``(name, e-mail)``, and the sending time as ``stamp``."""
    events = [booking_event(entry, stamp=stamp, organizer=organizer, attendee=attendee) for entry in entries]
    return _write(
        events, name=name, years=_years(entries), method=method or "", zone=default_tzid or settings.TIME_ZONE
    )


def resource_calendar(
    entries: Sequence[BusyEntry], *, name: str, tzid: str, location: str = "", url: str = ""
) -> bytes:
    """A resource's busy time in its venue's zone: "Booked" or "Held", never who."""
    events = [busy_event(entry, tzid=tzid, location=location, url=url) for entry in entries]
    return _write(events, name=name, years=_years(entries), zone=tzid)


def team_event(entry: TeamEntry) -> FeedEvent:
    """One booking as the venue team's calendar shows it: who, what, its status; tentative while a
    hold awaits payment or a request awaits approval."""
    return FeedEvent(
        uid=team_uid(entry.reference),
        sequence=entry.sequence,
        summary=team_summary(entry),
        start=entry.start,
        end=entry.end,
        tz=entry.tzid,
        stamp=entry.last_modified,
        last_modified=entry.last_modified,
        description=team_description(entry),
        url=entry.url,
        status=ical_status(entry.status),
        transparency="OPAQUE",
    )


def team_calendar(events: Sequence[FeedEvent], *, name: str, tzid: str) -> bytes:
    """A venue's bookings for its team, from ``team_event``'s events (the caller versions them)."""
    first = min((event.start for event in events), default=None)
    last = max((event.end for event in events), default=None)
    if first is None:
        years = (timezone.now().year,) * 2
    else:
        years = ((first - timedelta(days=1)).year, (last + timedelta(days=1)).year)
    return _write(list(events), name=name, years=years, zone=tzid)


def resource_freebusy(freebusy: FreeBusy, *, name: str) -> bytes:
    """A resource's busy time as one ``VFREEBUSY``: periods and their ``FBTYPE``, nothing else."""
    return freebusy_calendar(freebusy, name=name, refresh_hours=REFRESH_HOURS, prodid=PRODID).encode("utf-8")
