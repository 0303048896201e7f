"""Issue 12, item 3: a line break in a title broke every calendar and a booking.

The venue edit form and ``full_clean`` refuse ``La Ruche\\r\\nX-INJECTED:yes\\r\\nBEGIN:VALARM``.
Rows that hold such text anyway (written before the validators, or by an ``update()``) still give
feeds and invitations that carry no line of their own and that icalendar and ical.js read, and a
booking through the API answers 201. Any text (hypothesis) in every field that reaches a feed or
an invitation reads back intact, but for ``core.text``'s documented replacement of controls.
"""

from datetime import UTC, date, datetime, time

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from rest_framework.test import APIClient

from bookings import notifications, services
from bookings.models import Booking, BookingStatus, Resource
from core import text
from core.services import auth_token_issue
from events.models import Event
from events.services import event_page_create, programme_page_create
from tests.integration.venues.test_venue_permissions import edit_form_data, edit_url
from tests.support.factories import WEEKDAYS_9_TO_18
from tests.unit.core.test_text_in_calendars import NASTY, icaljs
from tests.unit.core.test_text_in_calendars import name as cn
from tests.unit.test_ical_interop import _icaljs_available, _need_icaljs
from venues.models import VenuePage
from venues.services import venue_manager_assign

EVIL = "La Ruche\r\nX-INJECTED:yes\r\nBEGIN:VALARM"
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris
#: What the feeds' lines may start with: anything else would be an injected line.
PROPERTIES = {
    *("BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "NAME", "X-WR-CALNAME", "REFRESH-INTERVAL"),
    *("X-PUBLISHED-TTL", "DESCRIPTION", "TZID", "COMMENT", "DTSTART", "DTEND", "TZNAME", "TZOFFSETFROM"),
    *("TZOFFSETTO", "UID", "DTSTAMP", "SEQUENCE", "SUMMARY", "STATUS", "LOCATION", "URL", "CATEGORIES"),
    *("ORGANIZER", "ATTENDEE", "RRULE", "EXDATE", "RDATE", "RECURRENCE-ID", "GEO", "TRANSP", "LAST-MODIFIED"),
}


@pytest.fixture(autouse=True)
def _clock(time_machine, settings):
    settings.ESSAIM_NODE_URL = "https://essaim.example"
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def place(make_venue, make_resource, make_user):
    """A venue with a room, an event, a programme session there, and a booker with a booking."""
    venue = make_venue(
        opening_hours=WEEKDAYS_9_TO_18, title="La Ruche", city="Paris", timezone="Europe/Paris", email="a@ruche.example"
    )
    hub = make_venue("social_business_center", title="SBC Dakar", city="Dakar", country="SN", timezone="Africa/Dakar")
    room = make_resource(venue, name="Salle")
    event_page_create(
        venue=venue, title="Atelier", start_date=date(2026, 3, 10), start_time=time(10), end_time=time(12)
    )
    programme = programme_page_create(
        hub=hub,
        title="Programme",
        sessions=[
            {
                "title": "Session",
                "venue": venue,
                "start_date": date(2026, 3, 11),
                "start_time": time(14),
                "end_time": time(16),
            }
        ],
    )
    alice = make_user("alice", email="alice@example.org", first_name="Alice", last_name="Durand")
    booking = services.booking_create(
        user=alice,
        request=services.BookingRequest(room, datetime(2026, 3, 4, 8, tzinfo=UTC), datetime(2026, 3, 4, 9, tzinfo=UTC)),
        now=NOW,
    )
    return {"venue": venue, "room": room, "programme": programme, "alice": alice, "booking": booking}


def force(place, value: str) -> str:
    """Write ``value`` everywhere a feed or an invitation takes text from, past every validator;
    what was stored. Neither database carries a NUL through (every form and validator refuses it):
    PostgreSQL's text cannot hold one, and SQLite's JSON functions end the text there (a title
    "\x000" read back as ""). The pure writer's property test covers NUL itself."""
    value = value.replace("\x00", "")
    VenuePage.objects.filter(pk=place["venue"].pk).update(
        title=value, draft_title=value, city=value, street_address=value
    )
    Resource.objects.filter(pk=place["room"].pk).update(name=value, description=value)
    Event.objects.update(titles={"fr": value, "en": value}, summaries={"fr": value, "en": value})
    type(place["alice"]).objects.filter(pk=place["alice"].pk).update(first_name=value, last_name=value)
    cache.clear()  # the feeds' version keys do not see an update()
    return value


def feeds(client, place) -> dict[str, str]:
    urls = {
        "events": reverse("feeds:events"),
        "venue": reverse("feeds:venue", kwargs={"slug": place["venue"].slug}),
        "programme": reverse("feeds:programme", kwargs={"slug": place["programme"].slug}),
        "resource": reverse("feeds:resource", kwargs={"pk": place["room"].pk}),
        "person": reverse("feeds:me", kwargs={"secret": services.calendar_feed_ensure(user=place["alice"]).secret}),
    }
    bodies = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.content[:300])
        bodies[name] = response.content.decode()
    booking = Booking.objects.select_related("resource__venue", "user").get(pk=place["booking"].pk)
    email = notifications.booking_email(
        booking, event="confirmed", notice=notifications.NOTICES["confirmed"], now=timezone.now()
    )
    email.message()  # the headers are built here: a line break in one is BadHeaderError
    [invitation] = email.attachments
    bodies["invitation"] = invitation.get_payload(decode=True).decode()
    return bodies


def no_injected_line(body: str) -> None:
    assert body.endswith("\r\n")
    for line in body.replace("\r\n ", "").split("\r\n")[:-1]:
        assert "\r" not in line and "\n" not in line, line
        assert line.split(":", 1)[0].split(";", 1)[0] in PROPERTIES, f"injected line {line!r}"


@pytest.mark.django_db
def test_the_venue_edit_form_refuses_a_title_with_line_breaks(client, place, make_user):
    venue = place["venue"]
    manager = make_user("manager")
    venue_manager_assign(venue=venue, user=manager)
    client.force_login(manager)
    data = edit_form_data(client, venue)
    data["title"] = EVIL
    data["city"] = "Paris\u2028Lyon"
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(venue), data)
    assert response.status_code == 200  # the form again, with its errors
    errors = response.context["form"].errors
    assert (
        errors["title"][0].startswith("Ce champ doit tenir sur une seule ligne") or "single line" in errors["title"][0]
    )
    assert "U+000D" in errors["title"][0]
    assert "U+2028" in errors["city"][0]
    assert VenuePage.objects.get(pk=venue.pk).title == "La Ruche"


@pytest.mark.django_db
def test_full_clean_refuses_control_characters_in_single_line_fields(place):
    venue = VenuePage.objects.get(pk=place["venue"].pk).specific
    venue.title = EVIL
    with pytest.raises(ValidationError) as raised:
        venue.full_clean()
    assert set(raised.value.message_dict) == {"title"}
    room = place["room"]
    room.name, room.description = "Salle\tA", "Ligne 1\nLigne 2"
    with pytest.raises(ValidationError) as raised:
        room.full_clean()
    assert set(raised.value.message_dict) == {"name"}  # the description keeps its line break


@pytest.mark.django_db
def test_feeds_and_invitations_carry_no_injected_line(client, place):
    force(place, EVIL)
    bodies = feeds(client, place)
    for name, body in bodies.items():
        no_injected_line(body)
        assert "\r\nX-INJECTED" not in body and "\r\nBEGIN:VALARM" not in body, name
        Calendar.from_ical(body)
    flat = text.multi_line(EVIL)
    vevent = Calendar.from_ical(bodies["venue"]).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == flat and str(vevent["LOCATION"]).startswith(flat)
    invitation = Calendar.from_ical(bodies["invitation"]).walk("VEVENT")[0]
    assert invitation["ORGANIZER"].params["CN"] == cn(EVIL)
    if _icaljs_available():
        assert not [read for read in icaljs(list(bodies.values())) if "error" in read]


def book_through_the_api(place) -> None:
    """Alice books the room through the API: 201, and the booking stands confirmed."""
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {auth_token_issue(user=place['alice']).key}")
    response = api.post(
        "/api/v1/bookings/",
        {"resource": place["room"].pk, "start": "2026-03-03T09:00:00+01:00", "end": "2026-03-03T10:00:00+01:00"},
        format="json",
    )
    assert response.status_code == 201, response.content[:500]
    assert Booking.objects.get(pk=response.json()["id"]).status == BookingStatus.CONFIRMED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_booking_through_the_api_answers_201_and_sends_its_e_mail(place):
    """The confirmation e-mail and its invitation are built after the commit, inside the request
    (eager Celery): a line break in the venue's title made it 500 although the booking stood."""
    force(place, EVIL)
    mail.outbox.clear()
    book_through_the_api(place)
    [sent] = mail.outbox
    assert "\n" not in sent.subject and "\r" not in sent.subject
    assert "La Ruche X-INJECTED:yes BEGIN:VALARM" in sent.subject
    sent.message()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_work_after_commit_cannot_turn_a_booking_into_an_error(place, monkeypatch, caplog):
    """Whatever fails after the commit (here the e-mail) is logged; the answer tells the committed truth."""

    def broken(**kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(notifications, "booking_notify", broken)
    book_through_the_api(place)
    assert any("mail server on fire" in (record.exc_text or "") for record in caplog.records if record.exc_text)


texts = st.text(st.one_of(st.characters(exclude_categories=["Cs"]), st.sampled_from(NASTY)), min_size=1, max_size=30)


@pytest.mark.django_db
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(value=texts)
def test_any_text_in_any_field_reaches_every_calendar_intact(client, place, value):
    """Ten examples, each through six calendars (five feeds and an invitation), read by icalendar
    and, in one node run per example, by ical.js."""
    value = force(place, value)
    bodies = feeds(client, place)
    flat = text.multi_line(value)
    for body in bodies.values():
        no_injected_line(body)
        Calendar.from_ical(body)
    venue_feed = Calendar.from_ical(bodies["venue"]).walk("VEVENT")
    assert {str(vevent["SUMMARY"]) for vevent in venue_feed} == {flat}
    invitation = Calendar.from_ical(bodies["invitation"]).walk("VEVENT")[0]
    assert invitation["ORGANIZER"].params.get("CN", "") == cn(value)
    assert invitation["ATTENDEE"].params.get("CN", "") == cn(f"{value} {value}".strip() or "alice")
    if not _icaljs_available():
        _need_icaljs()
    reads = dict(zip(bodies, icaljs(list(bodies.values())), strict=True))
    assert not [name for name, read in reads.items() if "error" in read]
    assert {event["summary"] for event in reads["venue"]["events"]} == {flat}
    assert {event["summary"] for event in reads["events"]["events"]} == {flat}
    [invited] = reads["invitation"]["events"]
    assert invited["organizer"] == cn(value) and invited["location"].startswith(flat)
