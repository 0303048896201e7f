"""The real booking calendars, read by parsers written by others: bookings made through the
services around the DST changes of Paris (28 March and 31 October 2027) and Montreal (14 March and
7 November 2027), then the person's feed and the resource feeds fetched through the test client,
and the invitations taken from the e-mails the services send (``REQUEST`` on confirmation,
``CANCEL`` on cancellation). ical.js (with node) and vobject must read each booking's UID, UTC
start and end and status as the database holds them.

Without node or ``node_modules`` the ical.js half is skipped, unless ``ESSAIM_REQUIRE_INTEROP=1``.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from bookings import ics, services
from bookings.models import Booking, BookingStatus, BusyBlock
from tests.unit.test_ical_interop import _need_icaljs, icaljs, with_vobject

pytestmark = pytest.mark.django_db

HOST = "essaim.example"
NOW = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
YEAR = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
AROUND_THE_CLOCK = [(day, "00:00", "23:59") for day in range(7)]  # a close at midnight is not allowed
PARIS, MONTREAL = ZoneInfo("Europe/Paris"), ZoneInfo("America/Montreal")


def wall(tz: ZoneInfo, month: int, day: int, hour: int, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=tz, fold=fold).astimezone(UTC)


@pytest.fixture(autouse=True)
def _clock_and_node(settings):
    settings.ESSAIM_NODE_URL = f"https://{HOST}"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def rooms(make_venue, make_resource):
    paris = make_venue(title="La Ruche", city="Paris", timezone="Europe/Paris", opening_hours=AROUND_THE_CLOCK)
    montreal = make_venue(
        title="Maison Montréal",
        city="Montréal",
        country="CA",
        timezone="America/Montreal",
        opening_hours=AROUND_THE_CLOCK,
        email="bonjour@maison.example",
    )
    return {
        "paris": make_resource(paris, name="Salle Seine"),
        "paris_paid": make_resource(paris, name="Studio", price_minor=2000, currency="EUR"),
        "paris_approval": make_resource(paris, name="Grande salle", approval_required=True),
        "montreal": make_resource(montreal, name="Salle Érable"),
    }


@pytest.fixture
def bookings(rooms, make_user, mailoutbox, django_capture_on_commit_callbacks) -> list[Booking]:
    """Alice's bookings either side of each change, across it, and at wall times it repeats; one
    of each held, awaiting approval and cancelled. The e-mails they send are in ``mailoutbox``."""
    alice = make_user("alice")
    asked = [
        ("paris", wall(PARIS, 3, 27, 9), wall(PARIS, 3, 27, 10), {}),
        ("paris", wall(PARIS, 3, 28, 9), wall(PARIS, 3, 28, 10), {}),
        ("paris", wall(PARIS, 3, 28, 1, 30), wall(PARIS, 3, 28, 3, 30), {}),  # one hour, across the gap
        ("paris", wall(PARIS, 10, 31, 2, 30), wall(PARIS, 10, 31, 2, 30, fold=1), {}),  # 2:30 to 2:30
        ("paris", wall(PARIS, 10, 31, 9), wall(PARIS, 10, 31, 10), {"cancel": True}),
        ("paris_paid", wall(PARIS, 10, 31, 1), wall(PARIS, 10, 31, 4), {"hold": True}),  # four hours
        ("paris_approval", wall(PARIS, 3, 28, 3), wall(PARIS, 3, 28, 4), {}),
        ("montreal", wall(MONTREAL, 3, 13, 9), wall(MONTREAL, 3, 13, 10), {}),
        ("montreal", wall(MONTREAL, 3, 14, 9), wall(MONTREAL, 3, 14, 10), {}),
        ("montreal", wall(MONTREAL, 3, 14, 1, 30), wall(MONTREAL, 3, 14, 3, 30), {}),
        ("montreal", wall(MONTREAL, 11, 7, 1, 30), wall(MONTREAL, 11, 7, 1, 30, fold=1), {}),
        ("montreal", wall(MONTREAL, 11, 7, 9), wall(MONTREAL, 11, 7, 10), {"cancel": True}),
    ]
    made = []
    for room, start, end, options in asked:
        with django_capture_on_commit_callbacks(execute=True):
            booking = services.booking_create(
                user=alice,
                request=services.BookingRequest(rooms[room], start, end),
                hold=options.get("hold", False),
                now=NOW,
            )
        if options.get("cancel"):
            with django_capture_on_commit_callbacks(execute=True):
                booking = services.booking_cancel(booking=booking, actor=alice, now=NOW)
        made.append(booking)
    return made


def meant(found) -> list[tuple[str, datetime, datetime, str]]:
    return sorted(found, key=lambda o: (o[1], o[0]))


def booked(bookings) -> list[tuple[str, datetime, datetime, str]]:
    """Each booking as the database holds it: UID, UTC start and end, iCalendar status."""
    return meant(
        (f"booking-{b.reference}@{HOST}", b.start.astimezone(UTC), b.end.astimezone(UTC), ics.ical_status(b.status))
        for b in bookings
    )


def check_structure(text: str) -> None:
    """icalendar reads it and every TZID used has its VTIMEZONE."""
    calendar = Calendar.from_ical(text)
    zones = {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")}
    for vevent in calendar.walk("VEVENT"):
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "STATUS"} <= set(vevent)
        for name in ("DTSTART", "DTEND"):
            assert vevent[name].params.get("TZID", "UTC") in zones | {"UTC"}


def read_alike(text: str, expected) -> None:
    check_structure(text)
    assert with_vobject(text, window=YEAR) == expected
    _need_icaljs()
    assert icaljs(text, window=YEAR) == expected


def fetched(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode("utf-8")


def test_the_bookings_are_what_the_test_means(bookings):
    statuses = {booking.status for booking in bookings}
    assert statuses == {BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.HELD, "pending_approval"}
    by_length = {booking.end - booking.start for booking in bookings}
    assert {timedelta(hours=1), timedelta(hours=4)} <= by_length
    assert len({booking.resource.venue.timezone for booking in bookings}) == 2


def test_the_persons_feed_is_read_as_the_database_holds_it(client, bookings):
    alice = bookings[0].user
    url = reverse("feeds:me", kwargs={"secret": services.calendar_feed_ensure(user=alice).secret})
    text = fetched(client, url)
    # The wall time 31 October repeats is written in UTC, which every reader takes alike.
    assert "DTSTART:20271031T003000Z" in text and "DTEND:20271031T013000Z" in text
    read_alike(text, booked(bookings))


def test_the_resource_feeds_are_read_as_the_database_holds_them(client, rooms, bookings):
    block = BusyBlock.objects.create(
        resource=rooms["paris"], start=wall(PARIS, 10, 30, 23), end=wall(PARIS, 10, 31, 6), quantity=1
    )
    for room in rooms.values():
        text = fetched(client, reverse("feeds:resource", kwargs={"pk": room.pk}))
        taken = [b for b in bookings if b.resource_id == room.pk and b.status in (BookingStatus.CONFIRMED, "held")]
        expected = [
            (ics.anonymous_uid(b.reference), b.start, b.end, "TENTATIVE" if b.status == "held" else "CONFIRMED")
            for b in taken
        ]
        if room == rooms["paris"]:
            expected.append((f"busy-{block.pk}@{HOST}", block.start, block.end, "CONFIRMED"))
        assert not any(b.reference in text for b in bookings)
        read_alike(text, meant(expected))


def invitations(mailoutbox, method: str) -> list[tuple[str, str]]:
    """The ``text/calendar`` attachments of that method, with the address each went to."""
    found = []
    for message in mailoutbox:
        for part in message.attachments:
            if part.get_content_type() == "text/calendar" and f"method={method}" in part["Content-Type"]:
                found.append(part.get_payload(decode=True).decode("utf-8"))
    return found


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_the_invitations_are_read_as_the_database_holds_them(bookings, mailoutbox, method):
    texts = invitations(mailoutbox, method)
    if method == "REQUEST":
        # A confirmation for every booking confirmed at once, and for those cancelled later.
        invited = [b for b in bookings if b.status in (BookingStatus.CONFIRMED, BookingStatus.CANCELLED)]
        expected = [(uid, start, end, "CONFIRMED") for uid, start, end, _status in booked(invited)]
    else:
        invited = [b for b in bookings if b.status == BookingStatus.CANCELLED]
        expected = booked(invited)
    assert len(texts) == len(invited) and all(f"METHOD:{method}\r\n" in text for text in texts)
    for text in texts:
        check_structure(text)
        uid = Calendar.from_ical(text).walk("VEVENT")[0]["UID"]
        assert with_vobject(text, window=YEAR) == [o for o in expected if o[0] == uid]
    _need_icaljs()
    assert icaljs("".join(texts), window=YEAR) == expected
