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
from core.ical_writer import BusyPeriod

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


# Free/busy ----------------------------------------------------------------------------------

#: Statuses whose time is only tentatively busy: a hold awaiting payment, a request awaiting approval.
TENTATIVE_STATUSES = {BookingStatus.HELD, BookingStatus.PENDING_APPROVAL}


def busy_period_for_booking(booking: Booking) -> BusyPeriod:
    fbtype = "BUSY-TENTATIVE" if booking.status in TENTATIVE_STATUSES else "BUSY"
    return BusyPeriod(booking.start, booking.end, fbtype)


def busy_period_for_block(block) -> BusyPeriod:
    """An outside calendar's busy time, or a peer's mirrored occupancy: busy, whatever it was."""
    return BusyPeriod(block.start, block.end, "BUSY")


def busy_periods(bookings, blocks, *, capacity: int) -> list[BusyPeriod]:
    """A resource's busy time, unmerged. A resource of one unit is busy whenever it is booked. A
    pool (desks, seats) is busy only while it is full: busy when firm bookings and outside blocks
    (which take every unit) leave no unit, tentatively busy when holds and requests would — a
    calendar that shows the pool busy at its first booking would hide the free desks."""
    if capacity <= 1:
        return [busy_period_for_booking(b) for b in bookings] + [busy_period_for_block(b) for b in blocks]
    deltas: dict[datetime, list[int]] = {}
    for booking in bookings:
        kind = 1 if booking.status in TENTATIVE_STATUSES else 0
        deltas.setdefault(booking.start, [0, 0])[kind] += booking.quantity
        deltas.setdefault(booking.end, [0, 0])[kind] -= booking.quantity
    for block in blocks:
        deltas.setdefault(block.start, [0, 0])[0] += capacity
        deltas.setdefault(block.end, [0, 0])[0] -= capacity
    out, firm, tentative = [], 0, 0
    moments = sorted(deltas)
    for moment, following in zip(moments, moments[1:], strict=False):
        firm += deltas[moment][0]
        tentative += deltas[moment][1]
        if firm >= capacity:
            out.append(BusyPeriod(moment, following, "BUSY"))
        elif firm + tentative >= capacity:
            out.append(BusyPeriod(moment, following, "BUSY-TENTATIVE"))
    return out


def freebusy_uid(resource_id: int) -> str:
    return f"freebusy-resource-{resource_id}@{node_host()}"


# The venue team's feed ------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamEntry:
    """One booking as the venue's team sees it: what, when, who (names: a private feed)."""

    reference: str
    status: str
    sequence: int
    start: datetime
    end: datetime
    tzid: str
    resource_name: str
    #: Who booked, as a name (the summary), and as the admin shows them (name and e-mail, or the
    #: node a remote person came through).
    booker_name: str
    booker: str
    quantity: int
    url: str  # the booking in the admin
    last_modified: datetime


def team_uid(reference: str) -> str:
    """Not the booking's own UID: a manager who booked for themselves subscribes to both feeds,
    and some clients merge or drop events that share a UID across calendars."""
    return f"team-{reference}@{node_host()}"


def team_entry(booking: Booking, *, tzid: str, booker_name: str, booker: str, url: str) -> TeamEntry:
    """A ``Booking`` (with ``resource`` loaded and ``transition_count`` annotated) as a row."""
    return TeamEntry(
        reference=booking.reference,
        status=booking.status,
        sequence=sequence_of(getattr(booking, "transition_count", 1)),
        start=booking.start,
        end=booking.end,
        tzid=tzid,
        resource_name=booking.resource.name,
        booker_name=booker_name,
        booker=booker,
        quantity=booking.quantity,
        url=url,
        last_modified=booking.updated_at,
    )
