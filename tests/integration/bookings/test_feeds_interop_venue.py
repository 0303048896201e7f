"""The free/busy feed and the venue team's feed, read by parsers written by others: ical.js (with
node) and vobject 0.9.9 must read every period and its FBTYPE, and every booking with its UTC start
and end, status, summary (the booker's name) and description, as the database holds them. Bookings
are made through the services around Toronto's DST change (8 March 2026), names are long enough to
fold and carry accents.

Without node or ``node_modules`` the ical.js half is skipped, unless ``ESSAIM_REQUIRE_INTEROP=1``.
"""

import json
import subprocess
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
import vobject
from django.contrib.auth.models import Group
from django.urls import reverse

from bookings import services
from bookings.models import Booking, BookingStatus, BusyBlock
from core.roles import NETWORK_ADMINS
from tests.unit.test_ical_interop import ROOT, _need_icaljs, icaljs, with_vobject

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
YEAR = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
AROUND_THE_CLOCK = [(day, "00:00", "23:59") for day in range(7)]
FREEBUSY_READER = ROOT / "tests" / "interop" / "read_freebusy_icaljs.mjs"
TEXT_READER = ROOT / "tests" / "interop" / "read_text_icaljs.mjs"


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TORONTO).astimezone(UTC)


@pytest.fixture(autouse=True)
def _clock_and_node(settings):
    settings.ESSAIM_NODE_URL = "https://essaim.example"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def place(make_venue, make_resource, make_user, django_user_model):
    venue = make_venue(
        title="La Ruche de Toronto — Maison des Érables",
        city="Toronto",
        country="CA",
        timezone="America/Toronto",
        opening_hours=AROUND_THE_CLOCK,
    )
    room = make_resource(venue, name="Salle Érable, au bout du couloir à gauche", horizon_days=60)
    council = make_resource(venue, name="Conseil", approval_required=True, horizon_days=60)
    people = [
        make_user(f"p{i}", first_name=first, last_name=last)
        for i, (first, last) in enumerate(
            [("Zoé", "Lefèvre-Bélanger"), ("Mathéo", "Tremblay"), ("Ада", "Лавлейс"), ("Jean", "O'Brien; Fils")]
        )
    ]

    def book(who, resource, start, end, **options):
        request = services.BookingRequest(resource, start, end)
        return services.booking_create(user=people[who], request=request, now=NOW, **options)

    bookings = [
        book(0, room, local(8, 1), local(8, 4)),  # across the spring change (2:00 → 3:00)
        book(1, room, local(8, 4), local(8, 5)),  # adjoins: merged into the period before
        book(2, room, local(9, 9), local(9, 10), hold=True),
        book(3, room, local(9, 10), local(9, 11)),
        book(0, council, local(10, 9), local(10, 10)),  # awaiting approval
    ]
    checked = book(1, room, local(2, 11), local(2, 12))
    Booking.objects.filter(pk=checked.pk).update(status=BookingStatus.CHECKED_IN)
    BusyBlock.objects.create(resource=room, start=local(11, 8), end=local(11, 9), source="calendar:1", uid="x")
    BusyBlock.objects.create(resource=room, start=local(11, 8, 30), end=local(11, 12), source="calendar:1", uid="y")
    return venue, room, council, [*bookings, Booking.objects.get(pk=checked.pk)]


def read_freebusy_icaljs(text: str) -> dict:
    done = subprocess.run(
        ["node", str(FREEBUSY_READER)], input=text, capture_output=True, text=True, cwd=ROOT, timeout=60, check=True
    )
    found = json.loads(done.stdout)
    instant = datetime.fromisoformat
    return {
        "window": (instant(found["start"]), instant(found["end"])),
        "periods": [(instant(p["start"]), instant(p["end"]), p["fbtype"]) for p in found["periods"]],
    }


def read_freebusy_vobject(text: str) -> dict:
    component = vobject.readOne(text).vfreebusy
    periods = []
    for line in getattr(component, "freebusy_list", []):
        [fbtype] = line.params.get("FBTYPE", ["BUSY"])
        periods += [(start.astimezone(UTC), end.astimezone(UTC), fbtype) for start, end in line.value]
    return {
        "window": (component.dtstart.value.astimezone(UTC), component.dtend.value.astimezone(UTC)),
        "periods": periods,
    }


def test_the_free_busy_feed_is_read_alike(client, place):
    _venue, room, _council, _bookings = place
    response = client.get(reverse("feeds:resource-freebusy", kwargs={"pk": room.pk}))
    assert response.status_code == 200
    text = response.content.decode()
    expected = {
        "window": (datetime(2026, 1, 31, tzinfo=UTC), datetime(2026, 5, 2, tzinfo=UTC)),
        "periods": [
            (local(2, 11), local(2, 12), "BUSY"),  # checked in
            (local(8, 1), local(8, 5), "BUSY"),  # four hours of wall clock, three real ones
            (local(9, 9), local(9, 10), "BUSY-TENTATIVE"),
            (local(9, 10), local(9, 11), "BUSY"),
            (local(11, 8), local(11, 12), "BUSY"),
        ],
    }
    assert local(8, 5) - local(8, 1) == timedelta(hours=3)
    assert read_freebusy_vobject(text) == expected
    _need_icaljs()
    assert read_freebusy_icaljs(text) == expected


def test_the_team_feed_is_read_alike(client, place, make_user):
    venue, _room, _council, bookings = place
    admin = make_user("network")
    admin.groups.add(Group.objects.get(name=NETWORK_ADMINS))
    feed = services.venue_feed_ensure(venue=venue, actor=admin)
    response = client.get(reverse("feeds:venue-team", kwargs={"secret": feed.secret}) + "?lang=en")
    assert response.status_code == 200
    text = response.content.decode()
    tentative = {BookingStatus.HELD, BookingStatus.PENDING_APPROVAL}
    expected = sorted(
        (
            (
                f"team-{b.reference}@essaim.example",
                b.start,
                b.end,
                "TENTATIVE" if b.status in tentative else "CONFIRMED",
            )
            for b in bookings
        ),
        key=lambda o: (o[1], o[0]),
    )
    assert with_vobject(text, window=YEAR) == expected

    parsed = vobject.readOne(text)
    summaries = {vevent.uid.value: vevent.summary.value for vevent in parsed.vevent_list}
    for booking in bookings:
        name = booking.user.get_full_name()
        summary = summaries[f"team-{booking.reference}@essaim.example"]
        assert summary == f"{booking.resource.name} — {name}"
    _need_icaljs()
    assert icaljs(text, window=YEAR) == expected
    done = subprocess.run(
        ["node", str(TEXT_READER)], input=json.dumps([text]), capture_output=True, text=True, cwd=ROOT, check=True
    )
    [read] = json.loads(done.stdout)
    assert read["name"] == f"{venue.title} — team bookings"
    by_uid = {event["uid"]: event for event in read["events"]}
    for booking in bookings:
        event = by_uid[f"team-{booking.reference}@essaim.example"]
        assert event["summary"] == summaries[event["uid"]]
        assert f"Booked by: {booking.user.get_full_name()} <{booking.user.email}>" in event["description"]
