"""iCalendar (RFC 5545) for bookings: a person's bookings and a resource's busy time, as bytes.

The builders take plain rows (``BookingEntry``, ``BusyEntry``) and return the calendar's bytes;
the feed views and the e-mails both call them, so a booking carries the same ``UID`` and
``SEQUENCE`` in a subscribed calendar and in an e-mail's invitation, and calendar clients merge
the two. ``SEQUENCE`` is the number of status changes after the first, so it grows on every
change (a cancellation replaces the event instead of being ignored as stale).

The output is deterministic for the same rows: ``DTSTAMP`` is the booking's last change (not the
clock) unless a ``stamp`` is given, and time zones are emitted in sorted order, so a hash of the
bytes is a strong ETag that every web process computes alike.

A registration for an event is a booking on the event's seats: its entry reads as the event
(the event's title, a link to its page) and keeps the booking's ``UID`` and ``SEQUENCE``.

The resource feed is public (a screen by a door, a janitor's calendar): it says "Booked" or
"Held" and nothing about who. Its UIDs are keyed hashes of the booking references, which cannot
be traced back to a booking or a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration
from wagtail.models import Site

from bookings.models import Booking, BookingStatus, PaymentState, ResourceKind
from core import money

PRODID = "-//Essaim//Essaim bookings//EN"
#: How often subscribed clients should poll (RFC 7986 REFRESH-INTERVAL, and Outlook's X-PUBLISHED-TTL).
REFRESH = timedelta(hours=1)

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


# Wording ------------------------------------------------------------------------------------


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE)[:2]


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
    amount = money.format_money(entry.amount_minor, entry.currency, _language())
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


# Calendars ----------------------------------------------------------------------------------


def booking_event(entry: BookingEntry, *, stamp: datetime | None = None) -> Event:
    tz = ZoneInfo(entry.tzid)
    status = ical_status(entry.status)
    event = Event.new(
        uid=booking_uid(entry.reference),
        sequence=entry.sequence,
        stamp=stamp or entry.last_modified,
        last_modified=entry.last_modified,
        start=entry.start.astimezone(tz),
        end=entry.end.astimezone(tz),
        summary=booking_summary(entry),
        location=f"{entry.venue_name}, {entry.address}" if entry.address else entry.venue_name,
        status=status,
        transparency="TRANSPARENT" if status == "CANCELLED" else "OPAQUE",
        url=entry.url or None,
        description=booking_description(entry),
    )
    if entry.latitude is not None and entry.longitude is not None:
        event.add("GEO", (entry.latitude, entry.longitude))
    return event


def busy_event(entry: BusyEntry, *, tzid: str) -> Event:
    tz = ZoneInfo(tzid)
    return Event.new(
        uid=entry.uid,
        sequence=entry.sequence,
        stamp=entry.last_modified,
        last_modified=entry.last_modified,
        start=entry.start.astimezone(tz),
        end=entry.end.astimezone(tz),
        summary=busy_summary(entry),
        status="TENTATIVE" if entry.held else "CONFIRMED",
        transparency="OPAQUE",
    )


@lru_cache(maxsize=256)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE covering the years used; built from zoneinfo once per process (it takes a few ms)."""
    return Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1))


def _new_calendar(*, name: str, method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    if method:
        calendar.add("METHOD", method)
    calendar.add("X-WR-CALNAME", name)
    calendar.add("NAME", name)
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    return calendar


def _finish(calendar: Calendar, events: Iterable[Event], *, spans: Sequence[datetime], default_tzid: str) -> bytes:
    """Add the events and one VTIMEZONE per zone used (the default zone when there is no event,
    since a calendar needs at least one component), in sorted order; return the bytes."""
    for event in events:
        calendar.add_component(event)
    tzids = sorted(calendar.get_missing_tzids()) or ([default_tzid] if default_tzid not in ("UTC", "") else [])
    if spans:
        first_year, last_year = min(spans).year - 1, max(spans).year + 2
    else:
        this_year = timezone.now().year
        first_year, last_year = this_year - 1, this_year + 2
    for index, tzid in enumerate(tzids):
        try:
            calendar.subcomponents.insert(index, _vtimezone(tzid, first_year, last_year))
        except ValueError:  # a zone zoneinfo does not know: clients fall back on the TZID's name
            continue
    return calendar.to_ical()


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
    calendar = _new_calendar(name=name, method=method)
    events = []
    for entry in entries:
        event = booking_event(entry, stamp=stamp)
        if organizer:
            event.add("ORGANIZER", _address(*organizer))
        if attendee:
            guest = _address(*attendee)
            guest.params["ROLE"] = "REQ-PARTICIPANT"
            guest.params["PARTSTAT"] = "DECLINED" if ical_status(entry.status) == "CANCELLED" else "ACCEPTED"
            guest.params["RSVP"] = "FALSE"
            event.add("ATTENDEE", guest)
        events.append(event)
    spans = [value for entry in entries for value in (entry.start, entry.end)]
    return _finish(calendar, events, spans=spans, default_tzid=default_tzid or settings.TIME_ZONE)


def resource_calendar(
    entries: Sequence[BusyEntry], *, name: str, tzid: str, location: str = "", url: str = ""
) -> bytes:
    """A resource's busy time in its venue's zone: "Booked" or "Held", never who."""
    calendar = _new_calendar(name=name)
    events = []
    for entry in entries:
        event = busy_event(entry, tzid=tzid)
        if location:
            event.add("LOCATION", location)
        if url:
            event.add("URL", url)
        events.append(event)
    spans = [value for entry in entries for value in (entry.start, entry.end)]
    return _finish(calendar, events, spans=spans, default_tzid=tzid)


def _address(name: str, email: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    return address


# Links back to the site ---------------------------------------------------------------------

#: URL names of the booking pages (``bookings/urls.py``); when one is missing the link falls back.
BOOKING_PAGE = "bookings:detail"  # kwarg ``reference``
MY_BOOKINGS_PAGE = "bookings:mine"
_STAND_IN = "0123ABCD"  # a reference's shape: eight hexadecimal digits


def site_url(path: str) -> str:
    """An absolute URL on this node: feeds and e-mails are read outside the site."""
    return settings.ESSAIM_NODE_URL + path if path.startswith("/") else path


def named_url(name: str, **kwargs) -> str | None:
    """The absolute URL of a named route in the active language, or ``None`` if there is none."""
    try:
        return site_url(reverse(name, kwargs=kwargs or None))
    except NoReverseMatch:
        return None


def page_urls(url_paths: Iterable[str]) -> dict[str, str]:
    """Absolute URLs of Wagtail pages from their ``url_path``, as ``Page.get_url_parts`` makes
    them (the site root that holds the page, its language's prefix), but with one ``reverse`` per
    root and language instead of one per page: a feed of thousands of events links them all."""
    roots = Site.get_site_root_paths()  # most specific first, cached by Wagtail
    prefixes: dict[tuple[str, str], str | None] = {}
    found = {}
    for url_path in url_paths:
        root = next((r for r in roots if url_path.startswith(r.root_path)), None)
        if root is None:
            continue
        key = (root.root_path, root.language_code)
        if key not in prefixes:
            try:
                with translation.override(root.language_code):
                    prefixes[key] = reverse("wagtail_serve", args=("",))
            except NoReverseMatch:
                prefixes[key] = None
        if prefixes[key] is not None:
            rest = quote(url_path[len(root.root_path) :], safe=RFC3986_SUBDELIMS + "/~:@")
            found[url_path] = site_url(prefixes[key] + rest)
    return found


class Links:
    """URLs for bookings and venues, each venue's page and address resolved once per calendar."""

    def __init__(self):
        self._venues: dict[int, str] = {}
        self._addresses: dict[int, str] = {}
        self._booking_page: str | None = None

    def address(self, venue) -> str:
        if venue.pk not in self._addresses:
            self._addresses[venue.pk] = venue_address(venue)
        return self._addresses[venue.pk]

    def venue(self, venue) -> str:
        if venue.pk not in self._venues:
            parts = venue.get_url_parts()
            self._venues[venue.pk] = site_url(parts[2]) if parts else site_url("/")
        return self._venues[venue.pk]

    def my_bookings(self) -> str:
        return named_url(MY_BOOKINGS_PAGE) or site_url("/")

    def booking(self, booking: Booking) -> str:
        # Reversed once with a stand-in reference: a long feed would otherwise reverse per booking.
        if self._booking_page is None:
            self._booking_page = named_url(BOOKING_PAGE, reference=_STAND_IN) or ""
        if self._booking_page and _STAND_IN in self._booking_page:
            return self._booking_page.replace(_STAND_IN, booking.reference)
        return self.venue(booking.resource.venue)


# What the output depends on besides the rows ------------------------------------------------

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
