"""Every public window at its edges (issue 12, items 1 and 5): dates at year 1 or 9999, a month in
9999, one bound far away and the other missing. Each answers a 400 (or the page with the form's
error), never a 500, and the window stays bounded whichever bound is given."""

import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from core import ical_writer
from events import selectors
from tests.support.factories import EventPageFactory

pytestmark = pytest.mark.django_db

EVENTS_FEED = reverse("feeds:events")
FAR_DATES = ("0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def make_event(make_venue):
    """``(page, event)``: an event page published at a venue, a Tuesday evening over a week ahead."""

    def make(venue=None, **fields):
        page = EventPageFactory(venue=venue or make_venue(), **fields)
        return page, selectors.event_for_page(page)

    return make


def agenda_url() -> str:
    with translation.override("fr"):
        return reverse("events:agenda")


def booking_url(pk: int) -> str:
    with translation.override("fr"):
        return reverse("bookings:resource", kwargs={"pk": pk})


# The events feed ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["end=9000-01-01", "start=0001-01-01", "start=9999-12-31", "end=0001-01-01", "start=0001-01-01&end=9999-12-31"],
)
def test_the_events_feed_refuses_dates_out_of_range_with_a_readable_400(client, site_tree, query):
    response = client.get(f"{EVENTS_FEED}?{query}&lang=en")
    assert response.status_code == 400, response.content[:300]
    assert "out of range" in response.content.decode() and "1900-01-01" in response.content.decode()


def test_a_far_end_alone_is_a_bounded_window_before_it(client, make_event):
    _page, event = make_event()
    far = date.today() + timedelta(days=3 * 366)
    response = client.get(f"{EVENTS_FEED}?end={far.isoformat()}")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    # The window is two years before ``end`` at most: next week's event is not in it.
    assert not calendar.walk("VEVENT")
    assert not calendar.walk("VTIMEZONE")
    near = client.get(f"{EVENTS_FEED}?end={(date.today() + timedelta(days=60)).isoformat()}")
    assert str(event.uid) in near.content.decode()


def test_a_far_start_alone_is_a_bounded_window_after_it(client, make_event):
    make_event()
    response = client.get(f"{EVENTS_FEED}?start=1900-01-01")
    assert response.status_code == 200
    assert not Calendar.from_ical(response.content).walk("VEVENT")


def test_the_feeds_time_zones_cover_only_the_years_its_events_use(client, make_event):
    _page, event = make_event()
    years = {event.start.year, event.last_end.year}
    response = client.get(f"{EVENTS_FEED}?start={date.today().isoformat()}&end=2028-12-01")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    starts = {part["DTSTART"].dt.year for zone in calendar.walk("VTIMEZONE") for part in zone.subcomponents}
    assert starts <= set(range(min(years) - 1, max(years) + 2))
    assert len(response.content) < 20_000


def test_a_new_end_that_chooses_the_same_events_is_served_from_the_cache(client, make_event, monkeypatch):
    make_event()
    renders = []
    real = ical_writer.calendar

    def counting(*args, **kwargs):
        renders.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("core.ical_writer.calendar", counting)
    today = date.today()
    first = client.get(f"{EVENTS_FEED}?end={(today + timedelta(days=100)).isoformat()}")
    second = client.get(f"{EVENTS_FEED}?end={(today + timedelta(days=101)).isoformat()}")
    assert first.status_code == second.status_code == 200
    assert first["ETag"] == second["ETag"] and first.content == second.content
    assert len(renders) == 1


def test_a_feed_over_its_budget_is_cut_and_says_so(client, make_venue, make_event, settings):
    venue = make_venue()
    soon = date.today() + timedelta(days=8)
    for n in range(3):
        make_event(venue, title=f"Atelier {n}", start_date=soon + timedelta(days=n))
    settings.ESSAIM_FEED_MAX_EVENTS = 2
    response = client.get(f"{EVENTS_FEED}?lang=en")
    assert response.status_code == 200
    assert response["Essaim-Feed-Truncated"] == "2/3"
    calendar = Calendar.from_ical(response.content)
    assert len(calendar.walk("VEVENT")) == 2
    assert all("URL" in written and "LOCATION" in written for written in calendar.walk("VEVENT"))
    assert "Only the first 2 of 3 events" in str(calendar["DESCRIPTION"])


# The agenda -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"start": "0001-01-01"},
        {"start": "9999-12-31"},
        {"end": "9999-12-31"},
        {"end": "0001-01-01"},
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"view": "month", "month": "9999-12"},
        {"view": "month", "month": "0001-01"},
        {"view": "month", "month": "0000-01"},
        {"view": "month", "month": "99999-01"},
    ],
)
def test_the_agenda_shows_the_forms_error_for_dates_out_of_range(client, site_tree, params):
    response = client.get(agenda_url(), params)
    assert response.status_code == 400
    page = response.content.decode()
    assert "1900-01-01" in page or "YYYY-MM" in page


def test_the_agenda_list_is_bounded_when_only_its_end_is_given(client, site_tree):
    response = client.get(agenda_url(), {"end": "2999-12-31"})
    assert response.status_code == 200
    first, last = response.context["first"], response.context["last"]
    assert last == date(2999, 12, 31) and (last - first).days <= 366


# The events API -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"starts_after": "0001-01-01"}, "out_of_range"),
        ({"ends_before": "9999-12-31"}, "out_of_range"),
        ({"starts_after": "9999-12-31T23:59:59+00:00"}, "out_of_range"),
    ],
)
def test_the_events_api_refuses_dates_out_of_range(client, site_tree, params, code):
    response = client.get(reverse("api:event-list"), params)
    assert response.status_code == 400 and response.json()["code"] == code, response.content


def test_the_events_api_is_bounded_when_only_ends_before_is_given(client, make_event):
    make_event()
    far = (date.today() + timedelta(days=3 * 366)).isoformat()
    response = client.get(reverse("api:event-list"), {"ends_before": far})
    assert response.status_code == 200 and response.json()["count"] == 0


# Availability ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "window",
    [
        ("0001-01-01T00:00:00+00:00", "0001-01-02T00:00:00+00:00"),
        ("9999-12-30T00:00:00+00:00", "9999-12-31T00:00:00+00:00"),
    ],
)
def test_availability_apis_refuse_dates_out_of_range(client, make_resource, window):
    resource = make_resource()
    start, end = window
    for url, params in (
        (reverse("api:resource-availability", args=[resource.pk]), {"start": start, "end": end}),
        (reverse("api:availability"), {"start": start, "end": end}),
    ):
        response = client.get(url, params)
        assert response.status_code == 400 and response.json()["code"] == "out_of_range", response.content


# The booking page -----------------------------------------------------------------------------


@pytest.mark.parametrize("day", FAR_DATES)
def test_the_booking_page_says_a_day_out_of_range_is_refused(client, make_resource, day):
    resource = make_resource()
    response = client.get(booking_url(resource.pk), {"day": day})
    assert response.status_code == 400
    assert "1900-01-01" in response.content.decode()


@pytest.mark.parametrize("moment", ["9999-12-31T23:00:00+00:00", "0001-01-01T00:00:00+00:00"])
def test_the_booking_page_ignores_a_start_out_of_range(client, make_resource, moment):
    resource = make_resource()
    response = client.get(booking_url(resource.pk), {"start": moment, "end": moment})
    assert response.status_code == 200


def test_posting_a_day_out_of_range_is_the_forms_error(client, make_resource, make_user):
    resource = make_resource(booking_unit="half_day")
    client.force_login(make_user())
    response = client.post(booking_url(resource.pk), {"day": "9999-12-31", "preset": "morning", "quantity": "1"})
    assert response.status_code == 400


# Occurrence keys --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["99991231T235959Z", "00010101T000000Z"])
def test_occurrence_keys_out_of_range_are_404_or_ignored(client, make_event, make_user, key):
    page, event = make_event()
    with translation.override("fr"):
        ics = reverse("events:occurrence-ics", kwargs={"pk": event.pk, "key": key})
        register = reverse("events:register", kwargs={"pk": event.pk})
    assert client.get(ics).status_code == 404
    assert client.get(page.url, {"date": key}).status_code == 200
    client.force_login(make_user())
    response = client.post(register, {"date": key, "quantity": "1"})
    assert response.status_code < 500


def test_no_date_in_range_overflows_the_agenda_month(client, site_tree):
    for month in ("1900-01", "2999-12"):
        response = client.get(agenda_url(), {"view": "month", "month": month})
        assert response.status_code == 200
        assert not re.search(r"out of range|hors", response.content.decode())


@pytest.mark.parametrize("day", ["1900-01-01", "2999-12-31"])
def test_the_booking_page_shows_the_first_and_last_days_in_range(client, make_resource, day):
    resource = make_resource()
    response = client.get(booking_url(resource.pk), {"day": day})
    assert response.status_code == 200
    assert response.context["day"] == date.fromisoformat(day)


@pytest.mark.parametrize(
    "params",
    [{"end": "1900-01-01"}, {"start": "2999-12-31"}, {"end": "1900-01-01", "lang": "en"}],
)
def test_the_events_feed_and_agenda_at_the_edges_of_the_range(client, site_tree, params):
    assert client.get(EVENTS_FEED, params).status_code == 200
    assert client.get(agenda_url(), params).status_code == 200
    assert client.get(agenda_url(), {"view": "month", "month": "2999-12", **params}).status_code == 200


def test_the_apis_at_the_edges_of_the_range(client, make_resource):
    resource = make_resource()
    for params in ({"starts_after": "2999-12-31"}, {"ends_before": "1900-01-01"}, {"starts_after": "1900-01-01"}):
        assert client.get(reverse("api:event-list"), params).status_code == 200, params
    window = {"start": "2999-12-01T00:00:00+00:00", "end": "2999-12-31T23:00:00+00:00"}
    assert client.get(reverse("api:resource-availability", args=[resource.pk]), window).status_code == 200
    assert client.get(reverse("api:availability"), window).status_code == 200
    window = {"start": "1900-01-01T00:00:00+00:00", "end": "1900-01-31T00:00:00+00:00"}
    assert client.get(reverse("api:resource-availability", args=[resource.pk]), window).status_code == 200
    assert client.get(reverse("api:availability"), window).status_code == 200
