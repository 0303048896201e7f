"""What an import writes: only what changed, for every resource it blocks. A venue-wide calendar
blocks each resource (each whole: every desk of a pool); a resource dropped from the chosen ones
loses its blocks; one added to the venue gets them at the next import, even when the server
answers 304. A calendar re-stamped on every fetch (Google) writes no block when its busy times
are the same."""

from datetime import timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import BusyBlock
from calendars import services
from calendars.models import Outcome
from calendars.signals import blocks_changed
from tests.integration.calendars.conftest import days_ahead
from tests.support.calendar_server import ics, vevent

pytestmark = pytest.mark.django_db

PATH = "/team.ics"


def block_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "bookings_busyblock" in q["sql"] and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


@pytest.fixture
def venue(make_venue):
    return make_venue()


@pytest.fixture
def rooms(make_resource, venue):
    return [make_resource(venue=venue, name=f"Salle {n}") for n in (1, 2, 3)]


@pytest.fixture
def signals():
    sent = []

    def receiver(sender, calendar, written, deleted, **kwargs):
        sent.append((len(written), len(deleted)))

    blocks_changed.connect(receiver)
    yield sent
    blocks_changed.disconnect(receiver)


def test_a_venue_wide_calendar_blocks_every_resource_and_each_whole(calendar_server, attach, venue, rooms):
    pool = rooms[0].__class__.objects.get(pk=rooms[0].pk)
    pool.capacity = 6
    pool.save(update_fields=["capacity"])
    start = days_ahead(4)
    calendar_server.publish(
        PATH, ics(vevent("x@example.org", start), vevent("y@example.org", start + timedelta(days=1)))
    )
    calendar = attach(PATH, venue=venue)
    result = services.calendar_fetch(calendar)
    assert (result.outcome, result.created) == (Outcome.IMPORTED, 6)
    blocks = BusyBlock.objects.filter(source=calendar.source)
    assert {b.resource_id for b in blocks} == {r.pk for r in rooms}
    assert {(b.resource_id, b.quantity) for b in blocks if b.resource_id == pool.pk} == {(pool.pk, 6)}


def test_chosen_resources_dropping_one_removes_its_blocks(calendar_server, attach, venue, rooms, signals):
    start = days_ahead(4)
    calendar_server.publish(PATH, ics(vevent("x@example.org", start)))
    calendar = attach(PATH, venue=venue, resources=rooms[:2])
    services.calendar_fetch(calendar)
    assert set(BusyBlock.objects.filter(source=calendar.source).values_list("resource_id", flat=True)) == {
        rooms[0].pk,
        rooms[1].pk,
    }
    services.calendar_update(calendar, resources=[rooms[0]])  # refetched on commit (eager here)
    calendar.refresh_from_db()
    result = services.calendar_fetch(calendar)  # and whatever the order, the same state again
    assert result.ok
    assert list(BusyBlock.objects.filter(source=calendar.source).values_list("resource_id", flat=True)) == [rooms[0].pk]
    assert (0, 1) in signals


def test_a_resource_added_to_the_venue_is_blocked_at_the_next_import_despite_a_304(
    calendar_server, attach, venue, rooms, make_resource
):
    start = days_ahead(4)
    calendar_server.publish(PATH, ics(vevent("x@example.org", start)), dialect="nextcloud")
    calendar = attach(PATH, venue=venue)
    services.calendar_fetch(calendar)
    assert services.calendar_fetch(calendar).outcome == Outcome.NOT_MODIFIED

    newcomer = make_resource(venue=venue, name="Atelier")
    result = services.calendar_fetch(calendar)
    assert result.outcome == Outcome.IMPORTED and result.created == 1
    assert "if-none-match" not in calendar_server.requests[-1][2]  # a new context asks for the body
    assert BusyBlock.objects.filter(source=calendar.source, resource=newcomer).count() == 1
    assert services.calendar_fetch(calendar).outcome == Outcome.NOT_MODIFIED  # then 304s again


def test_the_next_day_expands_again_and_slides_the_window(calendar_server, attach, rooms):
    room = rooms[0]
    weekly = vevent("weekly@example.org", days_ahead(-40), extra="RRULE:FREQ=WEEKLY\r\n")
    calendar_server.publish(PATH, ics(weekly), dialect="outlook")
    calendar = attach(PATH, resource=room)
    now = timezone.now().replace(hour=1, minute=0)  # the hour after stays the same UTC day
    services.calendar_fetch(calendar, now=now)
    first = set(BusyBlock.objects.filter(source=calendar.source).values_list("uid", flat=True))
    assert services.calendar_fetch(calendar, now=now + timedelta(hours=1)).outcome == Outcome.NOT_MODIFIED
    later = services.calendar_fetch(calendar, now=now + timedelta(days=8))
    assert later.outcome == Outcome.IMPORTED
    assert later.created >= 1 and later.deleted >= 1  # a week more ahead, a week less behind
    assert set(BusyBlock.objects.filter(source=calendar.source).values_list("uid", flat=True)) != first


def test_a_calendar_restamped_on_every_fetch_writes_no_block(calendar_server, attach, rooms, signals):
    start = days_ahead(2)
    stamps = count()

    def google():
        stamp = f"20260101T{next(stamps) % 24:02d}0000Z"
        events = [vevent(f"e{n}@google.com", start + timedelta(days=n), stamp=stamp) for n in range(20)]
        return ics(*events, extra="X-WR-CALNAME:Salles\r\n")

    calendar_server.publish(PATH, google, dialect="google")
    calendar = attach(PATH, venue=rooms[0].venue)
    assert services.calendar_fetch(calendar).created == 60
    before = {b.pk: b.updated_at for b in BusyBlock.objects.filter(source=calendar.source)}
    with CaptureQueriesContext(connection) as queries:
        result = services.calendar_fetch(calendar)
    assert result.outcome == Outcome.UNCHANGED
    assert block_writes(queries) == []
    assert {b.pk: b.updated_at for b in BusyBlock.objects.filter(source=calendar.source)} == before
    assert signals == [(60, 0)]  # the first import only


def test_only_what_changed_is_written(calendar_server, attach, rooms, signals):
    room = rooms[0]
    start = days_ahead(3)
    events = {n: vevent(f"e{n}@example.org", start + timedelta(days=n)) for n in range(5)}
    series = vevent("series@example.org", start, extra="RRULE:FREQ=DAILY;COUNT=3\r\n")
    calendar_server.publish(PATH, ics(series, *events.values()))
    calendar = attach(PATH, resource=room)
    services.calendar_fetch(calendar)
    kept = {b.uid: (b.pk, b.updated_at, b.start) for b in BusyBlock.objects.filter(source=calendar.source)}
    assert len(kept) == 8

    second = start + timedelta(days=1)
    moved = vevent(
        "series@example.org", second + timedelta(hours=2), extra=f"RECURRENCE-ID:{second:%Y%m%dT%H%M%SZ}\r\n"
    )
    del events[2]  # cancelled
    events[9] = vevent("e9@example.org", start + timedelta(days=9))  # new
    calendar_server.publish(PATH, ics(series, moved, *events.values()))
    result = services.calendar_fetch(calendar)
    assert (result.created, result.updated, result.deleted) == (1, 1, 1)
    after = {b.uid: (b.pk, b.updated_at, b.start) for b in BusyBlock.objects.filter(source=calendar.source)}
    untouched = set(kept) & set(after)
    assert len(untouched) == 7
    changed = [uid for uid in untouched if after[uid] != kept[uid]]
    assert len(changed) == 1 and changed[0].startswith("series@example.org/")  # the same row, moved
    assert after[changed[0]][0] == kept[changed[0]][0]
    assert after[changed[0]][2] == second + timedelta(hours=2)
    assert signals[-1] == (2, 1)


def test_removing_a_calendar_frees_its_resources(calendar_server, attach, rooms):
    calendar_server.publish(PATH, ics(vevent("x@example.org", days_ahead(2))))
    calendar = attach(PATH, venue=rooms[0].venue)
    services.calendar_fetch(calendar)
    source = calendar.source
    services.calendar_delete(calendar)
    assert not BusyBlock.objects.filter(source=source).exists()
