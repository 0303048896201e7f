"""Bookings that fall on a closure added after them.

A closure stops new bookings (availability leaves its days out) but never cancels what was
booked before it: the manager decides. These reads find the requests and bookings still open on
a closed day, with the same day test availability uses (``ClosureDays.covers`` on the venue's
wall-clock days), so what the admin flags is what the engine would now refuse.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from bookings import availability as av
from bookings.models import OPEN, Booking, BookingStatus, Closure
from venues.models import VenuePage

_MOMENT = timedelta(microseconds=1)


def _local_days(booking: Booking, tz: ZoneInfo) -> list[date]:
    """The venue's days the booking touches (one ending at midnight does not touch the next day)."""
    first = booking.start.astimezone(tz).date()
    last = max(first, (booking.end - _MOMENT).astimezone(tz).date())
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _covers(closure: Closure, booking: Booking, tz: ZoneInfo) -> bool:
    if closure.resource_id not in (None, booking.resource_id):
        return False
    days = av.ClosureDays(closure.first_day, closure.last_day, closure.yearly)
    return any(days.covers(day) for day in _local_days(booking, tz))


def closures_covering(bookings: Iterable[Booking]) -> dict[int, list[Closure]]:
    """Per booking id, the closures that fall on its days, for the bookings still open (awaiting
    approval, payment, or the day itself); bookings without any are left out. Two queries."""
    bookings = [b for b in bookings if b.status in OPEN]
    venue_ids = {b.resource.venue_id for b in bookings}
    if not venue_ids:
        return {}
    zones = {
        pk: ZoneInfo(zone) for pk, zone in VenuePage.objects.filter(pk__in=venue_ids).values_list("pk", "timezone")
    }
    by_venue: dict[int, list[Closure]] = defaultdict(list)
    for closure in Closure.objects.filter(venue_id__in=venue_ids).order_by("first_day", "pk"):
        by_venue[closure.venue_id].append(closure)
    found = {}
    for booking in bookings:
        venue_id = booking.resource.venue_id
        hits = [c for c in by_venue[venue_id] if _covers(c, booking, zones[venue_id])]
        if hits:
            found[booking.pk] = hits
    return found


def bookings_on_closure(*, closure: Closure, now: datetime) -> list[Booking]:
    """The requests and bookings still to come that fall on ``closure``'s days, soonest first."""
    tz = ZoneInfo(closure.venue.timezone)
    rows = (
        Booking.objects.filter(resource__venue_id=closure.venue_id, status__in=OPEN, end__gt=now)
        .exclude(status=BookingStatus.HELD, expires_at__lte=now)
        .select_related("resource__venue", "user")
        .order_by("start", "pk")
    )
    if closure.resource_id:
        rows = rows.filter(resource_id=closure.resource_id)
    if not closure.yearly:  # a day's margin either side: local days are narrowed in Python
        rows = rows.filter(
            Q(start__lt=av.wall_clock(closure.last_day + timedelta(days=2), datetime.min.time(), tz)),
            Q(end__gt=av.wall_clock(closure.first_day - timedelta(days=1), datetime.min.time(), tz)),
        )
    return [booking for booking in rows if _covers(closure, booking, tz)]
