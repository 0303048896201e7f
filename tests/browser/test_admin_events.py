"""A venue manager adds a repeating event in Wagtail's admin: every Tuesday until a date, one
Tuesday cancelled; the schedule and the public page follow. The editor's form is photographed
(desktop) to /tmp/shots/."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from events import selectors, services
from events.models import EventPage, occurrence_key
from venues.services import venue_manager_assign

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
USERNAME, PASSWORD = "manager", "manager-demo"  # the demo's manager account (demo.network.ACCOUNTS)
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def manager(network, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = django_user_model.objects.create_user(USERNAME, "manager@essaim.localhost", PASSWORD)
    venue_manager_assign(venue=network["ruche"], user=user)
    return user


def tuesday_ahead(days: int = 8) -> date:
    day = date.today() + timedelta(days=days)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def fill_picker(page, field, value: str) -> None:
    """Type into a date or time field, then put away the picker it opened: the pickers open a
    moment after the focus, stay over the fields below and ignore Escape, so a click meant for
    the next checkbox or button would land on a calendar."""
    field.fill(value)
    page.wait_for_timeout(150)
    page.locator(".xdsoft_datetimepicker").evaluate_all("pickers => pickers.forEach(p => p.style.display = 'none')")
    expect(field).to_have_value(value)


def snap(page, name: str, *, height: int = 0) -> None:
    """A screenshot; ``height`` makes the window that tall first (the admin scrolls inside its
    main column, which a full-page screenshot does not unroll)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    if height:
        page.set_viewport_size({"width": size["width"], "height": height})
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if height:
        page.set_viewport_size(size)


def test_manager_adds_a_weekly_event_with_a_cancelled_date(make_context, network, manager, django_user_model):
    ruche = network["ruche"]
    first = tuesday_ahead()
    until = first + timedelta(weeks=5)
    cancelled = first + timedelta(weeks=2)
    page = make_context(**DESKTOP).new_page()

    page.goto("/admin/login/")
    page.locator("input[name=login]").fill(USERNAME)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(r"/admin/$"))

    # The venue in the explorer › "Add child page": events are the only kind, so the form opens.
    page.goto(f"/admin/pages/{ruche.pk}/")
    page.locator(f"a[href*='/admin/pages/{ruche.pk}/add_subpage/']").first.click()
    page.wait_for_url(re.compile(r"/admin/pages/add/events/eventpage/\d+/"))

    form = page.locator("form#page-edit-form")
    form.locator("input[name=title]").fill("Atelier du mardi")
    form.locator("input[name=summary]").fill("Chaque mardi, un atelier pour avancer sur son projet.")
    fill_picker(page, form.locator("input[name=start_date]"), first.isoformat())
    fill_picker(page, form.locator("input[name=start_time]"), "18:30")
    fill_picker(page, form.locator("input[name=end_time]"), "20:00")
    form.locator("select[name=repeat]").select_option("WEEKLY")
    fill_picker(page, form.locator("input[name=repeat_until]"), until.isoformat())
    form.locator("input[name=repeat_weekdays][value=TU]").check()
    form.locator("input[name=capacity]").fill("15")

    # One changed date: the third Tuesday is cancelled.
    page.locator("#id_date_changes-ADD").click()
    change = form.locator("#inline_child_date_changes-0")
    fill_picker(page, change.locator("input[name='date_changes-0-original_date']"), cancelled.isoformat())
    change.locator("input[name='date_changes-0-cancelled']").check()
    snap(page, "admin-event-form-desktop", height=2600)

    # Publish (in the action menu's dropdown, after "Save draft").
    page.locator("footer [data-w-dropdown-target=toggle], .footer__container [aria-label][aria-expanded]").first.click()
    page.locator("button[name=action-publish]").click()
    page.wait_for_url(re.compile(rf"/admin/pages/{ruche.pk}/$"))
    expect(page.locator(".messages")).to_contain_text("Atelier du mardi")
    snap(page, "admin-event-published")

    event_page = EventPage.objects.get(title="Atelier du mardi")
    assert event_page.live and event_page.get_parent().pk == ruche.pk
    event = selectors.event_for_page(event_page)
    assert event.rule.startswith("FREQ=WEEKLY;BYDAY=TU;UNTIL=")
    occurrences = selectors.upcoming(event, now=event.start - timedelta(hours=1))
    assert len(occurrences) == 6
    cancelled_key = occurrence_key(occurrences[2].recurrence_id)
    assert event.changes == {cancelled_key: {"cancelled": True}}
    assert occurrences[2].cancelled and occurrences[2].start.date() == cancelled

    # The public page lists the six Tuesdays, the third one cancelled.
    page.goto(event_page.url)
    rows = page.locator("[data-testid=date-row]")
    expect(rows).to_have_count(6)
    expect(page.locator(f"[data-testid=date-row][data-date='{cancelled_key}']")).to_have_class(
        re.compile("is-cancelled")
    )
    expect(page.locator("[data-testid=date-row].is-cancelled")).to_have_count(1)
    snap(page, "admin-event-public-page")

    # Someone registers; the manager finds them in the event's Registrations, from the editor's menu.
    booker = django_user_model.objects.create_user("lea", "lea@example.org", None, first_name="Léa", last_name="Roux")
    services.registration_create(user=booker, event=event, recurrence_id=occurrences[0].recurrence_id)
    page.goto(f"/admin/pages/{event_page.pk}/edit/")
    registrations = page.locator(f"a[href='/admin/events/{event_page.pk}/registrations/']")
    if not registrations.is_visible():  # in the header's "more" menu
        page.locator("header [data-w-dropdown-target=toggle]").last.click()
    registrations.click()
    expect(page.locator("[data-date]")).to_have_count(6)
    expect(page.locator("[data-attendee]")).to_have_count(1)
    expect(page.locator("[data-attendee]")).to_contain_text("Léa Roux")
    expect(page.locator("[data-seats]").first).to_contain_text(
        re.compile(r"\b1\D+15\b")
    )  # "1 of 15", "1 place … sur 15"
    snap(page, "admin-event-registrations", height=1600)
