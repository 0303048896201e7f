"""The import path end to end, on a real loopback server: a calendar attached to a room blocks it,
a second fetch is a 304 and writes nothing, a broken calendar keeps the last good blocks."""

from datetime import UTC, datetime, timedelta

import pytest

from bookings.models import BusyBlock
from calendars import services
from calendars.models import ErrorCode, Outcome

pytestmark = pytest.mark.django_db


def ics(*events: str) -> str:
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n"


def vevent(uid: str, start: datetime, hours: int = 1, extra: str = "") -> str:
    end = start + timedelta(hours=hours)
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\n{extra}END:VEVENT\r\n"
    )


@pytest.fixture
def room(make_resource):
    return make_resource(name="Salle Rhône")


def test_a_calendar_blocks_its_room_and_a_second_fetch_is_a_304(
    calendar_server, room, settings, django_capture_on_commit_callbacks
):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.0/8"]
    start = (datetime.now(UTC) + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    calendar_server.publish(
        "/cal.ics", ics(vevent("one@example.org", start), vevent("two@example.org", start + timedelta(days=1)))
    )

    with django_capture_on_commit_callbacks(execute=True):  # the first fetch is queued after the commit
        calendar = services.calendar_add(venue=room.venue, resource=room, address=calendar_server.url("/cal.ics"))
    calendar.refresh_from_db()
    assert calendar.last_outcome == Outcome.IMPORTED, calendar.error
    blocks = BusyBlock.objects.filter(source=calendar.source, resource=room)
    assert sorted(b.start for b in blocks) == [start, start + timedelta(days=1)]

    result = services.calendar_fetch(calendar)
    assert result.outcome == Outcome.NOT_MODIFIED
    assert calendar_server.requests[-1][2]["if-none-match"]

    calendar_server.publish("/cal.ics", "not a calendar")
    result = services.calendar_fetch(calendar)
    assert result.outcome == Outcome.FAILED and result.error_code == ErrorCode.NOT_A_CALENDAR
    assert BusyBlock.objects.filter(source=calendar.source).count() == 2


def test_loopback_is_refused_when_the_setting_is_off(
    calendar_server, room, settings, django_capture_on_commit_callbacks
):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = []
    calendar_server.publish("/cal.ics", ics())
    with django_capture_on_commit_callbacks(execute=True):  # the first fetch is queued after the commit
        calendar = services.calendar_add(venue=room.venue, resource=room, address=calendar_server.url("/cal.ics"))
    calendar.refresh_from_db()
    assert calendar.error_code == ErrorCode.REFUSED_ADDRESS
    assert calendar_server.requests == []
    assert "/cal.ics" not in calendar.error
