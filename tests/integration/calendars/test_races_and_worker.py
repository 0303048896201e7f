"""Two fetches of one calendar at once (PostgreSQL, two threads really racing) leave each busy
time once; a fetch through the real Celery path (a worker thread and the broker) imports."""

from datetime import timedelta

import pytest

from bookings.models import BusyBlock
from calendars import services
from calendars.models import ExternalCalendar, Outcome
from calendars.tasks import calendar_fetch_task
from tests.integration.calendars.conftest import days_ahead
from tests.support.calendar_server import ics, vevent
from tests.support.races import at_once, postgres_only
from tests.support.worker import wait_for

PATH = "/race.ics"


def events(n, shift=0):
    start = days_ahead(2)
    return ics(*(vevent(f"e{i}@example.org", start + timedelta(days=i, hours=shift)) for i in range(n)))


@postgres_only
@pytest.mark.parametrize("first_import", [True, False])
def test_two_fetches_at_once_give_each_block_once(calendar_server, attach, make_resource, first_import):
    venue_room = make_resource()
    other = make_resource(venue=venue_room.venue)
    calendar_server.publish(PATH, events(30))
    calendar = attach(PATH, venue=venue_room.venue)
    if not first_import:
        services.calendar_fetch(calendar)
        calendar_server.publish(PATH, events(40, shift=1))  # 30 moved, 10 new

    def job():
        return services.calendar_fetch(ExternalCalendar.objects.select_related("venue", "resource").get(pk=calendar.pk))

    results = at_once(job, job)
    assert all(not isinstance(r, Exception) for r in results), results
    assert all(r.ok for r in results), results
    blocks = list(BusyBlock.objects.filter(source=calendar.source).values_list("resource_id", "uid", "start"))
    expected = 30 if first_import else 40
    assert len(blocks) == 2 * expected
    assert len({(r, u) for r, u, _s in blocks}) == 2 * expected
    assert {r for r, _u, _s in blocks} == {venue_room.pk, other.pk}
    outcomes = sorted(r.outcome for r in results)
    assert Outcome.IMPORTED in outcomes
    written = sum(r.created + r.updated for r in results)
    assert written == (60 if first_import else 80)  # the loser found it done: wrote nothing


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_calendar_fetch_task_through_a_real_worker(calendar_server, attach, make_resource, worker):
    room = make_resource()
    calendar_server.publish(PATH, events(3))
    calendar = attach(PATH, resource=room)
    calendar_fetch_task.delay(calendar.pk)
    assert wait_for(lambda: ExternalCalendar.objects.get(pk=calendar.pk).last_outcome == Outcome.IMPORTED), (
        ExternalCalendar.objects.get(pk=calendar.pk).error
    )
    assert wait_for(lambda: BusyBlock.objects.filter(source=calendar.source).count() == 3)
