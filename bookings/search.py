"""Finding resources and bookings: the API's list filters and the network-wide search for
resources free over one whole window ("I know when, not where").

``free_resources`` answers exactly what booking would: it loads the same data as
``selectors.resource_calendar`` (hours, closures, occupying bookings, busy blocks), but for a
whole batch of resources in a handful of queries, and runs the same pure checks as
``services.booking_validate`` and the capacity test of ``services.booking_create``. A resource is
listed only if booking that very window would be accepted, for anyone (per-person limits aside).

Venues are walked nearest first (``venues.selectors.venues_near``, as the venue directory ranks
them) or by name, in batches, so that a search stops loading as soon as it
has ``limit`` answers.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from bookings import availability as av
from bookings import selectors
from bookings.models import Booking, BusyBlock, Closure, Resource, ResourceHours, occupying_at
from bookings.payments import ledger
from venues import geo
from venues.models import OpeningHours, VenuePage
from venues.selectors import venue_base_queryset, venues_near

#: Venues whose resources are checked together: a batch costs about six queries.
VENUE_BATCH = 50


@dataclass(frozen=True)
class SearchHit:
    """A resource free for the whole window: ``remaining`` units left, ``distance_km`` from the
    search's centre (``None`` without one)."""

    resource: Resource
    venue: VenuePage
    distance_km: float | None
    remaining: int
    #: The window offered for this resource: the search's own, or its venue's part of the day.
    start: datetime | None = None
    end: datetime | None = None


# API list filters -----------------------------------------------------------------------------


def resources_search(*, venue_id: int | None = None, kind: str = "") -> QuerySet[Resource]:
    """Listed resources, ours and peers' (``selectors.resources_listed``), optionally of one venue or kind."""
    resources = selectors.resources_listed()
    if venue_id is not None:
        resources = resources.filter(venue_id=venue_id)
    if kind:
        resources = resources.filter(kind=kind)
    return resources.order_by("venue_id", "kind", "name", "pk")


def resource_bookable_get(*, pk: int) -> Resource | None:
    """One listed resource (a peer's mirror too: its availability is read from its busy blocks)."""
    if not 0 < pk < 2**63:
        return None
    return selectors.resources_listed().filter(pk=pk).first()


def resource_mirror_get(*, pk: int) -> Resource | None:
    """Another node's active resource, mirrored here (booked through that node, not here)."""
    if not 0 < pk < 2**63:
        return None
    return (
        Resource.objects.filter(pk=pk, is_active=True, venue__live=True)
        .exclude(origin="")
        .exclude(kind="event_seats")
        .select_related("venue")
        .first()
    )


def bookings_search(*, user: AbstractBaseUser, when: str = "", status: str = "", now: datetime) -> QuerySet[Booking]:
    """The person's bookings: ``upcoming`` (not yet ended) soonest first, ``past`` latest first,
    or all latest first; optionally of one status."""
    bookings = ledger.with_totals(Booking.objects.filter(user=user).select_related("resource__venue"))
    if status:
        bookings = bookings.filter(status=status)
    if when == "upcoming":
        return bookings.filter(end__gt=now).order_by("start", "pk")
    if when == "past":
        bookings = bookings.filter(end__lte=now)
    return bookings.order_by("-start", "-pk")


def booking_of_user_get(*, user: AbstractBaseUser, pk: int) -> Booking | None:
    """The person's own booking, ``None`` for anyone else's (managers use the admin)."""
    if not 0 < pk < 2**63:
        return None
    return ledger.with_totals(Booking.objects.select_related("resource__venue").filter(user=user, pk=pk)).first()


# Free resources across the network -------------------------------------------------------------


def free_resources(
    *,
    window: av.Interval,
    near: geo.Point | None,
    radius_km: float,
    kind: str = "",
    quantity: int = 1,
    now: datetime,
    limit: int = 50,
    part: str = "",
    local: tuple[date, time, time] | None = None,
) -> list[SearchHit]:
    """Resources that could be booked for exactly ``window`` (``quantity`` units), nearest venue
    first within ``radius_km`` of ``near``, or by venue name without ``near``; at most ``limit``.

    With ``part`` (``morning``, ``afternoon`` or ``day``) each resource is offered its own venue's
    part of the day the window's middle falls on, as a person asking for "Thursday afternoon"
    means: a half-day desk its afternoon preset, a room the afternoon cut to its longest booking
    (but a whole day only when it can be booked for the whole day).

    With ``local`` (a day and wall-clock hours) each resource is asked for those hours in its own
    venue's time zone, as a person typing "14:00–16:00" for a venue means its time; ``window``
    then only bounds the calendars loaded.
    """
    if limit <= 0 or quantity < 1 or window.end <= window.start or part not in PARTS:
        return []
    # Peers' mirrored resources too: their owner's occupancy arrives as busy blocks (``_calendars``).
    resources = selectors.resources_listed().filter(capacity__gte=quantity)
    if kind:
        resources = resources.filter(kind=kind)
    hits: list[SearchHit] = []
    for batch in _venue_batches(resources, near, radius_km):
        rank = {venue_id: position for position, (venue_id, _km) in enumerate(batch)}
        distances = dict(batch)
        candidates = sorted(
            resources.filter(venue_id__in=rank),
            key=lambda r: (rank[r.venue_id], r.kind, r.name, r.pk),
        )
        per_venue = bool(part or local)
        if not per_venue:
            # The checks that need no calendar first: most resources of a batch may stop here.
            candidates = [r for r in candidates if _timing_ok(r, window, quantity, now)]
        calendars = _calendars(candidates, _widened(window) if per_venue else window, now)
        for resource in candidates:
            if local:
                wanted = _local_window(local, calendars[resource.pk].tz)
            else:
                wanted = _part_window(resource, window, part, calendars[resource.pk]) if part else window
            if wanted is None or (per_venue and not _timing_ok(resource, wanted, quantity, now)):
                continue
            remaining = _remaining(wanted, quantity, calendars[resource.pk])
            if remaining is None:
                continue
            hit = SearchHit(resource, resource.venue, distances[resource.venue_id], remaining, wanted.start, wanted.end)
            hits.append(hit)
            if len(hits) >= limit:
                return hits
    return hits


PARTS = ("", "morning", "afternoon", "day")


def _widened(window: av.Interval) -> av.Interval:
    """Room for every time zone's version of the window's day."""
    return av.Interval(window.start - timedelta(hours=14), window.end + timedelta(hours=14))


def _local_window(local: tuple[date, time, time], tz: ZoneInfo) -> av.Interval | None:
    """Wall-clock hours on a day in one venue's zone."""
    day, opens, closes = local
    start, end = av.wall_clock(day, opens, tz), av.wall_clock(day, closes, tz)
    return av.Interval(start, end) if end > start else None


def _part_window(
    resource: Resource, window: av.Interval, part: str, calendar: selectors.Calendar
) -> av.Interval | None:
    """The resource's own morning, afternoon or whole day on the day of the window's middle."""
    middle = window.start + (window.end - window.start) / 2
    presets = av.day_presets(middle.astimezone(calendar.tz).date(), calendar.hours, calendar.tz)
    wanted = presets.get(part)
    if wanted is None:
        return None
    if calendar.rules.booking_unit == "day" and part != "day":
        return None
    if calendar.rules.booking_unit == "slots" and part != "day":  # a whole day means the whole day
        longest = timedelta(minutes=calendar.rules.max_minutes)
        if wanted.end - wanted.start > longest:
            wanted = av.Interval(wanted.start, wanted.start + longest)
    return wanted


def _venue_batches(
    resources: QuerySet[Resource], near: geo.Point | None, radius_km: float
) -> Iterator[list[tuple[int, float | None]]]:
    """``[(venue id, distance km)]`` batches of venues that have candidate resources, in order."""
    venues = venue_base_queryset().filter(pk__in=resources.values("venue_id"))
    if near is None:
        ids = list(venues.order_by("title", "pk").values_list("pk", flat=True))
        for first in range(0, len(ids), VENUE_BATCH):
            yield [(pk, None) for pk in ids[first : first + VENUE_BATCH]]
        return
    ranking = venues_near(venues, near, radius_km)
    done = 0
    while done < len(ranking):
        stop = min(done + VENUE_BATCH, len(ranking))
        yield [(pk, km) for km, pk in ranking.ranked(stop)[done:stop]]
        done = stop


def _timing_ok(resource: Resource, window: av.Interval, quantity: int, now: datetime) -> bool:
    try:
        av.check_timing(window, quantity, selectors.resource_rules(resource), now, ZoneInfo(resource.venue.timezone))
    except av.RuleViolation:
        return False
    return True


def _remaining(window: av.Interval, quantity: int, calendar: selectors.Calendar) -> int | None:
    """Units left over ``window`` if it lies in opening time and has room, else ``None``
    (``_timing_ok`` has already checked the rest)."""
    try:
        av.check_opening(window, calendar.rules, calendar.hours, calendar.closures, calendar.tz)
        return av.check_capacity(window, quantity, calendar.occupations, calendar.rules)
    except av.RuleViolation:
        return None


def _calendars(resources: list[Resource], window: av.Interval, now: datetime) -> dict[int, selectors.Calendar]:
    """``selectors.resource_calendar`` for many resources at once: five queries in all."""
    if not resources:
        return {}
    ids = [r.pk for r in resources]
    venue_ids = {r.venue_id for r in resources}
    own_hours: dict[int, list[av.WeeklyHours]] = defaultdict(list)
    for resource_id, weekday, opens, closes in ResourceHours.objects.filter(resource_id__in=ids).values_list(
        "resource_id", "weekday", "opens", "closes"
    ):
        own_hours[resource_id].append(av.WeeklyHours(weekday, opens, closes))
    venue_hours: dict[int, list[av.WeeklyHours]] = defaultdict(list)
    for venue_id, weekday, opens, closes in OpeningHours.objects.filter(page_id__in=venue_ids).values_list(
        "page_id", "weekday", "opens", "closes"
    ):
        venue_hours[venue_id].append(av.WeeklyHours(weekday, opens, closes))
    closures: dict[int, list[tuple[int | None, av.ClosureDays]]] = defaultdict(list)
    for venue_id, resource_id, first, last, yearly in Closure.objects.filter(venue_id__in=venue_ids).values_list(
        "venue_id", "resource_id", "first_day", "last_day", "yearly"
    ):
        closures[venue_id].append((resource_id, av.ClosureDays(first, last, yearly)))
    # One reach for the batch: occupations beyond a resource's own buffer never overlap its probe.
    reach = timedelta(minutes=max(r.buffer_minutes for r in resources))
    taken: dict[int, list[tuple[datetime, datetime, int]]] = defaultdict(list)
    for resource_id, start, until, units in Booking.objects.filter(
        occupying_at(now),
        resource_id__in=ids,
        start__lt=window.end + reach,
        blocked_until__gt=window.start - reach,
    ).values_list("resource_id", "start", "blocked_until", "quantity"):
        taken[resource_id].append((start, until, units))
    blocks: dict[int, list[tuple[datetime, datetime, int]]] = defaultdict(list)
    for resource_id, start, end, units in BusyBlock.objects.filter(
        resource_id__in=ids, start__lt=window.end + reach, end__gt=window.start - reach
    ).values_list("resource_id", "start", "end", "quantity"):
        blocks[resource_id].append((start, end, units))
    calendars = {}
    for resource in resources:
        rules = selectors.resource_rules(resource)
        occupations = [av.booking_occupation(start, until, units, rules) for start, until, units in taken[resource.pk]]
        occupations += [
            av.Occupation(start, end, min(units, resource.capacity)) for start, end, units in blocks[resource.pk]
        ]
        calendars[resource.pk] = selectors.Calendar(
            rules=rules,
            tz=ZoneInfo(resource.venue.timezone),
            hours=own_hours.get(resource.pk) or venue_hours.get(resource.venue_id, []),
            closures=[days for owner, days in closures[resource.venue_id] if owner in (None, resource.pk)],
            occupations=occupations,
        )
    return calendars
