"""A calendar failing for longer than ESSAIM_CALENDAR_FLAG_AFTER_HOURS is flagged to its venue's
managers: one e-mail per failing spell, saying which calendar, since when, why and where to fix it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from calendars import services
from calendars.models import ErrorCode
from tests.support.calendar_server import ics
from venues.services import venue_manager_assign

pytestmark = pytest.mark.django_db

PATH = "/calendar/ical/salle/private-fa1l1ng/basic.ics"


@pytest.fixture
def room(make_resource):
    return make_resource(name="Salle Loire")


def test_one_email_per_failing_spell(
    calendar_server, attach, room, make_user, settings, django_capture_on_commit_callbacks
):
    settings.ESSAIM_CALENDAR_FLAG_AFTER_HOURS = 48
    manager = make_user(email="manager@example.org")
    venue_manager_assign(venue=room.venue, user=manager)
    calendar_server.publish(PATH, "down", status=404)
    calendar = attach(PATH, resource=room, name="Planning Loire")
    start = timezone.now()

    def fetch_at(hours):
        with django_capture_on_commit_callbacks(execute=True):
            return services.calendar_fetch(calendar, now=start + timedelta(hours=hours))

    for hours in (0, 1, 10, 47):
        assert fetch_at(hours).error_code == ErrorCode.NOT_FOUND
    assert mail.outbox == []
    calendar.refresh_from_db()
    assert calendar.failures == 4 and calendar.failing_since == start
    assert calendar.next_fetch_at > start + timedelta(hours=47)  # backed off

    fetch_at(49)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["manager@example.org"]
    assert "Planning Loire" in message.subject
    assert "/admin/calendars/" in message.body and "404" in message.body
    assert "fa1l1ng" not in message.subject + message.body
    fetch_at(60)
    fetch_at(80)
    assert len(mail.outbox) == 1  # once in this spell

    calendar_server.publish(PATH, ics())
    assert fetch_at(81).ok
    calendar.refresh_from_db()
    assert calendar.failure_notified_at is None and calendar.failing_since is None and calendar.failures == 0

    calendar_server.publish(PATH, "down", status=500)
    fetch_at(82)
    fetch_at(100)
    assert len(mail.outbox) == 1
    fetch_at(131)  # a new spell, 49 hours old
    assert len(mail.outbox) == 2
    assert calendar_server.count(PATH) == 11
