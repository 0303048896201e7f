"""Venue managers and events in the Wagtail admin: adding under their venue only, no deleting
(cancelling instead), dates on closures flagged, and the registrations view (scoped, CSV)."""

import html
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html
from wagtail.users.models import UserProfile

from bookings.inventory import closure_create
from core.formatting import date_label
from events import selectors, services
from events.models import EventPage, EventStatus
from tests.integration.events.conftest import weekday_on_or_after
from venues.services import venue_manager_assign

pytestmark = pytest.mark.django_db

ADMIN_HOME = reverse("wagtailadmin_home")


def add_url(venue):
    return reverse("wagtailadmin_pages:add", args=("events", "eventpage", venue.pk))


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def registrations_url(page):
    return reverse("events_admin:registrations", args=(page.pk,))


def page_form(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return querydict_from_html(response.content.decode(), form_id="page-edit-form")


def flashed(response) -> list[str]:
    return [html.unescape(str(m)) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def venues(make_venue):
    return make_venue(title="La Ruche"), make_venue(title="Le Bocal")


@pytest.fixture
def manager(venues, make_user, client, settings):
    settings.LANGUAGE_CODE = "fr"
    user = make_user("gerante")
    venue_manager_assign(venue=venues[0], user=user)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    profile = UserProfile.get_for_user(user)  # Wagtail's admin speaks the user's language
    profile.preferred_language = "en"
    profile.save()
    return user


def next_tuesday():
    return weekday_on_or_after(date.today() + timedelta(days=8), 1)


def event_form(client, venue, **fields):
    data = page_form(client, add_url(venue))
    start = next_tuesday()
    data.update(
        {
            "title": "Apéro des entrepreneurs",
            "slug": "apero",
            "start_date": start.isoformat(),
            "start_time": "18:30",
            "end_time": "20:00",
            "capacity": "12",
            "price": "0",
            "currency": "EUR",
            "registration_closes_hours": "0",
            "attendance_mode": "offline",
            "repeat": "WEEKLY",
            "repeat_interval": "1",
            "repeat_until": (start + timedelta(weeks=6)).isoformat(),
            "action-publish": "action-publish",
        }
    )
    data.setlist("repeat_weekdays", ["TU"])
    data.update(fields)
    return data


def test_manager_adds_a_repeating_event_under_their_venue(client, venues, manager):
    mine, _other = venues
    data = event_form(client, mine)
    data.update(
        {
            "date_changes-TOTAL_FORMS": "1",
            "date_changes-0-original_date": (next_tuesday() + timedelta(weeks=2)).isoformat(),
            "date_changes-0-cancelled": "on",
            "date_changes-0-ORDER": "1",
        }
    )
    response = client.post(add_url(mine), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = EventPage.objects.get(slug="apero")
    assert page.live and page.get_parent().pk == mine.pk
    event = selectors.event_for_page(page)
    assert event.rule.startswith("FREQ=WEEKLY;BYDAY=TU;UNTIL=")
    assert list(event.changes.values()) == [{"cancelled": True}]
    assert len(selectors.upcoming(event, now=datetime.now(UTC))) == 7


def test_event_form_reads_the_posted_dates(client, venues, manager):
    mine, _other = venues
    response = client.post(add_url(mine), event_form(client, mine))
    assert response.status_code == 302
    assert EventPage.objects.filter(slug="apero", live=True).exists()


def test_manager_cannot_add_an_event_under_another_venue(client, venues, manager):
    mine, other = venues
    response = client.get(add_url(other))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == ADMIN_HOME
    data = event_form(client, mine)
    response = client.post(add_url(other), data)
    assert response.status_code in (302, 403)
    assert not EventPage.objects.filter(slug="apero").exists()


def test_the_form_refuses_a_first_date_off_the_weekdays(client, venues, manager):
    mine, _other = venues
    data = event_form(client, mine)
    data.setlist("repeat_weekdays", ["WE"])
    response = client.post(add_url(mine), data)
    assert response.status_code == 200
    assert not EventPage.objects.filter(slug="apero").exists()
    assert "repeat_weekdays" in response.context["form"].errors


def test_the_form_refuses_a_changed_date_the_rule_does_not_give(client, venues, manager):
    mine, _other = venues
    data = event_form(client, mine)
    data.update(
        {
            "date_changes-TOTAL_FORMS": "1",
            "date_changes-0-original_date": (next_tuesday() + timedelta(days=1)).isoformat(),
            "date_changes-0-cancelled": "on",
            "date_changes-0-ORDER": "1",
        }
    )
    response = client.post(add_url(mine), data)
    assert response.status_code == 200
    assert not EventPage.objects.filter(slug="apero").exists()
    assert response.context["form"].non_field_errors()


def test_manager_cannot_delete_a_published_event_but_cancels_it(
    client, venues, manager, make_event, make_user, django_capture_on_commit_callbacks
):
    mine, _other = venues
    page, event = make_event(mine)
    assert not page.permissions_for_user(manager).can_delete()
    response = client.get(reverse("wagtailadmin_pages:delete", args=(page.pk,)))
    assert response.status_code in (302, 403)
    response = client.post(reverse("wagtailadmin_pages:delete", args=(page.pk,)))
    assert EventPage.objects.filter(pk=page.pk).exists()

    person = make_user()
    occurrence = selectors.upcoming(event, now=datetime.now(UTC))[0]
    services.registration_create(user=person, event=event, recurrence_id=occurrence.recurrence_id)
    data = page_form(client, edit_url(page))
    data.update({"cancelled": "on", "cancel_reason": "La salle est inondée", "action-publish": "action-publish"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(page), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED and event.cancel_reason == "La salle est inondée"
    assert not selectors.registrations_standing(event).exists()


def test_dates_on_closures_are_flagged_after_publish_and_in_the_editor(client, venues, manager, make_event):
    mine, _other = venues
    page, event = make_event(mine, repeat="WEEKLY", repeat_weekdays="TU")
    closed = page.start_date + timedelta(weeks=1)
    closure_create(venue=mine, first_day=closed, last_day=closed, reason="Inventaire")

    data = page_form(client, edit_url(page))
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(page), data)
    assert response.status_code == 302
    warnings = [m for m in flashed(response) if "the venue is closed" in m]
    assert len(warnings) == 1 and date_label(closed, language="en") in warnings[0], flashed(response)
    client.get(response["Location"])  # the listing the browser lands on shows it

    response = client.get(edit_url(page))
    content = html.unescape(response.content.decode())
    assert content.count("the venue is closed") == 1
    assert date_label(closed, language="en") in content


def test_a_yearly_closure_over_new_year_is_flagged(venues, make_event):
    mine, _other = venues
    year = date.today().year if date.today() < date(date.today().year, 12, 20) else date.today().year + 1
    tuesday = weekday_on_or_after(date(year, 12, 26), 1)  # between 26 December and 1 January
    page, event = make_event(mine, start_date=tuesday)
    closure_create(venue=mine, first_day=date(year, 12, 24), last_day=date(year + 1, 1, 1), yearly=True, reason="Fêtes")
    assert [o.start.date() for o in selectors.occurrences_in_closures(event)] == [tuesday]


def test_no_closure_warning_when_no_date_is_closed(client, venues, manager, make_event):
    page, _event = make_event(venues[0])
    data = page_form(client, edit_url(page))
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(page), data)
    assert not [m for m in flashed(response) if "the venue is closed" in m]


# ---------------------------------------------------------------------------------------------
# Registrations


@pytest.fixture
def full_event(venues, make_event, make_user):
    page, event = make_event(venues[0], capacity=2, repeat="WEEKLY", repeat_until=next_tuesday() + timedelta(weeks=3))
    first = selectors.upcoming(event, now=datetime.now(UTC))[0]
    ada = make_user("ada", first_name="Ada", last_name="Lovelace")
    grace = make_user("grace", first_name="Grace", last_name="Hopper")
    alan = make_user("alan", first_name="Alan", last_name="Turing")
    services.registration_create(user=ada, event=event, recurrence_id=first.recurrence_id)
    services.registration_create(user=grace, event=event, recurrence_id=first.recurrence_id)
    services.waitlist_join(user=alan, event=event, recurrence_id=first.recurrence_id)
    return page, event


def test_registrations_view_lists_seats_registrants_and_waitlist(client, manager, full_event):
    page, _event = full_event
    response = client.get(registrations_url(page))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 4
    assert (rows[0].taken, rows[0].remaining) == (2, 0)
    assert [a.name for a in rows[0].attendees] == ["Ada Lovelace", "Grace Hopper"]
    assert [w.name for w in rows[0].waitlist] == ["Alan Turing"]
    assert (rows[1].taken, rows[1].remaining) == (0, 2)
    content = response.content.decode()
    assert "Ada Lovelace" in content and "Alan Turing" in content and "data-full" in content


def test_registrations_csv(client, manager, full_event):
    page, _event = full_event
    response = client.get(registrations_url(page) + "?export=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 4  # header, two registrants, one waiting
    assert "Ada Lovelace" in lines[1] and "ada@example.org" in lines[1]
    assert "Alan Turing" in lines[3]


def test_registrations_link_in_the_editor_header(client, manager, full_event):
    page, _event = full_event
    content = client.get(edit_url(page)).content.decode()
    assert registrations_url(page) in content


def test_another_venue_manager_cannot_see_registrations(client, venues, full_event, make_user):
    page, _event = full_event
    other = make_user("autre")
    venue_manager_assign(venue=venues[1], user=other)
    client.force_login(other)
    for url in (registrations_url(page), registrations_url(page) + "?export=csv"):
        response = client.get(url)
        # Wagtail turns PermissionDenied into a redirect to the dashboard (403 over XHR).
        assert response.status_code == 302 and response["Location"] == ADMIN_HOME
        response = client.get(url, headers={"x-requested-with": "XMLHttpRequest"})
        assert response.status_code == 403
    assert (
        registrations_url(page)
        not in client.get(reverse("wagtailadmin_explore", args=(venues[0].pk,))).content.decode()
    )


def test_network_admin_sees_every_events_registrations(client, network_admin, full_event):
    page, _event = full_event
    client.force_login(network_admin)
    response = client.get(registrations_url(page))
    assert response.status_code == 200
    assert "Grace Hopper" in response.content.decode()


def test_registrations_of_a_page_that_is_not_an_event(client, manager, venues):
    assert client.get(registrations_url(venues[0])).status_code == 404


def test_listing_shows_the_registrations_link(client, manager, full_event, venues):
    page, _event = full_event
    response = client.get(reverse("wagtailadmin_explore", args=(venues[0].pk,)))
    assert response.status_code == 200
    assert registrations_url(page) in response.content.decode()
