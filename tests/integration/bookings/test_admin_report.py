"""The occupancy report: ``reports.occupancy`` over plain data (DST weeks, pools, closures, week
edges), then the admin page and its CSV, loaded in a fixed number of queries."""

import csv
import io
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from bookings import availability as av
from bookings import inventory
from bookings.admin import reports
from bookings.admin.reports import BookedSpan, ResourceSpec
from tests.integration.bookings.test_admin_support import NOW

PARIS = ZoneInfo("Europe/Paris")
ALL_DAY = tuple(av.WeeklyHours(day, time(0), time(0)) for day in range(7))  # 00:00–24:00 every day
OFFICE = tuple(av.WeeklyHours(day, time(9), time(18)) for day in range(5))  # 45 hours a week


def paris(*args):
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def one(resource, bookings, first_monday, weeks=1):
    report = reports.occupancy([resource], bookings, PARIS, reports.iso_weeks(first_monday, weeks, PARIS))
    return report.rows[0].cells


# Pure ---------------------------------------------------------------------------------------


def test_dst_weeks_have_167_and_169_open_hours():
    desk = ResourceSpec(1, "Bureau", 1, ALL_DAY)
    spring, normal, autumn = (
        one(desk, [], date(2026, 3, 23))[0],  # clocks go forward on Sunday 29 March
        one(desk, [], date(2026, 3, 30))[0],
        one(desk, [], date(2026, 10, 19))[0],  # and back on Sunday 25 October
    )
    assert (spring.open_minutes, normal.open_minutes, autumn.open_minutes) == (167 * 60, 168 * 60, 169 * 60)


def test_a_booking_across_the_missing_hour_counts_its_real_length():
    desk = ResourceSpec(1, "Bureau", 1, ALL_DAY)
    # 1:00 to 4:00 on the wall clock of 29 March is two real hours (2:00–3:00 does not exist).
    booking = BookedSpan(1, paris(2026, 3, 29, 1), paris(2026, 3, 29, 4))
    (cell,) = one(desk, [booking], date(2026, 3, 23))
    assert cell.booked_minutes == 120
    assert cell.share == pytest.approx(120 / (167 * 60))
    assert reports.iso_weeks(date(2026, 3, 25), 1, PARIS)[0].label == "2026-W13"


def test_pools_weigh_bookings_by_their_share_of_capacity():
    pool = ResourceSpec(2, "Open space", 4, OFFICE)
    bookings = [
        BookedSpan(2, paris(2026, 3, 3, 9), paris(2026, 3, 3, 12), quantity=2),  # half the desks for 3 h
        BookedSpan(2, paris(2026, 3, 4, 9), paris(2026, 3, 4, 18), quantity=4),  # all of them for a day
    ]
    (cell,) = one(pool, bookings, date(2026, 3, 2))
    assert cell.open_minutes == 45 * 60
    assert cell.booked_minutes == 90 + 540
    assert cell.percent == round(630 / 2700 * 100)


def test_closures_and_time_outside_the_hours_do_not_count():
    closed_friday = (av.ClosureDays(date(2026, 3, 6), date(2026, 3, 6)),)
    room = ResourceSpec(3, "Salle", 1, OFFICE, closed_friday)
    bookings = [
        BookedSpan(3, paris(2026, 3, 3, 8), paris(2026, 3, 3, 10)),  # only 9:00–10:00 is open time
        BookedSpan(3, paris(2026, 3, 6, 9), paris(2026, 3, 6, 10)),  # a closed day
    ]
    (cell,) = one(room, bookings, date(2026, 3, 2))
    assert (cell.open_minutes, cell.booked_minutes) == (36 * 60, 60)


def test_a_booking_over_the_week_edge_is_split_between_weeks():
    desk = ResourceSpec(1, "Bureau", 1, ALL_DAY)
    night = BookedSpan(1, paris(2026, 3, 8, 22), paris(2026, 3, 9, 2))  # Sunday 22:00 to Monday 2:00
    first, second = one(desk, [night], date(2026, 3, 2), weeks=2)
    assert (first.booked_minutes, second.booked_minutes) == (120, 120)


def test_never_open_is_no_share_and_totals_add_up():
    shut = ResourceSpec(4, "Cave", 1, ())
    room = ResourceSpec(5, "Salle", 1, OFFICE)
    weeks = reports.iso_weeks(date(2026, 3, 2), 2, PARIS)
    report = reports.occupancy([shut, room], [BookedSpan(5, paris(2026, 3, 3, 9), paris(2026, 3, 3, 18))], PARIS, weeks)
    assert report.rows[0].cells[0].share is None and report.rows[0].total.percent is None
    assert [cell.booked_minutes for cell in report.week_totals] == [540, 0]
    assert report.total.open_minutes == 2 * 45 * 60
    assert report.total.share == pytest.approx(540 / 5400)


# Loaded from the database, and the admin page ------------------------------------------------


@pytest.mark.django_db
def test_venue_occupancy_counts_confirmed_checked_in_and_no_shows_in_five_queries(world, django_assert_num_queries):
    inventory.closure_create(venue=world.a, first_day=date(2026, 3, 6), reason="Inventaire")
    with django_assert_num_queries(5):
        report = reports.venue_occupancy(venue=world.a, first_monday=date(2026, 3, 2), weeks=2)
    rows = {row.resource.name: row.cells for row in report.rows}
    assert set(rows) == {"Open space", "Salle Lumière", "Salle du conseil"}  # not another venue's
    assert rows["Salle Lumière"][0].booked_minutes == 60
    assert rows["Salle Lumière"][0].open_minutes == 36 * 60  # Friday is closed
    assert rows["Open space"][0].booked_minutes == 90  # 2 of 4 desks for 3 hours
    assert rows["Salle du conseil"][0].booked_minutes == 0  # awaiting approval: not booked


@pytest.mark.django_db
def test_report_page_defaults_to_four_weeks_either_side_and_exports_csv(client, world):
    client.force_login(world.manager_a)
    url = reverse("booking_occupancy:index")
    with time_machine.travel(NOW, tick=False):
        response = client.get(url)
        assert response.status_code == 200
        weeks = [week.label for week in response.context["report"].weeks]
        assert weeks[0] == "2026-W06" and weeks[4] == "2026-W10" and weeks[-1] == "2026-W14"
        page = response.content.decode()
        assert "Salle Lumière" in page and "2026-W10" in page

        response = client.get(url, {"venue": world.a.pk, "first": "2026-03-04", "last": "2026-03-10", "export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["Resource", "Week", "Monday", "Open hours", "Booked hours", "Occupancy (%)"]
    assert len(rows) == 1 + 3 * 2  # three resources, two weeks
    assert ["Salle Lumière", "2026-W10", "2026-03-02", "45.00", "1.00", "2"] in rows


@pytest.mark.django_db
def test_report_refuses_a_period_backwards(client, world):
    client.force_login(world.manager_a)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("booking_occupancy:index"), {"first": "2026-03-30", "last": "2026-03-02"})
    assert response.status_code == 400
    assert "The last week must not be before the first." in response.content.decode()
