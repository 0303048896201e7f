"""``/feeds/resources/<id>.ics``: when a resource is taken, with nothing about who took it."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from icalendar import Calendar

from bookings import ics, services
from bookings.models import BusyBlock

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 in Toronto
EVERY_DAY = [(day, "08:00", "20:00") for day in range(7)]


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TORONTO).astimezone(UTC)


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
    return make_resource(venue, name="Salle Érable", price_minor=1500, horizon_days=60)


@pytest.fixture
def alice(make_user):
    return make_user("alice", first_name="Alice", last_name="Tremblay")


def book(user, resource, start, end, **options):
    return services.booking_create(
        user=user, request=services.BookingRequest(resource, start, end), now=options.pop("now", NOW), **options
    )


def url(resource) -> str:
    return reverse("feeds:resource", kwargs={"pk": resource.pk})


def events(response) -> list:
    assert response.status_code == 200, response.content[:300]
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


@pytest.mark.django_db
def test_busy_time_without_personal_data(client, room, alice):
    confirmed = book(alice, room, local(8, 9), local(8, 11), note="Réunion confidentielle avec Desjardins")
    held = book(alice, room, local(9, 14), local(9, 15), hold=True)
    response = client.get(url(room))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "public" in response["Cache-Control"]
    body = response.content.decode()
    for personal in (alice.username, alice.email, "Alice", "Tremblay", "Desjardins", "confidentielle"):
        assert personal not in body
    for reference in (confirmed.reference, held.reference):
        assert reference not in body
    assert "ATTENDEE" not in body and "ORGANIZER" not in body and "DESCRIPTION" not in body
    with translation.override("fr"):  # the feed's default language
        booked, held = gettext("Booked"), gettext("Held")
    found = {str(event["SUMMARY"]): event for event in events(response)}
    assert set(found) == {booked, held}
    assert str(found[booked]["STATUS"]) == "CONFIRMED" and str(found[held]["STATUS"]) == "TENTATIVE"
    assert found[booked]["DTSTART"].params["TZID"] == "America/Toronto"
    assert found[booked].decoded("DTSTART") == datetime(2026, 3, 8, 9, 0, tzinfo=TORONTO)  # DST day, EDT
    calendar = Calendar.from_ical(response.content)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["America/Toronto"]
    [occurrence] = recurring_ical_events.of(calendar).between(date(2026, 3, 8), date(2026, 3, 9))
    assert occurrence["DTSTART"].dt.astimezone(UTC) == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_uids_are_stable_and_cancelled_or_expired_bookings_leave(client, room, alice, make_user):
    booking = book(alice, room, local(8, 9), local(8, 11))
    hold = book(make_user(), room, local(9, 9), local(9, 10), hold=True)
    first = {str(event["UID"]) for event in events(client.get(url(room)))}
    assert first == {str(event["UID"]) for event in events(client.get(url(room)))}
    assert len(first) == 2
    services.booking_cancel(booking=booking, actor=alice, now=NOW)
    later = NOW + timedelta(hours=1)  # the hold ran out, whether or not a worker marked it
    with time_machine.travel(later, tick=False):
        assert events(client.get(url(room))) == []
    hold.refresh_from_db()
    assert hold.status == "held"


@pytest.mark.django_db
def test_busy_blocks_appear_without_their_source(client, room):
    BusyBlock.objects.create(
        resource=room,
        start=local(10, 13),
        end=local(10, 14),
        source="https://calendar.google.com/private-abc/basic.ics",
        uid="secret-event@google.com",
    )
    response = client.get(url(room) + "?lang=en")
    [event] = events(response)
    assert str(event["SUMMARY"]) == "Booked"
    assert "google" not in response.content.decode()
    assert event.decoded("DTSTART") == datetime(2026, 3, 10, 13, 0, tzinfo=TORONTO)


@pytest.mark.django_db
def test_window_runs_from_30_days_back_to_the_horizon(client, room, alice, make_user):
    past = book(alice, room, local(3, 9), local(3, 10))
    with time_machine.travel(NOW + timedelta(days=40), tick=False):
        assert events(client.get(url(room))) == []  # 3 March is more than 30 days back
    with time_machine.travel(NOW + timedelta(days=20), tick=False):
        assert len(events(client.get(url(room)))) == 1
    assert past.status == "confirmed"


@pytest.mark.django_db
def test_unknown_or_inactive_resource_is_404(client, room):
    assert client.get(reverse("feeds:resource", kwargs={"pk": 999999})).status_code == 404
    assert client.get("/feeds/resources/99999999999999999999999.ics").status_code == 404
    room.is_active = False
    room.save(update_fields=["is_active"])
    assert client.get(url(room)).status_code == 404


@pytest.mark.django_db
def test_etag_last_modified_and_head(client, room, alice):
    book(alice, room, local(8, 9), local(8, 11))
    response = client.get(url(room))
    etag = response["ETag"]
    assert response["Last-Modified"]
    not_modified = client.get(url(room), headers={"if-none-match": etag})
    assert not_modified.status_code == 304 and not_modified["ETag"] == etag
    assert client.get(url(room), headers={"if-modified-since": response["Last-Modified"]}).status_code == 304
    head = client.head(url(room))
    assert head.status_code == 200 and head["ETag"] == etag
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        book(alice, room, local(9, 9), local(9, 10), now=NOW + timedelta(minutes=1))
        changed = client.get(url(room), headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


@pytest.mark.django_db
def test_language_can_be_chosen(client, room, alice):
    book(alice, room, local(8, 9), local(8, 11))
    with translation.override("fr"):
        booked_fr = gettext("Booked")

    def summary(query: str) -> str:
        [event] = events(client.get(url(room) + query))
        return str(event["SUMMARY"])

    assert summary("?lang=en") == "Booked"
    assert summary("") == summary("?lang=xx") == booked_fr  # unknown: the default language


@pytest.mark.django_db
def test_queries_do_not_grow_with_bookings(client, room, make_user):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(room)).status_code == 200
        return len(queries)

    count()  # warms the site's root paths, cached across requests
    few = count()
    for day in range(8, 14):
        book(make_user(), room, local(day, 9), local(day, 10))
    BusyBlock.objects.create(resource=room, start=local(20, 9), end=local(20, 10))
    assert count() == few <= 4


@pytest.mark.django_db
def test_rendered_once_while_nothing_changes(client, room, alice, monkeypatch):
    renders = []
    original = ics.resource_calendar
    monkeypatch.setattr(
        ics, "resource_calendar", lambda *args, **kwargs: renders.append(1) or original(*args, **kwargs)
    )
    book(alice, room, local(8, 9), local(8, 11))
    first = client.get(url(room))
    assert client.get(url(room)).content == first.content  # from the cache
    assert client.get(url(room), headers={"if-none-match": first["ETag"]}).status_code == 304  # no render at all
    assert len(renders) == 1
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        book(alice, room, local(9, 9), local(9, 10), now=NOW + timedelta(minutes=1))
        assert len(events(client.get(url(room)))) == 2
    assert len(renders) == 2
