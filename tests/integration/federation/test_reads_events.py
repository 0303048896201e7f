"""A peer's mirrored events in the agenda (list and month), the events API and the feeds, marked with
their origin, linked to their page on their own node, their seats counted from the owner's busy
blocks; in a fixed number of queries whatever the number of mirrors."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.support.factories import EventPageFactory, UserFactory, VenueFactory
from tests.support.mirrors import PEER, mirror_busy, mirror_event, mirror_venue

pytestmark = pytest.mark.django_db


def ahead(days: int = 9, hour: int = 18) -> datetime:
    zone = ZoneInfo("Europe/Paris")
    day = datetime.now(zone).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def agenda_url(language="fr"):
    with translation.override(language):
        return reverse("events:agenda")


@pytest.fixture
def mirrored(peer):
    venue = mirror_venue(PEER, title="Halle miroir")
    event = mirror_event(venue, start=ahead(), titles={"fr": "Atelier miroir", "en": "Mirrored workshop"}, capacity=10)
    mirror_busy(event.seats, start=event.start, end=event.end, quantity=3)
    mirror_busy(event.seats, start=event.start + timedelta(days=7), end=event.end + timedelta(days=7), quantity=5)
    return event


@pytest.fixture
def own_event(db):
    page = EventPageFactory(venue=VenueFactory(title="Maison locale"), title="Atelier local")
    return page


def test_agenda_lists_the_mirror_marked_and_linked_to_its_node(client, mirrored, own_event):
    soup = BeautifulSoup(client.get(agenda_url()).content, "html.parser")
    rows = {row.select_one(".event-title").get_text(strip=True): row for row in soup.select("[data-testid=event-row]")}
    assert "Atelier local" in rows and "Atelier miroir" in rows
    mirror_row = rows["Atelier miroir"]
    assert mirror_row.select_one("[data-testid=origin]").get_text(strip=True) == "sur Nœud A"
    assert mirror_row.select_one(".event-title a")["href"].startswith(mirrored.origin_urls["fr"])
    assert rows["Atelier local"].select_one("[data-testid=origin]") is None
    assert "7" in mirror_row.select_one(".seats").get_text()  # 10 seats, 3 taken on the origin


def test_agenda_in_english_links_the_english_page(client, mirrored):
    soup = BeautifulSoup(client.get(agenda_url("en")).content, "html.parser")
    link = soup.select_one("[data-testid=event-row] .event-title a")
    assert link.get_text(strip=True) == "Mirrored workshop"
    assert link["href"].startswith(mirrored.origin_urls["en"])


def test_agenda_month_view_marks_the_mirror(client, mirrored):
    month = mirrored.start.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m")
    soup = BeautifulSoup(client.get(agenda_url(), {"view": "month", "month": month}).content, "html.parser")
    cells = soup.select("[data-testid=month-event]")
    assert any("Atelier miroir" in cell.get_text() and cell.select_one("[data-testid=origin]") for cell in cells)


def test_events_api_list_and_detail_give_origin_url_and_seats(client, mirrored, own_event):
    items = client.get("/api/v1/events/").json()["results"]
    by_title = {item["title"]: item for item in items}
    mirror = by_title["Atelier miroir"]
    assert mirror["origin"] == PEER and mirror["origin_name"] == "Nœud A"
    assert mirror["url"] == mirrored.origin_urls["fr"]
    assert mirror["remaining"] == 7
    assert by_title["Atelier local"]["origin"] == settings.ESSAIM_NODE_URL
    detail = client.get(f"/api/v1/events/{mirrored.pk}/").json()
    assert detail["origin"] == PEER
    assert detail["url"] == mirrored.origin_urls["fr"]
    assert detail["remaining"] == 7
    english = client.get(f"/api/v1/events/{mirrored.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["url"] == mirrored.origin_urls["en"]


def test_remaining_seats_of_a_repeating_mirror_are_per_date(client, peer):
    venue = mirror_venue(PEER)
    start = ahead()
    event = mirror_event(
        venue, start=start, rule="FREQ=WEEKLY;COUNT=2", last_end=start + timedelta(days=7, hours=2), capacity=10
    )
    mirror_busy(event.seats, start=start + timedelta(days=7), end=start + timedelta(days=7, hours=2), quantity=4)
    detail = client.get(f"/api/v1/events/{event.pk}/").json()
    assert [o["remaining"] for o in detail["occurrences"]] == [10, 6]


def test_events_feed_carries_the_mirror_with_its_origin_page(client, mirrored, own_event):
    calendar = icalendar.Calendar.from_ical(client.get("/feeds/events.ics").content)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert "Atelier local" in events
    mirror = events["Atelier miroir"]
    assert str(mirror["URL"]) == mirrored.origin_urls["fr"]
    assert str(mirror["UID"]) == f"{mirrored.uid}@a.example"


def test_venue_feed_of_a_mirrored_venue(client, mirrored):
    response = client.get(f"/feeds/venues/{mirrored.venue.slug}.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Atelier miroir"]


def test_mirrored_venue_page_lists_its_events(client, mirrored):
    soup = BeautifulSoup(client.get(mirrored.venue.url).content, "html.parser")
    assert "Atelier miroir" in soup.get_text()


def test_api_queries_do_not_grow_with_mirrored_events(client, peer, own_event, django_assert_max_num_queries):
    venue = mirror_venue(PEER)
    for n in range(2):
        mirror_event(venue, start=ahead(5 + n), titles={"fr": f"M{n}"})
    client.get("/api/v1/events/")
    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/events/")
    for n in range(10):
        mirror_event(mirror_venue(PEER, title=f"V{n}"), start=ahead(5 + n), titles={"fr": f"N{n}"})
    with django_assert_max_num_queries(len(few)):
        assert client.get("/api/v1/events/").json()["count"] == 13


def test_agenda_queries_do_not_grow_with_mirrored_events(
    client, peer, own_event, django_assert_max_num_queries, settings
):
    settings.ESSAIM_PAGE_CACHE = False  # the queries of rendering it (a hit has none: tests/integration/cms)
    venue = mirror_venue(PEER)
    for n in range(2):
        mirror_event(venue, start=ahead(5 + n), titles={"fr": f"M{n}"})
    client.get(agenda_url())
    with django_assert_max_num_queries(25) as few:
        client.get(agenda_url())
    for n in range(10):
        mirror_event(mirror_venue(PEER, title=f"V{n}"), start=ahead(5 + n), titles={"fr": f"N{n}"})
    with django_assert_max_num_queries(len(few)):
        client.get(agenda_url())


def test_feed_queries_do_not_grow_with_mirrored_events(client, peer, own_event, django_assert_max_num_queries):
    venue = mirror_venue(PEER)
    mirror_event(venue, start=ahead(5), titles={"fr": "M"})
    client.get("/feeds/events.ics")
    with django_assert_max_num_queries(20) as few:
        client.get("/feeds/events.ics", {"lang": "en"})
    for n in range(10):
        mirror_event(mirror_venue(PEER, title=f"V{n}"), start=ahead(5 + n), titles={"fr": f"N{n}"})
    with django_assert_max_num_queries(len(few)):
        client.get("/feeds/events.ics", {"lang": "en"})


def test_registering_for_a_mirrored_event_here_is_refused(client, mirrored):
    client.force_login(UserFactory())
    response = client.post(
        f"/api/v1/events/{mirrored.pk}/registrations/",
        {"quantity": 1},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="mirror-registration-1",
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "remote_resource"
