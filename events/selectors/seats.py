"""Seats taken and left at occurrences: one query for one event's dates, or for many rows.

A peer's mirrored event has no bookings here: its owner's registrations arrive as ``BusyBlock``s
on the mirrored seats resource (one per registration, starting at the date's start), so its seats
taken are counted from those."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Sum

from bookings.models import Booking, BusyBlock, ResourceKind, occupying_at
from core import recurrence as rec
from core.localized import LocalText
from events.models import Event


@dataclass(frozen=True)
class Seats:
    """Seats taken and left at one occurrence."""

    capacity: int
    taken: int

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.taken)


def seats_taken(event: Event, starts: list[datetime], *, now: datetime) -> Counter:
    """Seats taken at each of ``starts`` (an occurrence's actual start), in one query."""
    if not event.seats_id or not starts:
        return Counter()
    taking = BusyBlock.objects.all() if event.origin else Booking.objects.filter(occupying_at(now))
    rows = taking.filter(resource_id=event.seats_id, start__in=starts).values("start").annotate(taken=Sum("quantity"))
    return Counter({row["start"]: row["taken"] for row in rows})


def seats_for(event: Event, occurrence: rec.Occurrence, *, now: datetime) -> Seats:
    taken = seats_taken(event, [occurrence.start.astimezone(UTC)], now=now)
    return Seats(capacity=event.capacity, taken=taken.get(occurrence.start.astimezone(UTC), 0))


def seats_taken_many(pairs: list[tuple[int, datetime]], *, now: datetime, mirrored=frozenset()) -> Counter:
    """Seats taken at many ``(seats resource id, occurrence start)`` pairs, in one query (two when
    some are the ``mirrored`` seats resources of peers' events, counted from their busy blocks)."""
    pairs = [(resource_id, start) for resource_id, start in pairs if resource_id]
    if not pairs:
        return Counter()
    mirrored = set(mirrored)
    taken = Counter()
    if mirrored:
        busy = (
            BusyBlock.objects.filter(
                resource_id__in={resource_id for resource_id, _start in pairs if resource_id in mirrored},
                start__in={start.astimezone(UTC) for resource_id, start in pairs if resource_id in mirrored},
            )
            .values("resource_id", "start")
            .annotate(taken=Sum("quantity"))
        )
        taken.update({(row["resource_id"], row["start"]): row["taken"] for row in busy})
        pairs = [(resource_id, start) for resource_id, start in pairs if resource_id not in mirrored]
        if not pairs:
            return taken
    rows = (
        Booking.objects.filter(
            occupying_at(now),
            resource_id__in={resource_id for resource_id, _start in pairs},
            start__in={start.astimezone(UTC) for _resource_id, start in pairs},
        )
        .values("resource_id", "start")
        .annotate(taken=Sum("quantity"))
    )
    taken.update({(row["resource_id"], row["start"]): row["taken"] for row in rows})
    return taken


def seat_names(resources, language: str) -> dict[int, LocalText]:
    """Events' seats named after their event: its title in ``language`` when the event is
    published in it, else in the node's language (marked so), in one query. Registered with
    ``bookings.display_names`` so that "My bookings" shows an English reader English titles."""
    pks = [resource.pk for resource in resources if resource.kind == ResourceKind.EVENT_SEATS]
    if not pks:
        return {}
    names = {}
    for seats_id, titles in Event.objects.filter(seats_id__in=pks).values_list("seats_id", "titles"):
        if titles.get(language):
            names[seats_id] = LocalText(titles[language], language)
        elif titles.get(settings.LANGUAGE_CODE):
            names[seats_id] = LocalText(titles[settings.LANGUAGE_CODE], settings.LANGUAGE_CODE)
    return names
