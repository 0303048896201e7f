"""The demo agenda's registrations and waitlists, written in bulk.

``registration_create`` would send each demo person an e-mail and costs a transaction apiece; the
counts never exceed the seats. Seats are confirmed bookings on the event's seats resource, each
with its audit entry and its registration, as the engine writes them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth import get_user_model

from bookings.models import Booking, BookingStatus, BookingTransition, PaymentState, fresh_references
from demo.network import ACCOUNTS
from events import selectors
from events.models import Event, Registration, WaitlistEntry

#: The demo account that registers (and waits) for a few events.
ENTREPRENEUR = "entrepreneur"


def demo_people() -> list:
    """Demo people who register: ``demo.bookings``'s bookers (they cannot log in), in a stable order."""
    User = get_user_model()
    return list(
        User.objects.filter(email__endswith="@essaim.localhost")
        .exclude(username__in=list(ACCOUNTS))
        .order_by("username")[:120]
    )


def fill(event: Event | None, how: str, people: list, now: datetime) -> tuple[int, int]:
    """Seats taken at the first dates: most of them with one left ("nearly"), every one and a
    waitlist ("full"), or a few (the rest). Returns (registrations, people waiting)."""
    if event is None or not people:
        return 0, 0
    dates = [o for o in selectors.upcoming(event, now=now, limit=4) if not o.cancelled]
    entrepreneur = get_user_model().objects.filter(username=ENTREPRENEUR).first()
    offset = event.pk * 7 % len(people)
    crowd = people[offset:] + people[:offset]
    plan: list[tuple] = []
    waiting: list[tuple] = []
    for index, occurrence in enumerate(dates):
        if how == "full" and index == 0:
            plan += [(occurrence, person) for person in crowd[: event.capacity]]
            queue = ([entrepreneur] if entrepreneur else []) + crowd[event.capacity : event.capacity + 2]
            waiting += [(occurrence, person) for person in queue]
        elif how == "nearly" and index < 2:
            group = crowd[index : index + event.capacity - 1]
            if index == 1 and entrepreneur is not None:  # "My bookings" of the demo account shows it
                group = group[:-1] + [entrepreneur]
            plan += [(occurrence, person) for person in group]
        else:
            count = min(event.capacity - 1, (event.pk + index) % 5 + 1)
            plan += [(occurrence, person) for person in crowd[index * 3 : index * 3 + count]]
    write_registrations(event, plan, now)
    for occurrence, person in waiting:  # one by one: their order is the queue's
        WaitlistEntry.objects.create(
            event=event, recurrence_id=occurrence.recurrence_id.astimezone(UTC), user=person, language="fr"
        )
    return len(plan), len(waiting)


def write_registrations(event: Event, plan: list[tuple], now: datetime) -> None:
    """Confirmed seats, one a person, with the booking's audit entry and its registration."""
    if not plan:
        return
    paid = event.price_minor > 0
    bookings = Booking.objects.bulk_create(
        [
            Booking(
                reference=reference,
                resource_id=event.seats_id,
                user=person,
                start=occurrence.start.astimezone(UTC),
                end=occurrence.end.astimezone(UTC),
                blocked_until=occurrence.end.astimezone(UTC),
                quantity=1,
                exclusive=False,
                status=BookingStatus.CONFIRMED,
                amount_minor=event.price_minor,
                currency=event.currency,
                payment_state=PaymentState.DUE_AT_VENUE if paid else PaymentState.NONE,
                language="fr",
            )
            for (occurrence, person), reference in zip(plan, fresh_references(len(plan)), strict=True)
        ]
    )
    if any(booking.pk is None for booking in bookings):  # a database that returns no ids
        references = [booking.reference for booking in bookings]
        by_reference = {b.reference: b for b in Booking.objects.filter(reference__in=references)}
        bookings = [by_reference[reference] for reference in references]
    BookingTransition.objects.bulk_create(
        [
            BookingTransition(
                booking=booking,
                from_status="",
                to_status=BookingStatus.CONFIRMED,
                actor=booking.user,
                at=booking.created_at,
            )
            for booking in bookings
        ]
    )
    Registration.objects.bulk_create(
        [
            Registration(booking=booking, event=event, recurrence_id=occurrence.recurrence_id.astimezone(UTC))
            for booking, (occurrence, _person) in zip(bookings, plan, strict=True)
        ]
    )
