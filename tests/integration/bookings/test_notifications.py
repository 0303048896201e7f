"""E-mails to bookers, sent through the services' ``on_commit`` Celery tasks (eager in tests)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from icalendar import Calendar

from bookings import notifications, services
from bookings.models import BookingStatus
from venues.services import venue_translate

TORONTO = ZoneInfo("America/Toronto")
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday, 16:00 in Paris, 10:00 in Toronto
EVERY_DAY = [(day, "08:00", "20:00") for day in range(7)]


@pytest.fixture(autouse=True)
def _clock_and_node(settings):
    settings.ESSAIM_NODE_URL = "https://essaim.example"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def toronto_room(make_venue, make_resource):
    venue = make_venue(
        title="La Ruche de Toronto",
        city="Toronto",
        country="CA",
        street_address="100 Queen St W",
        timezone="America/Toronto",
        opening_hours=EVERY_DAY,
        email="bonjour@ruche.example",
    )
    return make_resource(venue, name="Salle Érable", price_minor=2000, currency="EUR", free_cancel_hours=48)


@pytest.fixture
def paris_room(make_venue, make_resource):
    venue = make_venue(title="Le Hangar", city="Paris", timezone="Europe/Paris", opening_hours=EVERY_DAY)
    return make_resource(venue, name="Salle Seine")


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def toronto(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=TORONTO).astimezone(UTC)


def paris(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=PARIS).astimezone(UTC)


def book(capture, user, resource, start, end, **options):
    with capture(execute=True):
        return services.booking_create(
            user=user, request=services.BookingRequest(resource, start, end), now=NOW, **options
        )


def translated(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def page(language: str, name: str, **kwargs) -> str:
    with translation.override(language):
        return "https://essaim.example" + reverse(name, kwargs=kwargs or None)


def invitation(message):
    """The ``text/calendar`` attachment: its Content-Type and the calendar it holds."""
    [part] = [part for part in message.attachments if part.get_content_type() == "text/calendar"]
    return part["Content-Type"], Calendar.from_ical(part.get_payload(decode=True))


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def feed_event(client, user, reference: str):
    secret = services.calendar_feed_ensure(user=user).secret
    calendar = Calendar.from_ical(client.get(reverse("feeds:me", kwargs={"secret": secret})).content)
    [event] = [event for event in calendar.walk("VEVENT") if reference in str(event["UID"])]
    return event


@pytest.mark.django_db
def test_confirmation_in_french_with_invitation(
    client, toronto_room, alice, mailoutbox, django_capture_on_commit_callbacks
):
    booking = book(django_capture_on_commit_callbacks, alice, toronto_room, toronto(8, 9), toronto(8, 11))
    assert booking.status == BookingStatus.CONFIRMED and booking.language == "fr"
    [message] = mailoutbox
    assert message.to == ["alice@example.org"]
    assert message.reply_to == ["bonjour@ruche.example"]
    subject_start = translated("fr", "Booking confirmed: %(what)s").split("%")[0]
    assert message.subject.startswith("[Essaim] " + subject_start)
    assert "8 mars" in message.subject  # dates in French
    body = message.body
    # Sunday 8 March is Toronto's DST day: still 9:00–11:00 local, and the zone is named.
    assert "dimanche 8 mars 2026" in body.lower() and "09:00–11:00" in body and "America/Toronto" in body
    assert "40,00\u00a0€" in body  # two hours at 20 €, French format
    assert f"{translated('fr', 'Reference')} : {booking.reference}\n" in body  # a space before the colon in French
    assert translated("fr", "Free cancellation until %(deadline)s, from “My bookings”.").split("%")[0] in body
    assert "vendredi 6 mars 2026" in body.lower()  # 48 hours before, local time
    assert page("fr", "bookings:detail", reference=booking.reference) in body
    assert page("fr", "bookings:mine") in body
    html = html_of(message)
    assert '<html lang="fr">' in html and booking.reference in html and "America/Toronto" in html

    content_type, calendar = invitation(message)
    assert content_type == "text/calendar; method=REQUEST; charset=utf-8"
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]) == "mailto:bonjour@ruche.example"
    assert str(event["ATTENDEE"]) == "mailto:alice@example.org"
    assert event["DTSTART"].params["TZID"] == "America/Toronto"
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["America/Toronto"]
    assert len(recurring_ical_events.of(calendar).at((2026, 3, 8))) == 1
    # The same event as in the person's feed: calendars merge them.
    in_feed = feed_event(client, alice, booking.reference)
    assert str(event["UID"]) == str(in_feed["UID"]) == f"booking-{booking.reference}@essaim.example"
    assert int(event["SEQUENCE"]) == int(in_feed["SEQUENCE"]) == 0


@pytest.mark.django_db
def test_confirmation_in_english(paris_room, alice, mailoutbox, django_capture_on_commit_callbacks):
    english = venue_translate(venue=paris_room.venue, language="en", slug="the-hangar")
    booking = book(django_capture_on_commit_callbacks, alice, paris_room, paris(9, 9), paris(9, 10), language="en")
    [message] = mailoutbox
    assert message.subject.startswith("[Essaim] Booking confirmed: Salle Seine at Le Hangar, 9 March 09:00")
    assert "Monday 9 March 2026, 09:00–10:00 (local time, Europe/Paris, CET)" in message.body
    assert "Free" in message.body and booking.reference in message.body
    assert "You can cancel free of charge until the start" in message.body
    assert page("en", "bookings:mine") in message.body
    assert page("en", "bookings:mine").startswith("https://essaim.example/en/")
    assert page("en", "bookings:detail", reference=booking.reference) in html_of(message)
    assert f"https://essaim.example{english.get_url()}" in message.body  # the venue's English page
    assert english.get_url().startswith("/en/")
    assert '<html lang="en">' in html_of(message)
    _content_type, calendar = invitation(message)
    assert str(calendar["METHOD"]) == "REQUEST"


@pytest.mark.django_db
def test_cancellation_by_the_venue_gives_the_reason(
    client, toronto_room, alice, network_admin, mailoutbox, django_capture_on_commit_callbacks
):
    booking = book(django_capture_on_commit_callbacks, alice, toronto_room, toronto(9, 9), toronto(9, 10))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=network_admin, reason="Dégât des eaux dans la salle", now=NOW)
    [message] = mailoutbox
    subject_start = translated("fr", "Booking cancelled by the venue: %(what)s").split("%")[0]
    assert message.subject.startswith("[Essaim] " + subject_start)
    assert "Dégât des eaux dans la salle" in message.body
    assert translated("fr", "Reason given by the venue") in message.body
    assert "Dégât des eaux dans la salle" in html_of(message)
    content_type, calendar = invitation(message)
    assert content_type == "text/calendar; method=CANCEL; charset=utf-8"
    assert str(calendar["METHOD"]) == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"booking-{booking.reference}@essaim.example"
    in_feed = feed_event(client, alice, booking.reference)
    assert int(event["SEQUENCE"]) == int(in_feed["SEQUENCE"]) == 1  # grew from the confirmation's 0
    assert str(in_feed["STATUS"]) == "CANCELLED"


@pytest.mark.django_db
def test_cancellation_by_the_booker(paris_room, alice, mailoutbox, django_capture_on_commit_callbacks):
    booking = book(django_capture_on_commit_callbacks, alice, paris_room, paris(9, 9), paris(9, 10), language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=alice, now=NOW)
    confirmation, cancellation = mailoutbox
    assert cancellation.subject.startswith("[Essaim] Booking cancelled: ")
    assert "Reason given by the venue" not in cancellation.body
    _content_type, calendar = invitation(cancellation)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert int(calendar.walk("VEVENT")[0]["SEQUENCE"]) == 1
    assert invitation(confirmation)[1].walk("VEVENT")[0]["UID"] == calendar.walk("VEVENT")[0]["UID"]


@pytest.mark.django_db
def test_approval_flow(make_resource, paris_room, alice, network_admin, mailoutbox, django_capture_on_commit_callbacks):
    room = make_resource(paris_room.venue, name="Grande salle", approval_required=True)
    first = book(django_capture_on_commit_callbacks, alice, room, paris(9, 9), paris(9, 10), language="en")
    second = book(django_capture_on_commit_callbacks, alice, room, paris(10, 9), paris(10, 10), language="en")
    requested = mailoutbox[-1]
    assert requested.subject.startswith("[Essaim] Booking request received: ")
    assert requested.attachments == []  # nothing is booked yet: no invitation
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_approve(booking=first, actor=network_admin, now=NOW)
        services.booking_reject(booking=second, actor=network_admin, reason="Private event that day", now=NOW)
    approved, rejected = mailoutbox[-2:]
    assert approved.subject.startswith("[Essaim] Booking approved: ")
    assert str(invitation(approved)[1]["METHOD"]) == "REQUEST"
    assert rejected.subject.startswith("[Essaim] Booking request declined: ")
    assert "Private event that day" in rejected.body
    _content_type, calendar = invitation(rejected)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


@pytest.mark.django_db
def test_hold_mentions_its_expiry_and_carries_no_invitation(
    toronto_room, alice, mailoutbox, django_capture_on_commit_callbacks
):
    book(django_capture_on_commit_callbacks, alice, toronto_room, toronto(9, 9), toronto(9, 10), hold=True)
    [message] = mailoutbox
    assert message.subject.startswith("[Essaim] " + translated("fr", "Complete your booking: %(what)s").split("%")[0])
    assert "10:30" in message.body  # held 30 minutes from 10:00 in Toronto
    assert message.attachments == []


@pytest.mark.django_db
def test_reminder_carries_the_same_invitation(
    client, paris_room, alice, mailoutbox, django_capture_on_commit_callbacks
):
    booking = book(django_capture_on_commit_callbacks, alice, paris_room, paris(3, 9), paris(3, 10), language="en")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.booking_reminders_send(now=NOW) == 1
    [message] = mailoutbox
    assert message.subject.startswith("[Essaim] Reminder: ")
    _content_type, calendar = invitation(message)
    [event] = calendar.walk("VEVENT")
    in_feed = feed_event(client, alice, booking.reference)
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (str(in_feed["UID"]), int(in_feed["SEQUENCE"]))


@pytest.mark.django_db
def test_nothing_sent_for_unknown_or_stale_events(paris_room, alice, make_user, mailoutbox):
    booking = services.booking_create(
        user=alice, request=services.BookingRequest(paris_room, paris(9, 9), paris(9, 10)), now=NOW
    )
    assert notifications.booking_notify(booking_id=booking.pk, event="exploded") is False
    assert notifications.booking_notify(booking_id=10**9, event="confirmed") is False
    assert notifications.booking_notify(booking_id=booking.pk, event="cancelled") is False  # it is not
    assert mailoutbox == []
    assert notifications.booking_notify(booking_id=booking.pk, event="confirmed") is True
    assert notifications.booking_notify(booking_id=booking.pk, event="confirmed") is True  # a retry re-sends
    assert len(mailoutbox) == 2
    nobody = make_user("nomail")
    nobody.email = ""
    nobody.save(update_fields=["email"])
    quiet = services.booking_create(
        user=nobody, request=services.BookingRequest(paris_room, paris(10, 9), paris(10, 10)), now=NOW
    )
    assert notifications.booking_notify(booking_id=quiet.pk, event="confirmed") is False
