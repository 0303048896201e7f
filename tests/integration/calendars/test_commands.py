"""``manage.py calendar_add``, ``calendars_fetch`` and ``calendar_list``: what they print (never
the address), and their exit status."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from bookings.models import BusyBlock
from calendars import services
from calendars.models import ExternalCalendar
from tests.integration.calendars.conftest import days_ahead
from tests.support.calendar_server import ics, vevent

pytestmark = pytest.mark.django_db

PATH = "/calendar/ical/salle/private-c0mmand/basic.ics"


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def room(make_resource):
    return make_resource(name="Salle Rhin")


def test_calendar_add_for_a_resource_fetches_at_once(calendar_server, loopback_allowed, room):
    calendar_server.publish(PATH, ics(vevent("a@example.org", days_ahead(2))))
    out = run("calendar_add", "--resource", str(room.pk), calendar_server.url(PATH), "--name", "Rhin")
    calendar = ExternalCalendar.objects.get()
    assert f"Calendar #{calendar.pk} added for resource {room.pk}" in out
    assert "imported (+1 ~0 -0)" in out
    assert "c0mmand" not in out
    assert BusyBlock.objects.filter(source=calendar.source).count() == 1
    assert calendar_server.count(PATH) == 1  # fetched once, not queued again


def test_calendar_add_for_a_venue_with_chosen_resources(calendar_server, loopback_allowed, room, make_resource):
    other = make_resource(venue=room.venue, name="Bureau")
    make_resource(venue=room.venue, name="Atelier")
    calendar_server.publish(PATH, ics(vevent("a@example.org", days_ahead(2))))
    url = calendar_server.url(PATH)
    out = run("calendar_add", "--venue", str(room.venue.pk), url, "--resources", f"{room.pk},{other.pk}", "--all-day")
    calendar = ExternalCalendar.objects.get()
    assert calendar.all_day_blocks and calendar.resource is None
    assert f"venue {room.venue.pk}" in out and "(+2 ~0 -0)" in out


def test_calendar_add_refuses_what_is_not_a_calendar_address(room):
    with pytest.raises(CommandError, match="https://"):
        run("calendar_add", "--resource", str(room.pk), "ftp://example.org/cal.ics")
    with pytest.raises(CommandError, match="No resource"):
        run("calendar_add", "--resource", "999999", "https://example.org/cal.ics")
    assert not ExternalCalendar.objects.exists()


def test_calendar_add_says_when_the_first_fetch_failed(calendar_server, settings, room):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = []
    out = StringIO()
    with pytest.raises(CommandError, match="first fetch failed"):
        call_command("calendar_add", "--resource", str(room.pk), calendar_server.url(PATH), stdout=out)
    assert "[refused_address]" in out.getvalue() and "c0mmand" not in out.getvalue()
    assert ExternalCalendar.objects.count() == 1  # kept: retried later


def test_calendars_fetch_due_and_all_and_exit_status(calendar_server, attach, room):
    calendar_server.publish(PATH, ics(vevent("a@example.org", days_ahead(2))))
    calendar_server.publish("/broken.ics", "nope", status=404)
    good = attach(PATH, resource=room)
    bad = attach("/broken.ics", resource=room)
    ExternalCalendar.objects.filter(pk=bad.pk).update(next_fetch_at=timezone.now() + timedelta(hours=1))

    out = run("calendars_fetch")  # only the due one
    assert f"#{good.pk} " in out and f"#{bad.pk} " not in out
    assert run("calendars_fetch") == "No calendar to fetch.\n"

    out = StringIO()
    with pytest.raises(CommandError, match="1 calendar"):
        call_command("calendars_fetch", "--all", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert any("[not_found]" in line for line in lines)
    assert "c0mmand" not in out.getvalue()


def test_calendar_list_lines_and_json(calendar_server, attach, room):
    calendar_server.publish(PATH, "nope", status=403)
    calendar = attach(PATH, resource=room, name="Rhin")
    services.calendar_fetch(calendar)
    out = run("calendar_list")
    assert f"#{calendar.pk} resource {room.pk}" in out and "[denied]" in out and "failed" in out
    assert "c0mmand" not in out
    rows = json.loads(run("calendar_list", "--json"))
    assert rows[0]["id"] == calendar.pk and rows[0]["error_code"] == "denied"
    assert rows[0]["address"] == calendar.address_hint
    assert "c0mmand" not in json.dumps(rows)
