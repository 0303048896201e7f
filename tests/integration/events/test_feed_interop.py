"""The real feeds, read by parsers written by others: events published through their pages
(``event_page_create``, ``programme_page_create``), fetched through the test client, and expanded
over a year by ical.js (Thunderbird's, with node) and vobject; both must give the occurrences
``events.selectors.occurrences`` gives — starts, ends and statuses — across DST changes, in three
zones, with moved, cancelled and night-time dates, a cancelled event and a programme at three
venues. icalendar checks the structure: every ``TZID`` used has its ``VTIMEZONE``.

Without node or ``node_modules`` the ical.js half is skipped, unless ``ESSAIM_REQUIRE_INTEROP=1``.
"""

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from events import selectors
from events.models import Event
from events.services import event_page_create, programme_page_create
from tests.unit.test_ical_interop import _need_icaljs, icaljs, with_vobject

pytestmark = pytest.mark.django_db

HOST = "essaim.example"
NOW = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
YEAR = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))


@pytest.fixture(autouse=True)
def _clock_and_node(settings):
    settings.ESSAIM_NODE_URL = f"https://{HOST}"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def network(make_venue):
    """Three zones, five kinds of schedule, a programme across three venues."""
    paris = make_venue(title="La Ruche", city="Paris", timezone="Europe/Paris", email="bonjour@ruche.example")
    montreal = make_venue(title="Maison Montréal", city="Montréal", country="CA", timezone="America/Montreal")
    dakar = make_venue("social_business_center", title="SBC Dakar", city="Dakar", country="SN", timezone="Africa/Dakar")
    evening = {"start_time": time(18, 30), "end_time": time(20, 30)}
    event_page_create(
        venue=paris,
        title="Mardis de l'ESS",
        start_date=date(2027, 2, 2),
        repeat="WEEKLY",
        repeat_until=date(2027, 6, 29),
        changes=[
            # Two days after the spring change, moved to the Wednesday; and one date cancelled.
            {
                "original_date": date(2027, 3, 30),
                "new_date": date(2027, 3, 31),
                "new_start_time": time(19, 0),
                "new_end_time": time(21, 0),
            },
            {"original_date": date(2027, 4, 13), "cancelled": True},
        ],
        **evening,
    )
    event_page_create(
        venue=montreal,
        title="Petit-déjeuner mensuel",
        start_date=date(2027, 1, 12),
        start_time=time(9, 0),
        end_time=time(12, 0),
        repeat="MONTHLY",  # no end: bounded at the horizon, across both changes of Montreal
    )
    event_page_create(
        venue=dakar, title="Forum", start_date=date(2027, 6, 20), start_time=time(10, 0), end_time=time(14, 0)
    )
    event_page_create(
        venue=paris,
        title="Jeudis annulés",
        start_date=date(2027, 2, 4),
        repeat="WEEKLY",
        repeat_until=date(2027, 5, 27),
        cancelled=True,
        cancel_reason="Salle en travaux",
        **evening,
    )
    for title, first, until in [
        ("Nuit du printemps", date(2027, 3, 26), date(2027, 3, 30)),  # Paris skips 2:00–3:00 on 28 March
        ("Nuit de l'automne", date(2027, 10, 29), date(2027, 11, 2)),  # and lives 2:00–3:00 twice on 31 October
    ]:
        event_page_create(
            venue=paris,
            title=title,
            start_date=first,
            start_time=time(2, 30),
            end_time=time(3, 30),
            repeat="DAILY",
            repeat_until=until,
        )
    session = {"start_time": time(9, 30), "end_time": time(17, 0), "capacity": 40}
    programme = programme_page_create(
        hub=dakar,
        title="Programme Afrique–Amériques",
        slug="afrique-ameriques",
        sessions=[
            {"title": "Ouverture", "venue": dakar, "start_date": date(2027, 3, 13), **session},
            {"title": "Montréal", "venue": montreal, "start_date": date(2027, 3, 14), **session},  # DST day
            {"title": "Clôture", "venue": paris, "start_date": date(2027, 10, 31), **session},  # DST day
        ],
    )
    return {"paris": paris, "programme": programme}


def ours(events) -> list[tuple[str, datetime, datetime, str]]:
    found = []
    for event in events:
        for o in selectors.occurrences(event, start=YEAR[0], end=YEAR[1]):
            cancelled = o.cancelled or event.status == "cancelled"
            found.append(
                (
                    f"{event.uid}@{HOST}",
                    o.start.astimezone(UTC),
                    o.end.astimezone(UTC),
                    "CANCELLED" if cancelled else "CONFIRMED",
                )
            )
    return sorted(found, key=lambda o: (o[1], o[0]))


def fetched(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode("utf-8")


def check_structure(text: str) -> Calendar:
    """icalendar reads it; every TZID used has a VTIMEZONE; every VEVENT has what RFC 5545 requires."""
    calendar = Calendar.from_ical(text)
    zones = {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")}
    used = set()
    for vevent in calendar.walk("VEVENT"):
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "URL"} <= set(vevent)
        for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            if name in vevent and "TZID" in vevent[name].params:
                used.add(vevent[name].params["TZID"])
    assert used and used <= zones
    return calendar


def feeds(client, network) -> dict[str, tuple[str, list[Event]]]:
    live = list(Event.objects.filter(live=True))
    return {
        "events": (fetched(client, reverse("feeds:events")), live),
        "venue": (
            fetched(client, reverse("feeds:venue", kwargs={"slug": network["paris"].slug})),
            [e for e in live if e.venue_id == network["paris"].pk],
        ),
        "programme": (
            fetched(client, reverse("feeds:programme", kwargs={"slug": network["programme"].slug})),
            [e for e in live if e.programme_id == network["programme"].pk],
        ),
    }


def test_the_network_is_what_the_test_means(network):
    events = Event.objects.filter(live=True)
    assert events.count() == 9
    assert {e.timezone for e in events} == {"Europe/Paris", "America/Montreal", "Africa/Dakar"}
    weekly = events.get(titles__fr="Mardis de l'ESS")
    assert len(weekly.changes) == 2
    expected = ours(events)
    assert {o[3] for o in expected} == {"CONFIRMED", "CANCELLED"}
    assert len(expected) > 60


def test_vobject_reads_every_feed_as_we_do(client, network):
    for name, (text, events) in feeds(client, network).items():
        check_structure(text)
        assert with_vobject(text, window=YEAR) == ours(events), name


def test_icaljs_reads_every_feed_as_we_do(client, network):
    _need_icaljs()
    for name, (text, events) in feeds(client, network).items():
        assert icaljs(text, window=YEAR) == ours(events), name


def test_the_english_feed_expands_alike(client, network):
    text = fetched(client, reverse("feeds:events") + "?lang=en")
    expected = ours(Event.objects.filter(live=True))
    assert with_vobject(text, window=YEAR) == expected
    _need_icaljs()
    assert icaljs(text, window=YEAR) == expected
