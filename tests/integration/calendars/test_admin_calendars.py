"""The admin's "Outside calendars": who sees which calendar, the form (bad addresses, another
venue's resource, a mirrored venue), the address never given back, fetch now, delete.

Calendars are served by a real loopback server (``calendar_server``); the world is the bookings
admin tests' two venues (``tests.integration.bookings.test_admin_support``).
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from bookings.models import BusyBlock
from calendars import services
from calendars.models import ExternalCalendar, Outcome
from tests.integration.bookings.test_admin_support import admin_in_english, build_world, load_world
from tests.integration.support import rolled_back
from venues.models import VenuePage

pytestmark = pytest.mark.django_db

INDEX = reverse("outside_calendars:index")
ADD = reverse("outside_calendars:add")
#: The secret part of every address served here: it must never be in a page or a message.
SECRET = "/private-9f2c4e7d1b8a6f30e5c2/basic.ics"


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        yield build_world()


@pytest.fixture
def world(db, _world, settings):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.0/8"]
    return load_world(_world)


@pytest.fixture
def as_manager_a(client, world):
    client.force_login(world.manager_a)
    return client


def ics(*events: str) -> str:
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n"


def vevent(uid: str, start: datetime, hours: int = 1) -> str:
    end = start + timedelta(hours=hours)
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\nEND:VEVENT\r\n"
    )


def in_three_days() -> datetime:
    return (datetime.now(UTC) + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)


@pytest.fixture
def served(calendar_server):
    """Two events published at the secret address; ``served.url`` is that address."""
    start = in_three_days()
    calendar_server.publish(SECRET, ics(vevent("one@example.org", start), vevent("two@example.org", start, 3)))
    calendar_server.secret_url = calendar_server.url(SECRET)
    return calendar_server


def attach(world, served, resource=None, **fields):
    """A calendar of venue A (its room by default), fetched once."""
    calendar = services.calendar_add(
        venue=world.a, resource=resource or world.room_a, address=served.secret_url, **fields
    )
    services.calendar_fetch(calendar)
    calendar.refresh_from_db()
    return calendar


def assert_secret_absent(response):
    body = response.content.decode()
    assert "private-9f2c4e7d1b8a6f30e5c2" not in body
    for message in response.context["messages"] if response.context and "messages" in response.context else ():
        assert "private-9f2c4e7d1b8a6f30e5c2" not in str(message)


# Who sees what ----------------------------------------------------------------------------------


def test_the_list_shows_my_venues_calendars_with_their_state(as_manager_a, world, served):
    mine = attach(world, served, name="Agenda Google")
    theirs = services.calendar_add(venue=world.b, resource=world.room_b, address=served.secret_url, name="Bravo")
    whole = services.calendar_add(venue=world.a, resources=[world.pool_a], address=served.secret_url, name="Tout")

    response = as_manager_a.get(INDEX)

    assert response.status_code == 200
    page = response.content.decode()
    assert {row["calendar"].pk for row in response.context["rows"]} == {mine.pk, whole.pk}
    assert "Bravo" not in page and f'data-calendar="{theirs.pk}"' not in page
    assert "127.0.0.1/…/basic.ics" in page  # the masked address
    assert 'data-state="imported"' in page and "Imported" in page
    assert "2 events, 2 busy times" in page
    assert "Whole venue: Open space" in page
    assert "Salle Lumière" in page
    assert_secret_absent(response)


def test_another_venues_calendar_is_not_found_by_its_urls(as_manager_a, world, served):
    theirs = services.calendar_add(venue=world.b, resource=world.room_b, address=served.secret_url)
    for name in ("edit", "delete"):
        assert as_manager_a.get(reverse(f"outside_calendars:{name}", args=[theirs.pk])).status_code == 404
    for name in ("edit", "fetch", "delete"):
        assert as_manager_a.post(reverse(f"outside_calendars:{name}", args=[theirs.pk])).status_code == 404
    assert ExternalCalendar.objects.filter(pk=theirs.pk).exists()
    assert as_manager_a.get(INDEX, {"resource": world.room_b.pk}).status_code == 404
    assert served.requests == []  # nothing fetched on their behalf


def test_someone_who_manages_no_venue_is_kept_out(client, world):
    client.force_login(admin_in_english(get_user_model().objects.create_user("nobody")))
    response = client.get(INDEX)
    assert response.status_code in (302, 403)
    assert client.get(ADD).status_code in (302, 403)


def test_a_network_admin_sees_every_venues_calendars(client, world, served):
    admin = admin_in_english(get_user_model().objects.create_superuser("root", "root@example.org", None))
    client.force_login(admin)
    a = services.calendar_add(venue=world.a, resource=world.room_a, address=served.secret_url)
    b = services.calendar_add(venue=world.b, resource=world.room_b, address=served.secret_url)
    rows = client.get(INDEX).context["rows"]
    assert {row["calendar"].pk for row in rows} == {a.pk, b.pk}


def test_the_resource_links_to_its_calendars(as_manager_a, world, served):
    mine = attach(world, served)
    other = services.calendar_add(venue=world.a, resource=world.council_a, address=served.secret_url)
    whole = services.calendar_add(venue=world.a, address=served.secret_url)
    link = f"{INDEX}?resource={world.room_a.pk}"
    assert link in as_manager_a.get(reverse("booking_resources:edit", args=[world.room_a.pk])).content.decode()
    assert link in as_manager_a.get(reverse("booking_resources:index")).content.decode()
    rows = as_manager_a.get(link).context["rows"]
    assert {row["calendar"].pk for row in rows} == {mine.pk, whole.pk}
    assert other.pk not in {row["calendar"].pk for row in rows}


def test_the_bookings_menu_has_outside_calendars(as_manager_a):
    page = as_manager_a.get(reverse("wagtailadmin_home")).content.decode()
    assert INDEX in page and "Outside calendars" in page


# The form ---------------------------------------------------------------------------------------


def form_data(world, address, **fields):
    return {"venue": world.a.pk, "resource": world.room_a.pk, "address": address, "name": "Salle (Google)"} | fields


def test_attach_a_calendar_to_a_room_fetches_it_at_once(
    as_manager_a, world, served, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_manager_a.post(ADD, form_data(world, f"  {served.secret_url}  "))
    assert response.status_code == 302, response.content.decode()[:2000]
    calendar = ExternalCalendar.objects.get(venue=world.a)
    assert calendar.resource == world.room_a and calendar.name == "Salle (Google)" and not calendar.all_day_blocks
    assert calendar.last_outcome == Outcome.IMPORTED and calendar.created_by == world.manager_a
    assert BusyBlock.objects.filter(source=calendar.source, resource=world.room_a).count() == 2
    followed = as_manager_a.get(response["Location"])
    messages = [str(m) for m in followed.context["messages"]]
    # Here the fetch ran once the test's capture ended, after the answer: the message said "soon".
    assert any("The calendar “Salle (Google)” is attached." in m for m in messages), messages
    assert "2 events, 2 busy times" in followed.content.decode()
    assert_secret_absent(followed)


def test_the_add_form_explains_where_to_find_the_address(as_manager_a, world):
    response = as_manager_a.get(ADD, {"resource": world.council_a.pk})
    page = response.content.decode()
    assert "Secret address in iCal format" in page and "Publish calendar" in page
    assert "Copy subscription link" in page
    assert 'type="password"' in page
    assert response.context["form"].initial["resource"] == world.council_a.pk
    assert "Lieu Bravo" not in page and "Salle Bleue" not in page  # nothing of another venue


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("", "This field is required."),
        ("ftp://example.org/cal.ics", "Use an address that starts with https://, http:// or webcal://."),
        ("https://user:pw@example.org/cal.ics", "Addresses with a user name or password are refused."),
        ("not an address", "This is not a web address."),
        ("https://example.org:99999/cal.ics", "This address has an invalid port."),
    ],
)
def test_bad_addresses_are_refused_in_plain_words(as_manager_a, world, address, words):
    response = as_manager_a.post(ADD, form_data(world, address))
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not ExternalCalendar.objects.exists()
    assert 'value="' + address + '"' not in response.content.decode() or not address


def test_a_refused_address_is_not_given_back(as_manager_a, world):
    secret = "https://user:pw@calendar.example.org/calendar/ical/s3cr3t-t0k3n/basic.ics"
    response = as_manager_a.post(ADD, form_data(world, secret))
    assert response.status_code == 400
    assert "s3cr3t-t0k3n" not in response.content.decode()


def test_a_resource_of_another_venue_is_refused(as_manager_a, world, served):
    response = as_manager_a.post(ADD, form_data(world, served.secret_url, resource=world.room_b.pk))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = as_manager_a.post(ADD, form_data(world, served.secret_url, resources=[world.room_b.pk], resource=""))
    assert response.status_code == 400
    assert not ExternalCalendar.objects.exists()
    assert_secret_absent(response)


def test_a_network_admin_cannot_mix_venues(client, world, served):
    client.force_login(admin_in_english(get_user_model().objects.create_superuser("root", "root@example.org", None)))
    response = client.post(ADD, form_data(world, served.secret_url, resource=world.room_b.pk))
    assert response.status_code == 400
    assert "This resource belongs to another venue." in response.content.decode()
    response = client.post(ADD, form_data(world, served.secret_url, resource="", resources=[world.room_b.pk]))
    assert response.status_code == 400
    assert "Every resource chosen must belong to this venue." in response.content.decode()
    assert not ExternalCalendar.objects.exists()


def test_a_mirrored_venue_is_refused(client, world, served):
    VenuePage.objects.filter(pk=world.b.pk).update(origin="https://peer.example")
    client.force_login(admin_in_english(get_user_model().objects.create_superuser("root", "root@example.org", None)))
    response = client.post(
        ADD, {"venue": world.b.pk, "resource": world.room_b.pk, "address": served.secret_url, "name": "x"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ExternalCalendar.objects.exists()


def test_a_whole_venue_calendar_blocks_the_resources_ticked(
    as_manager_a, world, served, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_manager_a.post(
            ADD, form_data(world, served.secret_url, resource="", resources=[world.pool_a.pk, world.council_a.pk])
        )
    assert response.status_code == 302
    calendar = ExternalCalendar.objects.get()
    assert calendar.resource is None
    assert set(BusyBlock.objects.filter(source=calendar.source).values_list("resource_id", flat=True)) == {
        world.pool_a.pk,
        world.council_a.pk,
    }


def test_edit_keeps_the_address_when_left_empty_and_never_shows_it(as_manager_a, world, served):
    calendar = attach(world, served, name="Avant")
    sealed = calendar.address_sealed
    url = reverse("outside_calendars:edit", args=[calendar.pk])
    page = as_manager_a.get(url)
    assert "Leave empty to keep the current address." in page.content.decode()
    assert_secret_absent(page)
    response = as_manager_a.post(url, {"address": "", "name": "Après", "all_day_blocks": "on", "enabled": "on"})
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.name == "Après" and calendar.all_day_blocks and calendar.address_sealed == sealed
    assert calendar.resource == world.room_a  # where it is attached does not change
    assert_secret_absent(as_manager_a.get(response["Location"]))


def test_edit_with_a_new_address_refetches(as_manager_a, world, served, django_capture_on_commit_callbacks):
    calendar = attach(world, served)
    served.publish("/other/basic.ics", ics(vevent("three@example.org", in_three_days())))
    url = reverse("outside_calendars:edit", args=[calendar.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = as_manager_a.post(url, {"address": served.url("/other/basic.ics"), "name": "", "enabled": "on"})
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.intervals_count == 1
    assert BusyBlock.objects.filter(source=calendar.source).count() == 1


# Fetch now, delete ------------------------------------------------------------------------------


def test_fetch_now_runs_the_fetch_and_says_how_it_went(as_manager_a, world, served):
    calendar = attach(world, served)
    fetch = reverse("outside_calendars:fetch", args=[calendar.pk])
    assert as_manager_a.get(fetch).status_code == 405  # a GET changes nothing

    served.publish(SECRET, ics(vevent("one@example.org", in_three_days())))
    response = as_manager_a.post(fetch, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("Imported: 1 event, 1 busy time." in m for m in messages), messages
    assert BusyBlock.objects.filter(source=calendar.source).count() == 1

    served.publish(SECRET, "not a calendar at all")
    response = as_manager_a.post(fetch, follow=True)
    page = response.content.decode()
    assert "The address does not give an iCalendar file." in page
    calendar.refresh_from_db()
    assert calendar.failures == 1 and calendar.failing_since is not None
    assert "data-error" in page and "1 in a row" in page
    assert BusyBlock.objects.filter(source=calendar.source).count() == 1  # the last good blocks stay
    assert_secret_absent(response)

    served.publish(SECRET, "", status=404)
    response = as_manager_a.post(fetch, follow=True)
    assert "The address was not found" in response.content.decode()
    assert_secret_absent(response)


def test_fetch_now_needs_the_csrf_token(world, served):
    calendar = attach(world, served)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.manager_a)
    assert strict.post(reverse("outside_calendars:fetch", args=[calendar.pk])).status_code == 403


def test_delete_asks_first_then_frees_the_times(as_manager_a, world, served):
    calendar = attach(world, served, name="À supprimer")
    url = reverse("outside_calendars:delete", args=[calendar.pk])
    confirm = as_manager_a.get(url)
    assert confirm.status_code == 200
    assert "2 busy times it imported are removed" in confirm.content.decode()
    assert_secret_absent(confirm)
    assert ExternalCalendar.objects.filter(pk=calendar.pk).exists()

    response = as_manager_a.post(url, follow=True)
    assert not ExternalCalendar.objects.filter(pk=calendar.pk).exists()
    assert not BusyBlock.objects.filter(source=calendar.source).exists()
    assert any("is deleted" in str(m) for m in response.context["messages"])
