"""What a booking calendar says, in the active language: summaries, descriptions, amounts, and
the key that changes when a translation does."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bookings.ics.entries import UNPAID, BookingEntry, BusyEntry, TeamEntry, ical_status
from bookings.models import BookingStatus, PaymentState
from core.formatting import money_label


def booking_summary(entry: BookingEntry) -> str:
    if entry.title:  # a registration: the event's title, as in the agenda
        summary = f"{entry.title} × {entry.quantity}" if entry.quantity > 1 else entry.title
    else:
        what = f"{entry.quantity} × {entry.resource_name}" if entry.quantity > 1 else entry.resource_name
        summary = f"{what} @ {entry.venue_name}"
    if ical_status(entry.status) == "CANCELLED":
        return _("Cancelled: %(summary)s") % {"summary": summary}
    return summary


def payment_line(entry: BookingEntry) -> str:
    """``12,50 € — To pay at the venue``, or ``Free``."""
    if entry.amount_minor == 0:
        return _("Free")
    amount = money_label(entry.amount_minor, entry.currency)
    if ical_status(entry.status) == "CANCELLED" and entry.payment_state in UNPAID:
        return f"{amount} — " + _("nothing to pay")
    state = dict(PaymentState.choices).get(entry.payment_state, entry.payment_state)
    return f"{amount} — {state}"


def booking_description(entry: BookingEntry) -> str:
    lines = [
        _("Reference: %(reference)s") % {"reference": entry.reference},
        _("Status: %(status)s") % {"status": dict(BookingStatus.choices).get(entry.status, entry.status)},
        _("Amount: %(amount)s") % {"amount": payment_line(entry)},
    ]
    if entry.cancel_reason and ical_status(entry.status) == "CANCELLED":
        lines.append(_("Reason: %(reason)s") % {"reason": entry.cancel_reason})
    if entry.url:
        lines.append(entry.url)
    return "\n".join(lines)


def busy_summary(entry: BusyEntry) -> str:
    label = _("Held") if entry.held else _("Booked")
    return f"{label} × {entry.quantity}" if entry.quantity > 1 else label


# What the output depends on besides the rows ---------------------------------------------

_SAMPLE = BookingEntry(
    reference="SAMPLE",
    status=BookingStatus.CANCELLED,
    sequence=0,
    start=datetime(2000, 1, 1, tzinfo=UTC),
    end=datetime(2000, 1, 1, 1, tzinfo=UTC),
    tzid="UTC",
    resource_name="r",
    venue_name="v",
    address="",
    latitude=None,
    longitude=None,
    url="",
    amount_minor=100,
    currency="EUR",
    payment_state=PaymentState.DUE_AT_VENUE,
    quantity=2,
    last_modified=datetime(2000, 1, 1, tzinfo=UTC),
    cancel_reason="x",
)


def wording_key() -> tuple:
    """The active language's wording, as it would appear in a calendar: part of a feed's version
    key, so that a new translation reaches clients that already hold the feed."""
    busy = BusyEntry(
        uid="",
        start=_SAMPLE.start,
        end=_SAMPLE.end,
        held=False,
        quantity=1,
        sequence=0,
        last_modified=_SAMPLE.last_modified,
    )
    return (
        get_language(),
        booking_summary(_SAMPLE),
        booking_description(_SAMPLE),
        payment_line(replace(_SAMPLE, amount_minor=0)),
        busy_summary(busy),
        busy_summary(replace(busy, held=True)),
        tuple(str(label) for _value, label in BookingStatus.choices),
        tuple(str(label) for _value, label in PaymentState.choices),
    )


def team_summary(entry: TeamEntry) -> str:
    """``Salle Seine — Alice Martin``, ``2 × Open space — Carol Dupont``."""
    what = f"{entry.quantity} × {entry.resource_name}" if entry.quantity > 1 else entry.resource_name
    return f"{what} — {entry.booker_name}"


def team_description(entry: TeamEntry) -> str:
    lines = [
        _("Booked by: %(booker)s") % {"booker": entry.booker},
        _("Resource: %(resource)s") % {"resource": entry.resource_name},
        _("Status: %(status)s") % {"status": dict(BookingStatus.choices).get(entry.status, entry.status)},
        _("Quantity: %(quantity)s") % {"quantity": entry.quantity},
        _("Reference: %(reference)s") % {"reference": entry.reference},
    ]
    if entry.url:
        lines.append(entry.url)
    return "\n".join(lines)
