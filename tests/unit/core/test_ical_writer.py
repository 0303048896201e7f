"""The lean iCalendar writer, read back by parsers written by others (icalendar and
recurring-ical-events): every field survives, lines are folded at 75 octets on character
boundaries, and a recurring series expands to the occurrences ``core.recurrence`` gives."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st

from core import recurrence
from core.ical_writer import Attendee, FeedEvent, calendar, escape_text, fold
from tests.unit.core.test_recurrence import synchronised

PARIS = ZoneInfo("Europe/Paris")
STAMP = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


def event(**fields) -> FeedEvent:
    defaults = {
        "uid": "event-1@essaim.test",
        "sequence": 2,
        "summary": "Apéro des entrepreneurs",
        "start": datetime(2026, 3, 3, 18, 30, tzinfo=PARIS),
        "end": datetime(2026, 3, 3, 20, 30, tzinfo=PARIS),
        "tz": "Europe/Paris",
        "stamp": STAMP,
    }
    return FeedEvent(**(defaults | fields))


def parse(text: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(text)


def test_an_invitation_names_its_method_product_organizer_and_attendee():
    """What booking invitations (iTIP) need besides a feed's fields; a name with a double quote, a
    comma or a line break stays one parameter value."""
    text = calendar(
        [
            event(
                organizer='La "Ruche", Lyon',
                organizer_email="bonjour@laruche.test",
                attendees=(Attendee(email="alice@example.org", name="Alice\nDurand", partstat="DECLINED"),),
                last_modified=STAMP - timedelta(days=1),
                transparency="TRANSPARENT",
                status="CANCELLED",
            )
        ],
        name="La Ruche",
        first_year=2026,
        last_year=2026,
        prodid="-//Essaim//Test//EN",
        method="CANCEL",
        refresh_hours=1,
    )
    parsed = parse(text)
    assert str(parsed["METHOD"]) == "CANCEL" and str(parsed["PRODID"]) == "-//Essaim//Test//EN"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    [vevent] = parsed.walk("VEVENT")
    assert str(vevent["ORGANIZER"]) == "mailto:bonjour@laruche.test"
    assert vevent["ORGANIZER"].params["CN"] == 'La "Ruche", Lyon'  # RFC 6868: ^' for the quotes
    assert str(vevent["ATTENDEE"]) == "mailto:alice@example.org"
    assert dict(vevent["ATTENDEE"].params) == {
        "CN": "Alice Durand",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "DECLINED",
        "RSVP": "FALSE",
    }
    assert vevent.decoded("LAST-MODIFIED") == STAMP - timedelta(days=1)
    assert str(vevent["TRANSP"]) == "TRANSPARENT"


def test_a_feed_names_no_method_and_a_calendar_without_events_keeps_its_zone():
    text = calendar([], name="Vide", first_year=2026, last_year=2026, zones=("America/Toronto", "UTC"))
    parsed = parse(text)
    assert "METHOD" not in parsed
    assert [str(zone["TZID"]) for zone in parsed.walk("VTIMEZONE")] == ["America/Toronto"]
    parsed.validate()


def test_a_recurring_series_with_an_exception_and_a_change_reads_back():
    series = event(
        rule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630T220000Z",
        exdates=(datetime(2026, 3, 10, 18, 30, tzinfo=PARIS),),
        description="Tous les mardis ; venez nombreux, avec vos idées.\nDeuxième ligne",
        location="La Ruche, 14 montée de la Grande-Côte, Lyon",
        url="https://essaim.test/fr/evenements/apero/",
        categories=("réseau", "afterwork"),
        geo=(45.77, 4.83),
        organizer="La Ruche",
        organizer_email="bonjour@laruche.test",
    )
    moved = event(
        recurrence_id=datetime(2026, 3, 17, 18, 30, tzinfo=PARIS),
        start=datetime(2026, 3, 18, 19, 0, tzinfo=PARIS),
        end=datetime(2026, 3, 18, 21, 0, tzinfo=PARIS),
        sequence=3,
    )
    cancelled = event(
        recurrence_id=datetime(2026, 3, 24, 18, 30, tzinfo=PARIS),
        start=datetime(2026, 3, 24, 18, 30, tzinfo=PARIS),
        end=datetime(2026, 3, 24, 20, 30, tzinfo=PARIS),
        status="CANCELLED",
        sequence=3,
    )
    text = calendar([series, moved, cancelled], name="Agenda, Essaim", first_year=2026, last_year=2026)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    parsed = parse(text)
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Paris"]
    first = parsed.walk("VEVENT")[0]
    assert str(first["SUMMARY"]) == "Apéro des entrepreneurs" and first["SEQUENCE"] == 2
    assert str(first["DESCRIPTION"]) == "Tous les mardis ; venez nombreux, avec vos idées.\nDeuxième ligne"
    assert first["DTSTART"].dt == datetime(2026, 3, 3, 18, 30, tzinfo=PARIS)
    assert str(first["URL"]) == "https://essaim.test/fr/evenements/apero/"
    assert first["GEO"].latitude == 45.77
    assert "\r\nNAME:Agenda\\, Essaim\r\n" in text  # TEXT, escaped (RFC 7986)

    found = recurring_ical_events.of(parsed).between(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    got = sorted((e["DTSTART"].dt.astimezone(UTC), str(e.get("STATUS"))) for e in found)
    assert [(m.astimezone(PARIS).day, status) for m, status in got] == [
        (3, "CONFIRMED"),
        (18, "CONFIRMED"),
        (24, "CANCELLED"),
        (31, "CONFIRMED"),
    ]


def test_folding_never_cuts_a_character():
    line = "SUMMARY:" + "é" * 100 + "🐝" * 30
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_escaping():
    assert escape_text("a,b;c\\d\r\ne") == "a\\,b\\;c\\\\d\\ne"


TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from([",", ";", "\\", "\n", ":"]), max_size=200
)


@settings(max_examples=150, deadline=None)
@given(
    summary=TEXT,
    description=TEXT,
    location=TEXT,
    uid=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80),
)
def test_any_text_survives_the_round_trip(summary, description, location, uid):
    text = calendar(
        [event(summary=summary, description=description, location=location, uid=uid)],
        name="x",
        first_year=2026,
        last_year=2026,
    )
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    [parsed] = parse(text).walk("VEVENT")
    assert str(parsed["SUMMARY"]) == summary
    assert str(parsed.get("DESCRIPTION", "")) == description
    assert str(parsed.get("LOCATION", "")) == location
    assert str(parsed["UID"]) == uid


ZONES = ["Europe/Paris", "America/New_York", "Africa/Dakar", "Indian/Reunion"]


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    first=st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31)),
    minutes=st.integers(30, 240),
    weekly=st.lists(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), min_size=1, max_size=2, unique=True),
    count=st.integers(1, 60),
    skip=st.sets(st.integers(1, 40), max_size=3),
)
def test_written_series_expand_like_our_recurrence(zone, first, minutes, weekly, count, skip):
    tz = ZoneInfo(zone)
    rule = f"FREQ=WEEKLY;BYDAY={','.join(weekly)};COUNT={count}"
    start = synchronised(rule, first.replace(second=0, microsecond=0), tz)
    plain = recurrence.Series(start=start, duration=timedelta(minutes=minutes), tz=tz, rule=rule)
    every = recurrence.starts(plain, horizon=datetime(2030, 1, 1, tzinfo=UTC))
    exdates = frozenset(every[i] for i in skip if i < len(every))
    series = recurrence.Series(start=start, duration=plain.duration, tz=tz, rule=rule, exdates=exdates)
    window = (datetime(2025, 12, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    ours = [
        o.start.astimezone(UTC)
        for o in recurrence.occurrences(series, window_start=window[0], window_end=window[1], horizon=window[1])
    ]
    text = calendar(
        [event(start=start, end=start + plain.duration, tz=zone, rule=rule, exdates=tuple(sorted(exdates)))],
        name="x",
        first_year=2025,
        last_year=2027,
    )
    theirs = sorted(e["DTSTART"].dt.astimezone(UTC) for e in recurring_ical_events.of(parse(text)).between(*window))
    assert ours == theirs
