"""The rows a booking calendar is written from, and the identifiers that make a booking the same
event everywhere: its ``UID`` (``booking-<reference>@<host>``, or a keyed hash in the public
resource feed) and its ``SEQUENCE`` (one more on every status change)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.crypto import salted_hmac

from bookings.models import Booking, BookingStatus, PaymentState, ResourceKind

#: iCalendar STATUS of each booking status: what a calendar should show.
ICAL_STATUS = {
    BookingStatus.PENDING_APPROVAL: "TENTATIVE",
    BookingStatus.HELD: "TENTATIVE",
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.CHECKED_IN: "CONFIRMED",
    BookingStatus.NO_SHOW: "CONFIRMED",
    BookingStatus.CANCELLED: "CANCELLED",
    BookingStatus.REJECTED: "CANCELLED",
    BookingStatus.EXPIRED: "CANCELLED",
}


#: Payment states in which nothing has been paid yet: a cancelled booking then owes nothing.
UNPAID = {PaymentState.NONE, PaymentState.DUE_AT_VENUE, PaymentState.PENDING}


def ical_status(status: str) -> str:
    return ICAL_STATUS.get(status, "TENTATIVE")


def node_host() -> str:
    """The host of this node's public URL: the right-hand side of every UID we mint."""
    return urlsplit(settings.ESSAIM_NODE_URL).hostname or "localhost"


def booking_uid(reference: str, host: str | None = None) -> str:
    return f"booking-{reference}@{host or node_host()}"


def anonymous_uid(reference: str, host: str | None = None) -> str:
    """A stable UID for the resource feed that reveals nothing: a keyed hash of the reference."""
    digest = salted_hmac("essaim.bookings.ics.resource-feed", reference, algorithm="sha256").hexdigest()[:24]
    return f"slot-{digest}@{host or node_host()}"


def sequence_of(transition_count: int) -> int:
    """SEQUENCE from the audit trail: 0 when created, one more on every later status change."""
    return max(0, transition_count - 1)


# Plain rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingEntry:
    """One booking as the booker sees it, with everything an event needs."""

    reference: str
    status: str
    sequence: int
    start: datetime
    end: datetime
    tzid: str
    resource_name: str
    venue_name: str
    address: str
    latitude: float | None
    longitude: float | None
    url: str
    amount_minor: int
    currency: str
    payment_state: str
    quantity: int
    last_modified: datetime
    cancel_reason: str = ""
    #: An event's title, for a registration (a booking on event seats): the summary says it.
    title: str = ""
    #: The host of the node that holds the booking, when it is another node's (a remote booking):
    #: its UID is then the one that node gives it.
    uid_host: str = ""


@dataclass(frozen=True)
class BusyEntry:
    """Time a resource is taken, without saying by whom."""

    uid: str
    start: datetime
    end: datetime
    held: bool
    quantity: int
    sequence: int
    last_modified: datetime


def venue_address(venue) -> str:
    """One line: street, postcode and city, country (the country's name in the active language)."""
    place = " ".join(part for part in (venue.postcode, venue.city) if part)
    country = venue.country.name if venue.country else ""
    return ", ".join(part for part in (venue.street_address, place, country) if part)


def event_title(resource) -> str:
    """The title of the event whose seats ``resource`` is, or ``""`` (reads the reverse one-to-one
    ``resource.event``, cached when the caller loaded it)."""
    if resource.kind != ResourceKind.EVENT_SEATS:
        return ""
    event = getattr(resource, "event", None)  # RelatedObjectDoesNotExist is an AttributeError
    return event.title() if event is not None else ""


def booking_entry(booking: Booking, *, url: str, address: str | None = None, title: str | None = None) -> BookingEntry:
    """A ``Booking`` (with ``resource__venue`` loaded and ``transition_count`` annotated) as a row;
    give the venue's ``address`` when it is already known, and the event's ``title`` for a
    registration when the caller has it (otherwise it is read from the seats' event)."""
    venue = booking.resource.venue
    return BookingEntry(
        reference=booking.reference,
        status=booking.status,
        sequence=sequence_of(getattr(booking, "transition_count", 1)),
        start=booking.start,
        end=booking.end,
        tzid=venue.timezone,
        resource_name=booking.resource.name,
        venue_name=venue.title,
        address=venue_address(venue) if address is None else address,
        latitude=venue.latitude,
        longitude=venue.longitude,
        url=url,
        amount_minor=booking.amount_minor,
        currency=booking.currency,
        payment_state=booking.payment_state,
        quantity=booking.quantity,
        last_modified=booking.updated_at,
        cancel_reason=booking.cancel_reason,
        title=event_title(booking.resource) if title is None else title,
    )


def busy_entry_for_booking(booking: Booking) -> BusyEntry:
    return BusyEntry(
        uid=anonymous_uid(booking.reference),
        start=booking.start,
        end=booking.end,
        held=booking.status == BookingStatus.HELD,
        quantity=booking.quantity,
        sequence=sequence_of(getattr(booking, "transition_count", 1)),
        last_modified=booking.updated_at,
    )


def busy_entry_for_block(block, *, stamp: datetime) -> BusyEntry:
    """A ``BusyBlock``: its own UID here, never the external calendar's (that event may be in the
    same person's calendar already). Blocks are replaced rather than edited and carry no time of
    change, so the caller's ``stamp`` (e.g. the resource's last change) stands for it."""
    return BusyEntry(
        uid=f"busy-{block.pk}@{node_host()}",
        start=block.start,
        end=block.end,
        held=False,
        quantity=block.quantity,
        sequence=0,
        last_modified=stamp,
    )
