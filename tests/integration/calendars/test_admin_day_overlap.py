"""The day view flags a booking that an outside calendar's busy time overlaps (nothing is
cancelled: the manager decides), shows the day's outside busy times, and reads them in one query."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import BookingStatus, BusyBlock, calendar_source
from tests.integration.bookings.test_admin_support import NOW, build_world, load_world
from tests.integration.support import rolled_back

pytestmark = pytest.mark.django_db

DAY = reverse("booking_day:index")


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        yield build_world()


@pytest.fixture
def world(db, _world):
    return load_world(_world)


@pytest.fixture
def as_manager_a(client, world):
    client.force_login(world.manager_a)
    return client


def paris(hour, minute=0):
    """Tuesday 3 March 2026 at ``hour`` in Paris (UTC+1)."""
    return datetime(2026, 3, 3, hour - 1, minute, tzinfo=UTC)


#: The source of an outside calendar's blocks (the calendar itself need not exist for the day view).
OUTSIDE = calendar_source(7)


def busy(resource, start, end, source=OUTSIDE, uid="evt"):
    return BusyBlock.objects.create(resource=resource, start=start, end=end, source=source, uid=uid)


def tuesday(client, world):
    with time_machine.travel(NOW, tick=False):
        return client.get(DAY, {"venue": world.a.pk, "date": "2026-03-03"})


def test_a_booking_under_an_outside_busy_time_is_flagged_and_stays(as_manager_a, world):
    # Salle Lumière is booked 9:00–10:00; the venue's calendar says 9:30–10:30 and 14:00–15:00.
    busy(world.room_a, paris(9, 30), paris(10, 30), uid="a")
    busy(world.room_a, paris(14), paris(15), uid="b")
    # A peer's occupancy (not an outside calendar) is not the venue's calendar: no flag.
    busy(world.council_a, paris(10), paris(11), source="https://peer.example", uid="c")

    response = tuesday(as_manager_a, world)

    rows = {row["booking"].reference: row for _resource, rows in response.context["groups"] for row in rows}
    assert rows[world.confirmed_a.reference]["outside_overlap"] == "09:30–10:30"
    assert rows[world.pending_a.reference]["outside_overlap"] == ""
    assert rows[world.pooled_a.reference]["outside_overlap"] == ""
    assert response.context["outside_busy"][world.room_a.pk] == ["09:30–10:30", "14:00–15:00"]
    assert response.context["outside_busy"][world.council_a.pk] == []
    assert response.context["flagged"] == 1
    page = response.content.decode().replace("&#x27;", "'")
    assert "Overlaps the venue's calendar (09:30–10:30)" in page
    assert "Busy in the venue's calendar: 09:30–10:30, 14:00–15:00" in page
    assert "1 booking overlaps the venue's own calendar" in page
    world.confirmed_a.refresh_from_db()
    assert world.confirmed_a.status == BookingStatus.CONFIRMED  # nothing is cancelled


def test_overlapping_calendars_merge_and_a_long_block_shows_its_dates(as_manager_a, world):
    busy(world.pool_a, paris(8), paris(9, 30), uid="a")
    busy(world.pool_a, paris(9), paris(10), source=calendar_source(8), uid="b")  # another calendar
    busy(world.room_a, datetime(2026, 3, 2, 12, tzinfo=UTC), datetime(2026, 3, 3, 23, tzinfo=UTC), uid="c")

    response = tuesday(as_manager_a, world)

    assert response.context["outside_busy"][world.pool_a.pk] == ["08:00–10:00"]
    assert response.context["outside_busy"][world.room_a.pk] == ["03/02/2026 13:00–24:00"]  # English dates
    rows = {row["booking"].reference: row for _resource, rows in response.context["groups"] for row in rows}
    assert rows[world.pooled_a.reference]["outside_overlap"] == "08:00–10:00"


def test_the_outside_busy_times_cost_one_query_whatever_their_number(as_manager_a, world):
    with CaptureQueriesContext(connection) as few:
        tuesday(as_manager_a, world)
    for hour in range(8, 18):
        for resource in (world.room_a, world.pool_a, world.council_a):
            busy(resource, paris(hour), paris(hour, 30), uid=f"{resource.pk}-{hour}")
    with CaptureQueriesContext(connection) as many:
        response = tuesday(as_manager_a, world)
    assert response.context["flagged"] == 3
    assert len(many.captured_queries) == len(few.captured_queries)
    assert sum("bookings_busyblock" in q["sql"] for q in many.captured_queries) == 1
