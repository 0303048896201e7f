"""A venue manager attaches the room's outside calendar in the admin (served on loopback, busy
tomorrow 10:00–12:00 in the venue's zone), sees it imported, and the room's public booking page
no longer offers 10:00–12:00. In French (the browser's language), in English, and on a phone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from bookings import inventory
from calendars.models import ExternalCalendar, Outcome
from tests.browser.support import assert_no_sideways_scroll
from tests.browser.test_manager_bookings import AROUND_THE_CLOCK, french, log_in, make_manager
from tests.integration.bookings.test_admin_support import admin_in_english
from tests.support.calendar_server import CalendarServer

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")
SECRET_PATH = "/calendar/ical/c_5f1e9a7b2d4c/private-8e6a0c4f2b7d91e3/basic.ics"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def calendar_server(settings):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.0/8"]
    server = CalendarServer().start()
    yield server
    server.stop()


def busy_tomorrow_ics(day) -> str:
    """Google's shape: a zone given by TZID, one event 10:00–12:00 on ``day``."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
        "X-WR-TIMEZONE:Europe/Paris\r\n"
        "BEGIN:VEVENT\r\nUID:atelier-2026@google.com\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T100000\r\nDTEND;TZID=Europe/Paris:{day:%Y%m%d}T120000\r\n"
        "SUMMARY:Atelier\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def slot(page, hhmm):
    return page.locator(".slot-grid li.slot").filter(has=page.locator(".slot-time", has_text=hhmm))


def test_manager_attaches_a_calendar_and_the_room_is_blocked(
    page, make_context, network, django_user_model, fast_hasher, calendar_server, shot
):
    ruche = network["ruche"]
    make_manager(django_user_model, "gerante", ruche)
    room = inventory.resource_create(
        venue=ruche, name="Salle des Canuts", kind="room", hours=AROUND_THE_CLOCK, horizon_days=60
    )
    tomorrow = datetime.now(PARIS).date() + timedelta(days=1)
    calendar_server.publish(SECRET_PATH, busy_tomorrow_ics(tomorrow))
    address = calendar_server.url(SECRET_PATH)

    log_in(page, "gerante")
    # From the room's page in the admin: its outside calendars.
    page.goto(reverse("booking_resources:edit", args=[room.pk]))
    expect(page.locator("h1")).to_contain_text("Salle des Canuts")
    link = f"{reverse('outside_calendars:index')}?resource={room.pk}"
    # (the integration tests check the link to it on this page)
    page.goto(link)
    page.get_by_role("link", name=french("Add an outside calendar")).click()

    expect(page.get_by_label(french("Venue"))).to_have_value(str(ruche.pk))
    expect(page.get_by_label(french("What it blocks"))).to_have_value(str(room.pk))
    expect(page.locator("[data-field=address]")).to_contain_text("Adresse secrète au format iCal")
    page.get_by_label(french("Secret iCal address")).fill(address)
    page.get_by_label(french("Name")).fill("Agenda Google de la salle")
    shot(page, "form-fr")
    page.locator("[data-calendar-form] button[type=submit]").click()

    calendar = ExternalCalendar.objects.get(resource=room)
    assert calendar.last_outcome == Outcome.IMPORTED, calendar.error
    card = page.locator(f"[data-calendar='{calendar.pk}']")
    expect(card.locator("[data-state]")).to_contain_text("Importé")
    expect(card.locator("[data-counts]")).to_contain_text("1")
    expect(page.locator(".messages")).to_contain_text("Agenda Google de la salle")
    assert "private-8e6a0c4f2b7d91e3" not in page.content()
    shot(page, "list-fr")

    # Fetch now: nothing changed since.
    card.locator("[data-fetch-now]").click()
    expect(page.locator(".messages")).to_contain_text(french("Nothing changed since the last fetch."))

    # The room's public booking page: 10:00–12:00 tomorrow is not bookable, around it is.
    page.goto(f"{reverse('bookings:resource', args=[room.pk])}?day={tomorrow.isoformat()}")
    for hhmm in ("10:00", "11:00", "11:30"):
        expect(slot(page, hhmm)).to_have_class("slot slot-taken")
    for hhmm in ("09:00", "12:00"):
        expect(slot(page, hhmm)).to_have_class("slot slot-free")
    shot(page, "booking-page-fr")

    # English, and the edit page that never shows the address.
    # English: a second manager whose admin language is English.
    admin_in_english(make_manager(django_user_model, "manager", ruche))
    english = make_context().new_page()
    log_in(english, "manager")
    english.goto(reverse("outside_calendars:index"))
    expect(english.locator(f"[data-calendar='{calendar.pk}'] [data-state]")).to_contain_text(
        "Not modified (304)"
    )  # after the fetch now
    expect(english.locator(f"[data-calendar='{calendar.pk}'] [data-counts]")).to_contain_text("1 event, 1 busy time")
    shot(english, "list-en")
    english.goto(reverse("outside_calendars:edit", args=[calendar.pk]))
    expect(english.get_by_label("Secret iCal address")).to_have_value("")
    expect(english.locator("[data-field=address]")).to_contain_text("Leave empty to keep the current address.")
    assert "private-8e6a0c4f2b7d91e3" not in english.content()
    shot(english, "edit-en")

    # A phone: the list and the form, without sideways scrolling.
    phone = make_context(**PHONE).new_page()
    log_in(phone, "gerante")
    phone.goto(reverse("outside_calendars:index"))
    expect(phone.locator(f"[data-calendar='{calendar.pk}']")).to_be_visible()
    assert_no_sideways_scroll(phone, 390)
    shot(phone, "list-phone")
    phone.goto(reverse("outside_calendars:add"))
    shot(phone, "form-phone")
    assert_no_sideways_scroll(phone, 390)
    # The day view tomorrow, with the outside busy time under the room.
    phone.goto(f"{reverse('booking_day:index')}?venue={ruche.pk}&date={tomorrow.isoformat()}")
    expect(phone.locator(f"[data-resource='{room.pk}'] [data-outside-busy]")).to_contain_text("10:00–12:00")
    assert_no_sideways_scroll(phone, 390)
    shot(phone, "day-phone")
