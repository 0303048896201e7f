"""The iCalendar builders on plain rows: parsed back by icalendar and recurring-ical-events."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from django.utils import translation
from icalendar import Calendar

from bookings import ics

TORONTO = ZoneInfo("America/Toronto")
PARIS = ZoneInfo("Europe/Paris")
STAMP = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _node(settings):
    settings.ESSAIM_NODE_URL = "https://essaim.example"


def entry(**fields) -> ics.BookingEntry:
    defaults = {
        "reference": "AB12CD34",
        "status": "confirmed",
        "sequence": 0,
        # Sunday 8 March 2026 is Toronto's spring-forward day (23 hours): 9:00 EDT is 13:00 UTC.
        "start": datetime(2026, 3, 8, 9, 0, tzinfo=TORONTO).astimezone(UTC),
        "end": datetime(2026, 3, 8, 11, 0, tzinfo=TORONTO).astimezone(UTC),
        "tzid": "America/Toronto",
        "resource_name": "Salle Érable",
        "venue_name": "La Ruche de Toronto",
        "address": "100 Queen St W, M5H 2N2 Toronto, Canada",
        "latitude": 43.6532,
        "longitude": -79.3832,
        "url": "https://essaim.example/reservations/7/",
        "amount_minor": 1250,
        "currency": "EUR",
        "payment_state": "due_at_venue",
        "quantity": 1,
        "last_modified": STAMP,
    }
    return ics.BookingEntry(**(defaults | fields))


def parse(body: bytes) -> Calendar:
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    return Calendar.from_ical(body)


def events(calendar: Calendar):
    return list(calendar.walk("VEVENT"))


def test_person_calendar_has_the_calendar_properties():
    body = ics.person_calendar([entry()], name="My bookings")
    calendar = parse(body)
    assert str(calendar["PRODID"]) == ics.PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"]) == "My bookings"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in body
    assert "METHOD" not in calendar  # a feed, not an iTIP message


def test_event_carries_uid_sequence_times_and_place_on_a_dst_day():
    calendar = parse(ics.person_calendar([entry(sequence=3)], name="x"))
    [event] = events(calendar)
    assert str(event["UID"]) == "booking-AB12CD34@essaim.example"
    assert int(event["SEQUENCE"]) == 3
    assert event["DTSTART"].params["TZID"] == "America/Toronto"
    assert event["DTEND"].params["TZID"] == "America/Toronto"
    assert event.decoded("DTSTART") == datetime(2026, 3, 8, 9, 0, tzinfo=TORONTO)
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)
    assert event.decoded("DTSTAMP") == STAMP
    assert event.decoded("LAST-MODIFIED") == STAMP
    assert str(event["SUMMARY"]) == "Salle Érable @ La Ruche de Toronto"
    assert "100 Queen St W" in str(event["LOCATION"])
    assert (event["GEO"].latitude, event["GEO"].longitude) == (43.6532, -79.3832)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == "https://essaim.example/reservations/7/"
    assert "AB12CD34" in str(event["DESCRIPTION"])
    # One VTIMEZONE for the zone used, and its rules put the spring-forward on that Sunday.
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "America/Toronto"
    assert calendar.get_missing_tzids() == set()


def test_recurring_ical_events_reads_the_local_times():
    calendar = parse(ics.person_calendar([entry()], name="x"))
    [event] = recurring_ical_events.of(calendar).between(date(2026, 3, 8), date(2026, 3, 9))
    assert event["DTSTART"].dt == datetime(2026, 3, 8, 9, 0, tzinfo=TORONTO)
    assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(hours=2)
    assert event["DTSTART"].dt.utcoffset() == timedelta(hours=-4)  # EDT since 2:00 that morning


def test_a_vtimezone_per_zone_in_sorted_order_and_paris_autumn_day():
    # 25 October 2026, Paris falls back: 9:00 CET is 8:00 UTC (it was 7:00 UTC the day before).
    paris = entry(
        reference="PARIS001",
        start=datetime(2026, 10, 25, 9, 0, tzinfo=PARIS).astimezone(UTC),
        end=datetime(2026, 10, 25, 10, 0, tzinfo=PARIS).astimezone(UTC),
        tzid="Europe/Paris",
    )
    calendar = parse(ics.person_calendar([entry(), paris], name="x"))
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["America/Toronto", "Europe/Paris"]
    found = recurring_ical_events.of(calendar).between(date(2026, 10, 25), date(2026, 10, 26))
    assert [event.decoded("DTSTART").astimezone(UTC) for event in found] == [datetime(2026, 10, 25, 8, 0, tzinfo=UTC)]


def test_lines_are_folded_and_end_with_crlf():
    long_name = "Salle de réunion du deuxième étage, côté jardin, avec vidéoprojecteur"
    body = ics.person_calendar([entry(resource_name=long_name, cancel_reason="x" * 200, status="cancelled")], name="x")
    lines = body.split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75  # octets, RFC 5545 section 3.1
    assert long_name in str(Calendar.from_ical(body).walk("VEVENT")[0]["SUMMARY"])


def test_output_is_deterministic():
    entries = [entry(), entry(reference="ZZ", tzid="Europe/Paris")]
    assert ics.person_calendar(entries, name="x") == ics.person_calendar(entries, name="x")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("pending_approval", "TENTATIVE"),
        ("held", "TENTATIVE"),
        ("confirmed", "CONFIRMED"),
        ("checked_in", "CONFIRMED"),
        ("cancelled", "CANCELLED"),
        ("rejected", "CANCELLED"),
        ("expired", "CANCELLED"),
    ],
)
def test_status(status, expected):
    [event] = events(parse(ics.person_calendar([entry(status=status)], name="x")))
    assert str(event["STATUS"]) == expected
    assert str(event["TRANSP"]) == ("TRANSPARENT" if expected == "CANCELLED" else "OPAQUE")


def test_cancelled_event_says_so_and_gives_the_reason():
    [event] = events(parse(ics.person_calendar([entry(status="cancelled", cancel_reason="Dégât des eaux")], name="x")))
    assert str(event["SUMMARY"]).endswith("Salle Érable @ La Ruche de Toronto")
    assert "Dégât des eaux" in str(event["DESCRIPTION"])


def test_amount_in_the_active_language():
    with translation.override("fr"):
        assert "12,50\u00a0€" in ics.payment_line(entry())
    with translation.override("en"):
        assert "€12.50" in ics.payment_line(entry())
        assert ics.payment_line(entry(amount_minor=0)) == "Free"
        assert ics.payment_line(entry(status="cancelled")) == "€12.50 — nothing to pay"
        assert ics.payment_line(entry(status="cancelled", payment_state="paid")) == "€12.50 — Paid"


def test_invitation_has_method_organizer_and_attendee():
    body = ics.person_calendar(
        [entry(status="cancelled", sequence=1)],
        name="x",
        method="CANCEL",
        organizer=("La Ruche", "hello@ruche.example"),
        attendee=("Alice", "alice@example.org"),
        stamp=datetime(2026, 3, 5, tzinfo=UTC),
    )
    calendar = parse(body)
    assert str(calendar["METHOD"]) == "CANCEL"
    [event] = events(calendar)
    assert str(event["ORGANIZER"]) == "mailto:hello@ruche.example"
    assert str(event["ATTENDEE"]) == "mailto:alice@example.org"
    assert event["ATTENDEE"].params["PARTSTAT"] == "DECLINED"
    assert event.decoded("DTSTAMP") == datetime(2026, 3, 5, tzinfo=UTC)
    assert event.decoded("LAST-MODIFIED") == STAMP


def busy(**fields) -> ics.BusyEntry:
    defaults = {
        "uid": ics.anonymous_uid("AB12CD34"),
        "start": datetime(2026, 3, 8, 13, 0, tzinfo=UTC),
        "end": datetime(2026, 3, 8, 15, 0, tzinfo=UTC),
        "held": False,
        "quantity": 1,
        "sequence": 0,
        "last_modified": STAMP,
    }
    return ics.BusyEntry(**(defaults | fields))


def test_resource_calendar_says_booked_or_held_only():
    with translation.override("en"):
        body = ics.resource_calendar(
            [busy(), busy(uid="busy-1@essaim.example", held=True, quantity=3)],
            name="Salle Érable",
            tzid="America/Toronto",
        )
    calendar = parse(body)
    booked, held = events(calendar)
    assert str(booked["SUMMARY"]) == "Booked" and str(booked["STATUS"]) == "CONFIRMED"
    assert str(held["SUMMARY"]) == "Held × 3" and str(held["STATUS"]) == "TENTATIVE"
    assert booked["DTSTART"].params["TZID"] == "America/Toronto"
    assert b"AB12CD34" not in body
    for event in (booked, held):
        assert "DESCRIPTION" not in event and "ATTENDEE" not in event and "ORGANIZER" not in event


def test_anonymous_uid_is_stable_and_hides_the_reference():
    uid = ics.anonymous_uid("AB12CD34")
    assert uid == ics.anonymous_uid("AB12CD34") != ics.anonymous_uid("AB12CD35")
    assert "AB12CD34" not in uid and uid.endswith("@essaim.example")


def test_an_empty_calendar_is_still_valid():
    body = ics.resource_calendar([], name="Salle", tzid="America/Toronto")
    calendar = parse(body)
    assert events(calendar) == []
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["America/Toronto"]
    calendar.validate()  # at least one component


def test_a_zone_without_offset_gives_correct_instants():
    """Africa/Dakar is UTC all year: its VTIMEZONE has a single offset, and its times read as UTC."""
    dakar = replace(
        entry(),
        start=datetime(2026, 3, 9, 9, 0, tzinfo=UTC),
        end=datetime(2026, 3, 9, 10, 0, tzinfo=UTC),
        tzid="Africa/Dakar",
    )
    calendar = parse(ics.person_calendar([dakar], name="x"))
    [event] = recurring_ical_events.of(calendar).between(date(2026, 3, 9), date(2026, 3, 10))
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def test_sequence_from_transitions():
    assert [ics.sequence_of(n) for n in (0, 1, 2, 5)] == [0, 0, 1, 4]
