"""Booking calendars (``bookings.ics``) read by parsers written by others, ical.js and vobject: an
invitation (``METHOD:REQUEST`` and ``CANCEL``), a person's feed and a resource's feed, with
bookings at every half hour around the DST changes of Paris (the last Sundays of March and October
2027) and Montreal (14 March and 7 November 2027) — starting or ending in the hour that a change
skips or repeats, or running across it. Both must read the UIDs, UTC starts and ends and statuses
of our rows.

Without node or ``node_modules`` the ical.js half is skipped, unless ``ESSAIM_REQUIRE_INTEROP=1``.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from bookings import ics
from tests.unit.test_ical_interop import _need_icaljs, icaljs, with_vobject

YEAR = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
STAMP = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
CHANGES = {"Europe/Paris": [(2027, 3, 28), (2027, 10, 31)], "America/Montreal": [(2027, 3, 14), (2027, 11, 7)]}
STATUSES = ["confirmed", "cancelled", "held", "pending_approval", "checked_in"]


@pytest.fixture(autouse=True)
def _node(settings):
    settings.ESSAIM_NODE_URL = "https://essaim.example"
    with translation.override("fr"):
        yield


def starts(zone: str) -> list[datetime]:
    """Every half hour from midnight to 4:00 on each change day, both readings of a repeated wall
    time, and 9:00 the day before and the day of the change."""
    tz = ZoneInfo(zone)
    found = set()
    for day in CHANGES[zone]:
        before = datetime(*day, 9, 0) - timedelta(days=1)
        found.add(before.replace(tzinfo=tz).astimezone(UTC))
        found.add(datetime(*day, 9, 0, tzinfo=tz).astimezone(UTC))
        for minutes in range(0, 4 * 60 + 1, 30):
            for fold in (0, 1):
                wall = (datetime(*day) + timedelta(minutes=minutes)).replace(tzinfo=tz, fold=fold)
                found.add(wall.astimezone(UTC))
    return sorted(found)


def entries(zone: str) -> list[ics.BookingEntry]:
    rows = []
    for n, start in enumerate(starts(zone)):
        for hours in (1, 3):
            rows.append(
                ics.BookingEntry(
                    reference=f"{zone[:2].upper()}{n:04d}{hours:02d}",
                    status=STATUSES[(n + hours) % len(STATUSES)],
                    sequence=n % 3,
                    start=start,
                    end=start + timedelta(hours=hours),
                    tzid=zone,
                    resource_name="Salle Érable",
                    venue_name="La Ruche",
                    address="1 rue de la Paix, 75002 Paris, France",
                    latitude=48.86,
                    longitude=2.33,
                    url="https://essaim.example/reservations/x/",
                    amount_minor=1250 * (n % 2),
                    currency="EUR",
                    payment_state="due_at_venue",
                    quantity=1,
                    last_modified=STAMP,
                )
            )
    return rows


def booked(rows) -> list[tuple[str, datetime, datetime, str]]:
    """What the rows mean: UID, UTC start and end, iCalendar status, in the order the readers give."""
    found = [(ics.booking_uid(e.reference), e.start, e.end, ics.ical_status(e.status)) for e in rows]
    return sorted(found, key=lambda o: (o[1], o[0]))


def read_alike(body: bytes, meant: list[tuple[str, datetime, datetime, str]]) -> None:
    text = body.decode("utf-8")
    assert with_vobject(text, window=YEAR) == meant
    _need_icaljs()
    assert icaljs(text, window=YEAR) == meant


def test_the_cases_are_what_the_test_means():
    paris = entries("Europe/Paris")
    text = ics.person_calendar(paris, name="x").decode()
    # Both readings of 2:30 on 31 October are there, written in UTC (a reader would pick one).
    assert "DTSTART:20271031T003000Z" in text and "DTSTART:20271031T013000Z" in text
    # And an hour across the gap of 28 March: 1:30 to 3:30 on the wall clock.
    assert "DTSTART;TZID=Europe/Paris:20270328T013000\r\nDTEND;TZID=Europe/Paris:20270328T033000" in text
    assert {entry.status for entry in paris} == set(STATUSES)
    assert len(paris) > 40


@pytest.mark.parametrize("zone", sorted(CHANGES))
def test_a_persons_feed_is_read_as_we_mean_it(zone):
    rows = entries(zone)
    read_alike(ics.person_calendar(rows, name="Mes réservations"), booked(rows))


@pytest.mark.parametrize("zone", sorted(CHANGES))
def test_a_resources_feed_is_read_as_we_mean_it(zone):
    busy = [
        ics.BusyEntry(
            uid=ics.anonymous_uid(entry.reference),
            start=entry.start,
            end=entry.end,
            held=entry.status == "held",
            quantity=1 + n % 2,
            sequence=entry.sequence,
            last_modified=STAMP,
        )
        for n, entry in enumerate(entries(zone))
        if ics.ical_status(entry.status) != "CANCELLED"
    ]
    meant = sorted(
        ((entry.uid, entry.start, entry.end, "TENTATIVE" if entry.held else "CONFIRMED") for entry in busy),
        key=lambda o: (o[1], o[0]),
    )
    assert {status for *_rest, status in meant} == {"CONFIRMED", "TENTATIVE"}
    read_alike(ics.resource_calendar(busy, name="Salle Érable — La Ruche", tzid=zone, location="La Ruche"), meant)


def awkward(entry: ics.BookingEntry) -> bool:
    """Whether the booking starts or ends in an hour a DST change skips or repeats, or spans one."""
    tz = ZoneInfo(entry.tzid)
    start, end = entry.start.astimezone(tz), entry.end.astimezone(tz)
    return start.utcoffset() != end.utcoffset() or any(
        moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset() for moment in (start, end)
    )


@pytest.mark.parametrize(("method", "status"), [("REQUEST", "confirmed"), ("CANCEL", "cancelled")])
@pytest.mark.parametrize("zone", sorted(CHANGES))
def test_an_invitation_is_read_as_we_mean_it(zone, method, status):
    """One invitation per booking, as e-mailed: every awkward one and one on each side of the change."""
    rows = [replace(entry, status=status) for entry in entries(zone)]
    chosen = [entry for entry in rows if awkward(entry) or entry.start.astimezone(ZoneInfo(zone)).hour == 9]
    assert len(chosen) > 10
    texts = []
    for entry in chosen:
        body = ics.person_calendar(
            [entry],
            name="La Ruche",
            method=method,
            organizer=("La Ruche", "bonjour@ruche.example"),
            attendee=("Alice", "alice@example.org"),
            stamp=STAMP,
        )
        assert f"METHOD:{method}\r\n".encode() in body
        texts.append(body.decode("utf-8"))
        assert with_vobject(texts[-1], window=YEAR) == booked([entry])
    _need_icaljs()
    assert icaljs("".join(texts), window=YEAR) == booked(chosen)  # one run of node reads them all
