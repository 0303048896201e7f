"""The managers' day view, occupancy report and bookings list at the edges of the calendar (issue
12, item 5): dates at year 1 or 9999 are the form's error, never a 500, and the report stays a
year at most whichever of its bounds is given."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from tests.integration.bookings.test_admin_support import NOW

pytestmark = pytest.mark.django_db

DAY = reverse("booking_day:index")
OCCUPANCY = reverse("booking_occupancy:index")
LIST = reverse("booking_list:index")
FAR = ("0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31")


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize("day", FAR)
def test_the_day_view_shows_the_forms_error_and_today(as_manager_a, world, day):
    response = as_manager_a.get(DAY, {"venue": world.a.pk, "date": day})
    assert response.status_code == 400
    assert response.context["day"] == date(2026, 3, 2)
    assert "1900-01-01" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"first": "0001-01-01"},
        {"last": "9999-12-31"},
        {"first": "0001-01-01", "last": "9999-12-31"},
        {"first": "9999-12-31", "export": "csv"},
    ],
)
def test_the_occupancy_report_refuses_dates_out_of_range(as_manager_a, world, params):
    response = as_manager_a.get(OCCUPANCY, {"venue": world.a.pk, **params})
    assert response.status_code == (200 if params.get("export") == "csv" else 400)
    if params.get("export") != "csv":
        assert "1900-01-01" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "first", "last"),
    [
        ({"first": "1900-01-01"}, date(1900, 1, 1), date(1900, 12, 31)),
        ({"last": "2999-12-31"}, date(2998, 12, 31), date(2999, 12, 30)),
        ({"last": "2026-01-05"}, date(2025, 11, 10), date(2026, 1, 5)),
    ],
)
def test_the_occupancy_report_is_a_year_at_most_whichever_bound_is_given(as_manager_a, world, params, first, last):
    response = as_manager_a.get(OCCUPANCY, {"venue": world.a.pk, **params})
    assert response.status_code == 200
    weeks = response.context["report"].weeks
    assert (weeks[0].monday, weeks[-1].monday) == (first, last)
    assert len(weeks) <= 53


@pytest.mark.parametrize(
    "params",
    [
        {"dates_from": "9999-12-31"},
        {"dates_to": "9999-12-31"},
        {"dates_from": "0001-01-01", "dates_to": "9999-12-31"},
        {"dates_from": "0001-01-01"},
    ],
)
def test_the_bookings_list_shows_the_filters_error(as_manager_a, world, params):
    response = as_manager_a.get(LIST, params)
    assert response.status_code == 400
    assert "1900-01-01" in response.content.decode()
