"""schema.org JSON-LD on event and programme pages, parsed as a search engine would read it."""

import json
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import translation

from events import selectors, services
from events.models import occurrence_key
from events.services import programme_page_create

pytestmark = pytest.mark.django_db

SCHEMA = "https://schema.org/"


@pytest.fixture(autouse=True)
def _french():
    translation.activate("fr")
    yield
    translation.activate("fr")


def jsonld(response, script_id: str) -> dict:
    html = response.content.decode()
    match = re.search(rf'<script type="application/ld\+json" id="{script_id}">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD script"
    assert "</" not in match.group(1)  # nothing in the data can close the script element
    return json.loads(match.group(1))


def first(event):
    return selectors.upcoming(event, now=datetime.now(UTC))[0]


def test_event_fields(client, make_venue, make_event):
    venue = make_venue(street_address="12 rue des Capucins", postcode="69001", city="Lyon")
    page, event = make_event(venue, title="Atelier <b>&</b> café", summary="Se lancer", price="8", capacity=20)
    data = jsonld(client.get(page.url), "event-jsonld")
    occurrence = first(event)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    assert data["name"] == "Atelier <b>&</b> café"  # escaped in HTML, intact once parsed
    assert data["description"] == "Se lancer"
    assert datetime.fromisoformat(data["startDate"]) == occurrence.start
    assert data["startDate"].endswith(("+01:00", "+02:00"))  # with the venue's offset
    assert datetime.fromisoformat(data["endDate"]) == occurrence.end
    assert data["eventStatus"] == SCHEMA + "EventScheduled"
    assert data["eventAttendanceMode"] == SCHEMA + "OfflineEventAttendanceMode"
    place = data["location"]
    assert place["@type"] == "Place" and place["name"] == venue.title
    assert place["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "12 rue des Capucins",
        "postalCode": "69001",
        "addressLocality": "Lyon",
        "addressCountry": "FR",
    }
    assert place["geo"]["@type"] == "GeoCoordinates" and place["geo"]["latitude"] == venue.latitude
    offer = data["offers"]
    assert offer["@type"] == "Offer" and offer["price"] == "8.00" and offer["priceCurrency"] == "EUR"
    assert offer["availability"] == SCHEMA + "InStock"
    assert offer["url"] == data["url"] and data["url"].startswith("http://testserver/")
    assert datetime.fromisoformat(offer["validFrom"])
    assert data["organizer"] == {"@type": "Organization", "name": venue.title, "url": f"http://testserver{venue.url}"}


def test_recurring_event_uses_the_chosen_date_and_a_schedule(client, make_event):
    page, event = make_event(repeat="WEEKLY", repeat_weekdays="TU")
    later = selectors.upcoming(event, now=datetime.now(UTC))[2]
    data = jsonld(client.get(f"{page.url}?date={occurrence_key(later.recurrence_id)}"), "event-jsonld")
    assert datetime.fromisoformat(data["startDate"]) == later.start
    schedule = data["eventSchedule"]
    assert schedule["@type"] == "Schedule" and schedule["repeatFrequency"] == "P1W"
    assert schedule["byDay"] == [SCHEMA + "Tuesday"] and schedule["scheduleTimezone"] == "Europe/Paris"


def test_online_and_hybrid_locations(client, make_event):
    page, _event = make_event(attendance_mode="online", online_url="https://visio.example.org/apero")
    data = jsonld(client.get(page.url), "event-jsonld")
    assert data["eventAttendanceMode"] == SCHEMA + "OnlineEventAttendanceMode"
    assert data["location"]["@type"] == "VirtualLocation"
    assert "visio.example.org" not in json.dumps(data)  # the link goes to registrants only
    page, _event = make_event(attendance_mode="mixed", online_url="https://visio.example.org/x", slug="hybride")
    data = jsonld(client.get(page.url), "event-jsonld")
    assert data["eventAttendanceMode"] == SCHEMA + "MixedEventAttendanceMode"
    assert [item["@type"] for item in data["location"]] == ["Place", "VirtualLocation"]


def test_cancelled_event(client, make_event):
    page, _event = make_event(cancelled=True, cancel_reason="Salle inondée")
    data = jsonld(client.get(page.url), "event-jsonld")
    assert data["eventStatus"] == SCHEMA + "EventCancelled"
    assert data["offers"]["availability"] == SCHEMA + "SoldOut"


def test_moved_date_is_rescheduled(client, make_event):
    start = date.today() + timedelta(days=9)
    page, event = make_event(
        start_date=start, repeat="WEEKLY", changes=[{"original_date": start, "new_start_time": time(19)}]
    )
    data = jsonld(client.get(page.url), "event-jsonld")
    assert data["eventStatus"] == SCHEMA + "EventRescheduled"
    assert datetime.fromisoformat(data["startDate"]).hour == 19
    assert datetime.fromisoformat(data["previousStartDate"]).hour == 18


def test_full_and_nearly_full(client, make_event, make_user):
    page, event = make_event(capacity=1)
    data = jsonld(client.get(page.url), "event-jsonld")
    assert data["offers"]["availability"] == SCHEMA + "LimitedAvailability"
    services.registration_create(user=make_user(), event=event, recurrence_id=first(event).recurrence_id)
    data = jsonld(client.get(page.url), "event-jsonld")
    assert data["offers"]["availability"] == SCHEMA + "SoldOut"


def test_programme_is_an_event_series_with_a_sub_event_per_session(client, make_venue):
    hub = make_venue("social_business_center", title="Dakar Hub", city="Dakar", country="SN", timezone="Africa/Dakar")
    lyon = make_venue(city="Lyon", title="La Ruche")
    montreal = make_venue(city="Montréal", country="CA", timezone="America/Toronto", title="Maison Montréal")
    day = date.today() + timedelta(days=15)
    sessions = [
        {"title": "Ouverture", "venue": lyon, "start_date": day, "start_time": time(9), "end_time": time(12)},
        {
            "title": "Atelier",
            "venue": hub,
            "start_date": day + timedelta(days=1),
            "start_time": time(10),
            "end_time": time(12),
            "language": "en",
        },
        {
            "title": "Clôture",
            "venue": montreal,
            "start_date": day + timedelta(days=3),
            "start_time": time(17),
            "end_time": time(19),
            "price": "15",
            "currency": "CAD",
        },
    ]
    page = programme_page_create(hub=hub, sessions=sessions, title="Programme international", summary="Trois villes")
    data = jsonld(client.get(page.url), "programme-jsonld")
    assert data["@type"] == "EventSeries" and data["name"] == "Programme international"
    assert data["organizer"]["name"] == "Dakar Hub"
    subs = data["subEvent"]
    assert [s["name"] for s in subs] == ["Ouverture", "Atelier", "Clôture"]
    assert all(s["@type"] == "Event" and "@context" not in s for s in subs)
    assert [s["location"]["address"]["addressLocality"] for s in subs] == ["Lyon", "Dakar", "Montréal"]
    assert [s["location"]["name"] for s in subs] == ["La Ruche", "Dakar Hub", "Maison Montréal"]
    assert subs[1]["startDate"].endswith("+00:00") and subs[1]["inLanguage"] == "en"  # Dakar's own time
    assert subs[2]["startDate"].endswith(("-04:00", "-05:00"))
    assert subs[2]["offers"]["priceCurrency"] == "CAD" and subs[2]["offers"]["price"] == "15.00"
    assert data["startDate"] == subs[0]["startDate"] and data["endDate"] == subs[-1]["endDate"]
    assert all(s["url"].startswith(data["url"] + "#session-") for s in subs)
