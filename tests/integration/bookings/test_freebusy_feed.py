"""``/feeds/resources/<id>/freebusy.ics``: a resource's busy time as one VFREEBUSY (RFC 5545 3.6.4):
periods in UTC, BUSY or BUSY-TENTATIVE, merged, over the resource feed's window; nothing about who."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from bookings import services
from bookings.models import Booking, BookingStatus, BusyBlock

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 in Toronto
EVERY_DAY = [(day, "08:00", "20:00") for day in range(7)]

pytestmark = pytest.mark.django_db


def local(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TORONTO).astimezone(UTC)


@pytest.fixture(autouse=True)
def _clock_and_node(settings):
    settings.ESSAIM_NODE_URL = "https://essaim.example"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def venue(make_venue):
    return make_venue(
        title="La Ruche de Toronto", city="Toronto", country="CA", timezone="America/Toronto", opening_hours=EVERY_DAY
    )


@pytest.fixture
def room(make_resource, venue):
    return make_resource(venue, name="Salle Érable", horizon_days=60)


@pytest.fixture
def alice(make_user):
    return make_user("alice", first_name="Alice", last_name="Tremblay")


def book(user, resource, start, end, **options):
    return services.booking_create(
        user=user, request=services.BookingRequest(resource, start, end, options.pop("quantity", 1)), now=NOW, **options
    )


def url(resource) -> str:
    return reverse("feeds:resource-freebusy", kwargs={"pk": resource.pk})


def freebusy(response):
    assert response.status_code == 200, response.content[:300]
    [component] = Calendar.from_ical(response.content).walk("VFREEBUSY")
    return component


def periods(response) -> list[tuple[datetime, datetime, str]]:
    """Every FREEBUSY value, read line by line from the bytes (UTC, ``start/end``)."""
    out = []
    for line in response.content.decode().replace("\r\n ", "").split("\r\n"):
        if line.startswith("FREEBUSY"):
            params, value = line.split(":", 1)
            fbtype = dict(p.split("=") for p in params.split(";")[1:]).get("FBTYPE", "BUSY")
            for period in value.split(","):
                start, end = period.split("/")
                parse = lambda text: datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)  # noqa: E731
                out.append((parse(start), parse(end), fbtype))
    return out


def test_fbtype_follows_the_status(client, room, make_resource, venue, alice, make_user):
    confirmed = book(alice, room, local(8, 9), local(8, 10))
    checked_in = book(make_user(), room, local(8, 14), local(8, 15))
    Booking.objects.filter(pk=checked_in.pk).update(status=BookingStatus.CHECKED_IN)
    book(make_user(), room, local(9, 9), local(9, 10), hold=True)
    cancelled = book(make_user(), room, local(9, 12), local(9, 13))
    services.booking_cancel(booking=cancelled, actor=cancelled.user, now=NOW)
    BusyBlock.objects.create(resource=room, start=local(10, 9), end=local(10, 10), source="calendar:1", uid="x")
    BusyBlock.objects.create(resource=room, start=local(10, 12), end=local(10, 13), source="https://peer.example")
    assert periods(client.get(url(room))) == [
        (local(8, 9), local(8, 10), "BUSY"),
        (local(8, 14), local(8, 15), "BUSY"),
        (local(9, 9), local(9, 10), "BUSY-TENTATIVE"),
        (local(10, 9), local(10, 10), "BUSY"),
        (local(10, 12), local(10, 13), "BUSY"),
    ]
    assert confirmed.status == BookingStatus.CONFIRMED

    council = make_resource(venue, name="Conseil", approval_required=True)
    request = book(alice, council, local(11, 9), local(11, 10))
    assert request.status == BookingStatus.PENDING_APPROVAL
    assert periods(client.get(url(council))) == [(local(11, 9), local(11, 10), "BUSY-TENTATIVE")]


def test_an_expired_hold_leaves_by_itself(client, room, alice):
    book(alice, room, local(9, 9), local(9, 10), hold=True)
    assert len(periods(client.get(url(room)))) == 1
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assert periods(client.get(url(room))) == []


def test_periods_are_merged_and_sorted(client, room, alice, make_user):
    book(make_user(), room, local(8, 10), local(8, 11))
    book(alice, room, local(8, 9), local(8, 10))  # adjoins the one after it
    book(make_user(), room, local(8, 11), local(8, 12), hold=True)  # tentative, adjoining: kept apart
    BusyBlock.objects.create(resource=room, start=local(8, 11, 30), end=local(8, 13))  # busy over the hold
    assert periods(client.get(url(room))) == [
        (local(8, 9), local(8, 11), "BUSY"),
        (local(8, 11), local(8, 11, 30), "BUSY-TENTATIVE"),
        (local(8, 11, 30), local(8, 13), "BUSY"),
    ]


def test_a_pool_is_busy_only_when_full(client, make_resource, venue, alice, make_user):
    pool = make_resource(venue, name="Open space", kind="desk_pool", capacity=3)
    book(alice, pool, local(8, 9), local(8, 12), quantity=2)
    assert periods(client.get(url(pool))) == []  # a desk is still free
    book(make_user(), pool, local(8, 10), local(8, 11))
    book(make_user(), pool, local(8, 11), local(8, 12), hold=True)
    assert periods(client.get(url(pool))) == [
        (local(8, 10), local(8, 11), "BUSY"),
        (local(8, 11), local(8, 12), "BUSY-TENTATIVE"),
    ]


def test_window_is_the_resource_feeds_in_whole_days(client, room, alice):
    component = freebusy(client.get(url(room)))
    assert component.decoded("DTSTART") == datetime(2026, 1, 31, tzinfo=UTC)  # 30 days back, from midnight
    assert component.decoded("DTEND") == datetime(2026, 5, 2, tzinfo=UTC)  # the 60-day horizon, to midnight
    book(alice, room, local(3, 9), local(3, 10))
    with time_machine.travel(NOW + timedelta(days=40), tick=False):
        assert periods(client.get(url(room))) == []  # 3 March is more than 30 days back
    with time_machine.travel(NOW + timedelta(days=20), tick=False):
        assert len(periods(client.get(url(room)))) == 1
    later = datetime(2026, 4, 29, 23, 0, tzinfo=UTC)
    BusyBlock.objects.create(resource=room, start=later, end=later + timedelta(days=5))
    assert periods(client.get(url(room)))[-1] == (later, datetime(2026, 5, 2, tzinfo=UTC), "BUSY")  # clipped


def test_nothing_personal_and_public_caching(client, room, alice):
    booking = book(alice, room, local(8, 9), local(8, 11), note="Réunion confidentielle avec Desjardins")
    BusyBlock.objects.create(
        resource=room, start=local(10, 13), end=local(10, 14), source="calendar:7", uid="secret-event@google.com"
    )
    response = client.get(url(room))
    body = response.content.decode()
    for personal in ("alice", "Alice", "Tremblay", "Desjardins", "confidentielle", booking.reference, "google"):
        assert personal not in body
    for property_name in ("VEVENT", "SUMMARY", "DESCRIPTION", "ORGANIZER", "ATTENDEE", "CONTACT"):
        assert property_name not in body
    component = freebusy(response)
    assert str(component["UID"]) == f"freebusy-resource-{room.pk}@essaim.example"
    assert str(component["URL"]).startswith("https://essaim.example/") and str(room.pk) in str(component["URL"])
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "public" in response["Cache-Control"] and response["Access-Control-Allow-Origin"] == "*"


def test_conditional_get_and_the_cache(client, room, alice):
    book(alice, room, local(8, 9), local(8, 11))
    first = client.get(url(room))
    assert client.get(url(room)).content == first.content
    assert client.get(url(room), headers={"if-none-match": first["ETag"]}).status_code == 304
    assert client.get(url(room), headers={"if-modified-since": first["Last-Modified"]}).status_code == 304
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):  # the window has not moved a day
        assert client.get(url(room), headers={"if-none-match": first["ETag"]}).status_code == 304
    later = NOW + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        booking = Booking.objects.get()
        services.booking_cancel(booking=booking, actor=alice, now=later)
        after = client.get(url(room), headers={"if-none-match": first["ETag"]})
        assert after.status_code == 200 and periods(after) == []
        assert client.get(url(room), headers={"if-modified-since": first["Last-Modified"]}).status_code == 200


def test_unknown_resource_is_404(client, room):
    assert client.get(reverse("feeds:resource-freebusy", kwargs={"pk": room.pk + 1000})).status_code == 404


def test_queries_do_not_grow_with_bookings(client, room, make_user, django_assert_max_num_queries):
    client.get(url(room))  # warms the site's root paths, cached across requests
    for day in range(8, 14):
        book(make_user(), room, local(day, 9), local(day, 10))
    for day in range(14, 18):
        BusyBlock.objects.create(resource=room, start=local(day, 9), end=local(day, 10))
    with django_assert_max_num_queries(5):
        assert len(periods(client.get(url(room)))) == 10
