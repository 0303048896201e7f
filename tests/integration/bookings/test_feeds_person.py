"""``/feeds/me/<secret>.ics``: a person's bookings, read back by icalendar and recurring-ical-events."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from bookings import services
from bookings.models import Booking, Resource

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 in Toronto
EVERY_DAY = [(day, "08:00", "20:00") for day in range(7)]


def local(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TORONTO).astimezone(UTC)


@pytest.fixture(autouse=True)
def _clock_and_node(settings):
    settings.ESSAIM_NODE_URL = "https://essaim.example"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def room(make_venue, make_resource):
    venue = make_venue(
        title="La Ruche de Toronto",
        city="Toronto",
        country="CA",
        street_address="100 Queen St W",
        postcode="M5H 2N2",
        latitude=43.6532,
        longitude=-79.3832,
        timezone="America/Toronto",
        opening_hours=EVERY_DAY,
    )
    return make_resource(venue, name="Salle Érable")


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def book(user, resource, start, end, **options) -> Booking:
    return services.booking_create(
        user=user, request=services.BookingRequest(resource, start, end), now=options.pop("now", NOW), **options
    )


def feed_url(user) -> str:
    return reverse("feeds:me", kwargs={"secret": services.calendar_feed_ensure(user=user).secret})


def get_calendar(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content[:300]
    return response, Calendar.from_ical(response.content)


def by_uid(calendar: Calendar) -> dict:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.mark.django_db
def test_feed_lists_bookings_in_the_venue_zone(client, room, alice):
    # Sunday 8 March 2026: Toronto springs forward at 2:00 (a 23-hour day).
    booking = book(alice, room, local(8, 9), local(8, 11), note="Bring the projector")
    response, calendar = get_calendar(client, feed_url(alice))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert response["ETag"].startswith('"') and response["Last-Modified"]
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content
    assert str(calendar["X-WR-CALNAME"])
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "America/Toronto"
    event = by_uid(calendar)[f"booking-{booking.reference}@essaim.example"]
    assert event["DTSTART"].params["TZID"] == "America/Toronto"
    assert event.decoded("DTSTART") == datetime(2026, 3, 8, 9, 0, tzinfo=TORONTO)
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Salle Érable @ La Ruche de Toronto"
    assert "100 Queen St W" in str(event["LOCATION"]) and "Toronto" in str(event["LOCATION"])
    assert round(event["GEO"].latitude, 4) == 43.6532
    assert str(event["URL"]).startswith("https://essaim.example/")
    assert booking.reference in str(event["DESCRIPTION"])
    [occurrence] = recurring_ical_events.of(calendar).between(date(2026, 3, 8), date(2026, 3, 9))
    assert occurrence["DTSTART"].dt.astimezone(UTC) == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)  # EDT
    assert occurrence["DTEND"].dt - occurrence["DTSTART"].dt == timedelta(hours=2)


@pytest.mark.django_db
def test_times_either_side_of_the_dst_change(client, room, alice):
    saturday = book(alice, room, local(7, 9), local(7, 10))
    sunday = book(alice, room, local(8, 9), local(8, 10))
    _response, calendar = get_calendar(client, feed_url(alice))
    found = recurring_ical_events.of(calendar).between(date(2026, 3, 7), date(2026, 3, 9))
    starts = {str(event["UID"]).split("@")[0]: event["DTSTART"].dt for event in found}
    assert starts[f"booking-{saturday.reference}"].astimezone(UTC).hour == 14  # 9:00 EST = UTC-5
    assert starts[f"booking-{sunday.reference}"].astimezone(UTC).hour == 13  # 9:00 EDT = UTC-4
    assert {value.hour for value in starts.values()} == {9}


@pytest.mark.django_db
def test_uid_stable_and_sequence_grows_after_a_cancel(client, room, alice):
    booking = book(alice, room, local(9, 9), local(9, 10))
    url = feed_url(alice)
    first, calendar = get_calendar(client, url)
    second, again = get_calendar(client, url)
    uid = f"booking-{booking.reference}@essaim.example"
    assert set(by_uid(calendar)) == set(by_uid(again)) == {uid}
    assert first.content == second.content and first["ETag"] == second["ETag"]

    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        services.booking_cancel(booking=booking, actor=alice, now=NOW + timedelta(minutes=5))
        third, cancelled = get_calendar(client, url)
    event = by_uid(cancelled)[uid]  # still there, so that calendars remove it
    assert int(event["SEQUENCE"]) == int(by_uid(calendar)[uid]["SEQUENCE"]) + 1
    assert str(event["STATUS"]) == "CANCELLED"
    assert third["ETag"] != first["ETag"]
    assert recurring_ical_events.of(cancelled).between(date(2026, 3, 9), date(2026, 3, 10))  # parses


@pytest.mark.django_db
def test_pending_and_held_bookings_are_tentative(client, make_resource, room, alice):
    approval_room = make_resource(room.venue, name="Grande salle", approval_required=True)
    pending = book(alice, approval_room, local(10, 9), local(10, 10))
    paid_room = make_resource(room.venue, name="Studio", price_minor=2000)
    held = book(alice, paid_room, local(10, 11), local(10, 12), hold=True)
    _response, calendar = get_calendar(client, feed_url(alice))
    events = by_uid(calendar)
    assert str(events[f"booking-{pending.reference}@essaim.example"]["STATUS"]) == "TENTATIVE"
    assert str(events[f"booking-{held.reference}@essaim.example"]["STATUS"]) == "TENTATIVE"


@pytest.mark.django_db
def test_conditional_requests_get_304(client, room, alice):
    book(alice, room, local(9, 9), local(9, 10))
    url = feed_url(alice)
    response = client.get(url)
    etag, modified = response["ETag"], response["Last-Modified"]
    not_modified = client.get(url, headers={"if-none-match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == etag and "private" in not_modified["Cache-Control"]
    assert client.get(url, headers={"if-modified-since": modified}).status_code == 304
    assert client.get(url, headers={"if-none-match": '"other"'}).status_code == 200
    head = client.head(url)
    assert head.status_code == 200 and head["ETag"] == etag and head.content == b""
    assert client.post(url).status_code == 405


@pytest.mark.django_db
def test_wrong_or_regenerated_secret_is_404(client, room, alice):
    book(alice, room, local(9, 9), local(9, 10))
    old = feed_url(alice)
    assert client.get(old).status_code == 200
    assert client.get(reverse("feeds:me", kwargs={"secret": "not-a-secret"})).status_code == 404
    assert client.get("/feeds/me/" + "x" * 300 + ".ics").status_code == 404
    feed = services.calendar_feed_regenerate(user=alice)
    assert client.get(old).status_code == 404
    assert client.get(reverse("feeds:me", kwargs={"secret": feed.secret})).status_code == 200


@pytest.mark.django_db
def test_window_starts_90_days_back_and_keeps_only_the_owner(client, room, alice, make_user):
    old = book(alice, room, local(3, 9), local(3, 10))
    recent = book(alice, room, local(5, 9, month=4), local(5, 10, month=4))
    other = book(make_user("bob"), room, local(9, 9), local(9, 10))
    later = NOW + timedelta(days=120)  # 30 June: the March booking is past the window, April's is not
    with time_machine.travel(later, tick=False):
        _response, calendar = get_calendar(client, feed_url(alice))
    uids = set(by_uid(calendar))
    assert f"booking-{recent.reference}@essaim.example" in uids
    assert f"booking-{old.reference}@essaim.example" not in uids
    assert f"booking-{other.reference}@essaim.example" not in uids


@pytest.mark.django_db
def test_feed_speaks_the_language_of_the_latest_booking(client, make_resource, room, alice):
    priced = make_resource(room.venue, name="Studio", price_minor=1000, currency="EUR")
    book(alice, priced, local(9, 9), local(9, 10), language="en")
    url = feed_url(alice)

    def descriptions() -> str:
        _response, calendar = get_calendar(client, url)
        return " ".join(str(event["DESCRIPTION"]) for event in calendar.walk("VEVENT"))

    assert "€10.00" in descriptions()
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        book(alice, priced, local(10, 9), local(10, 10), language="fr", now=NOW + timedelta(minutes=1))
        text = descriptions()
    assert "10,00\u00a0€" in text and "€10.00" not in text


@pytest.mark.django_db
def test_queries_do_not_grow_with_bookings(client, make_venue, make_resource, alice):
    rooms = [
        make_resource(make_venue(timezone=zone, opening_hours=EVERY_DAY), name=f"Salle {n}")
        for n, zone in enumerate(["America/Toronto", "Europe/Paris", "Africa/Dakar"])
    ]
    url = feed_url(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    book(alice, rooms[0], local(9, 9), local(9, 10))
    count()  # warms the site's root paths, cached across requests
    few = count()
    for day in range(10, 16):
        for resource in rooms:
            book(alice, resource, local(day, 9), local(day, 10))
    assert count() == few <= 5  # the feed, its bookings, their events and pages, the person's language


@pytest.mark.django_db
def test_any_change_to_what_is_shown_changes_the_etag(client, room, alice):
    book(alice, room, local(9, 9), local(9, 10))
    url = feed_url(alice)
    etag = client.get(url)["ETag"]
    # A bulk update leaves no time of change behind; the ETag follows the content all the same.
    Resource.objects.filter(pk=room.pk).update(name="Salle Bouleau")
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200 and response["ETag"] != etag
    assert "Salle Bouleau" in response.content.decode()


@pytest.mark.django_db
def test_a_person_without_bookings_gets_a_valid_empty_calendar(client, make_user):
    response, calendar = get_calendar(client, feed_url(make_user("newcomer")))
    assert list(calendar.walk("VEVENT")) == []
    calendar.validate()  # RFC 5545 wants a component: the default zone's VTIMEZONE
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert response["ETag"]
