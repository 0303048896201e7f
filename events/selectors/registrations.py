"""A person's registrations and waitlist entries, and the order of a waitlist."""

from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from bookings.models import OCCUPYING, standing_at
from events.models import WAITLIST_OPEN, Event, Registration, WaitlistEntry, WaitlistStatus


def registration_open(*, user, event: Event, recurrence_id: datetime, now: datetime) -> Registration | None:
    """The person's registration for that occurrence that still stands (a live hold counts)."""
    return (
        Registration.objects.filter(event=event, recurrence_id=recurrence_id, booking__user=user)
        .filter(standing_at(now, "booking__"))
        .select_related("booking")
        .first()
    )


def registered(*, user, event: Event, recurrence_id: datetime, now: datetime) -> bool:
    """Whether ``registration_open`` finds one, as an ``EXISTS``: the services only ask whether (on
    every registration), so no registration and booking are read back and built to know it."""
    return Registration.objects.filter(
        standing_at(now, "booking__"), event=event, recurrence_id=recurrence_id, booking__user=user
    ).exists()


def registrations_standing(event: Event) -> QuerySet[Registration]:
    """Registrations whose booking still lies ahead or is held: those a change must reach."""
    return Registration.objects.filter(event=event, booking__status__in=list(OCCUPYING)).select_related(
        "booking__resource__venue", "booking__user"
    )


def registrations_of_user(*, user, events: list[Event], now: datetime) -> dict[tuple[int, datetime], Registration]:
    """The person's standing registrations for these events, by ``(event id, recurrence id)``."""
    if not getattr(user, "is_authenticated", False) or not events:
        return {}
    rows = (
        Registration.objects.filter(event__in=events, booking__user=user)
        .filter(standing_at(now, "booking__"))
        .select_related("booking")
    )
    return {(row.event_id, row.recurrence_id): row for row in rows}


def waitlist_entry_open(*, user, event: Event, recurrence_id: datetime) -> WaitlistEntry | None:
    return WaitlistEntry.objects.filter(
        user=user, event=event, recurrence_id=recurrence_id, status__in=WAITLIST_OPEN
    ).first()


def waitlist_position(entry: WaitlistEntry) -> int:
    """1 for the first person waiting."""
    return (
        WaitlistEntry.objects.filter(
            event_id=entry.event_id,
            recurrence_id=entry.recurrence_id,
            status=WaitlistStatus.WAITING,
            created_at__lte=entry.created_at,
        )
        .exclude(Q(created_at=entry.created_at) & Q(pk__gt=entry.pk))
        .count()
    )


def waitlist_waiting(event: Event, recurrence_id: datetime) -> QuerySet[WaitlistEntry]:
    return WaitlistEntry.objects.filter(event=event, recurrence_id=recurrence_id, status=WaitlistStatus.WAITING)


def waitlist_for_user(*, user) -> QuerySet[WaitlistEntry]:
    return (
        WaitlistEntry.objects.filter(user=user, status__in=WAITLIST_OPEN)
        .select_related("event__venue", "offer")
        .order_by("recurrence_id")
    )


def waitlist_for_user_positioned(*, user) -> QuerySet[WaitlistEntry]:
    """The person's open waitlist entries, each annotated with ``position`` (1 for the first
    person waiting; meaningful while ``waiting``) in the list's own query."""
    ahead = (
        WaitlistEntry.objects.filter(
            event_id=OuterRef("event_id"), recurrence_id=OuterRef("recurrence_id"), status=WaitlistStatus.WAITING
        )
        .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lte=OuterRef("pk")))
        .order_by()
        .values("event_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return waitlist_for_user(user=user).select_related("event__page").annotate(position=Coalesce(Subquery(ahead), 0))


def waitlist_entry_of_user(*, user, pk: int) -> WaitlistEntry | None:
    """One of the person's waitlist entries (any status); ``None`` for anyone else's."""
    if not 0 < pk < 2**63:
        return None
    return WaitlistEntry.objects.filter(user=user, pk=pk).select_related("event__venue", "offer").first()


def waitlist_of_user(*, user, events: list[Event]) -> dict[tuple[int, datetime], WaitlistEntry]:
    """The person's open waitlist entries for these events, by ``(event id, recurrence id)``."""
    if not getattr(user, "is_authenticated", False) or not events:
        return {}
    rows = WaitlistEntry.objects.filter(user=user, event__in=events, status__in=WAITLIST_OPEN).select_related("offer")
    return {(row.event_id, row.recurrence_id): row for row in rows}
