"""``/feeds/events.ics``, ``/feeds/venues/<slug>.ics``, ``/feeds/programmes/<slug>.ics``: what they
carry (UIDs, SEQUENCE, overrides, URLs, zones), their filters and errors, and their conditional
answers (ETag, Last-Modified, 304), read back with icalendar."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from bookings.services import booking_cancel, calendar_feed_ensure
from events import selectors
from events.services import programme_page_create, registration_create
from tests.integration.events.conftest import weekday_on_or_after
from venues.services import venue_translate

pytestmark = pytest.mark.django_db

HOST = "essaim.example"


@pytest.fixture(autouse=True)
def _node(settings):
    settings.ESSAIM_NODE_URL = f"https://{HOST}"


def fetch(client, url, *, status=200, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.content[:300]
    return response


def calendar_of(client, url, **headers) -> Calendar:
    return Calendar.from_ical(fetch(client, url, **headers).content)


def masters(calendar: Calendar) -> dict:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e}


def overrides(calendar: Calendar) -> dict:
    return {
        (str(e["UID"]), e["RECURRENCE-ID"].dt.astimezone(UTC)): e
        for e in calendar.walk("VEVENT")
        if "RECURRENCE-ID" in e
    }


def uid(event) -> str:
    return f"{event.uid}@{HOST}"


EVENTS = reverse("feeds:events")


def test_a_repeating_event_with_a_moved_and_a_cancelled_date(client, make_venue, make_event):
    venue = make_venue(
        title="La Ruche",
        city="Lyon",
        street_address="12 rue de la République",
        postcode="69002",
        email="hello@ruche.example",
    )
    first = weekday_on_or_after(date.today() + timedelta(days=8), 1)
    page, event = make_event(
        venue,
        repeat="WEEKLY",
        summary="Un apéro pour se rencontrer.",
        attendance_mode="mixed",
        online_url="https://visio.example/apero",
        changes=[
            {"original_date": first + timedelta(days=7), "new_start_time": time(19, 0), "new_end_time": time(21, 0)},
            {"original_date": first + timedelta(days=14), "cancelled": True},
        ],
    )
    response = fetch(client, EVENTS)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=300"}
    calendar = Calendar.from_ical(response.content)
    master = masters(calendar)[uid(event)]
    assert master["DTSTART"].params["TZID"] == "Europe/Paris"
    assert master["DTSTART"].dt.replace(tzinfo=None) == datetime.combine(first, time(18, 30))
    assert str(master["SUMMARY"]) == "Apéro des entrepreneurs"
    assert int(master["SEQUENCE"]) == event.sequence
    assert str(master["STATUS"]) == "CONFIRMED"
    assert master["RRULE"]["FREQ"] == ["WEEKLY"] and master["RRULE"]["UNTIL"][0].tzinfo is not None
    assert "Un apéro pour se rencontrer." in str(master["DESCRIPTION"])
    assert "https://visio.example/apero" in str(master["DESCRIPTION"])
    assert str(master["LOCATION"]).startswith("La Ruche, 12 rue de la République, 69002 Lyon")
    assert (master["GEO"].latitude, master["GEO"].longitude) == (45.76, 4.83)
    assert str(master["URL"]) == f"https://{HOST}{page.url}"
    assert str(master["ORGANIZER"]) == "mailto:hello@ruche.example"
    assert master["ORGANIZER"].params["CN"] == "La Ruche"
    assert master["CATEGORIES"].cats == ["Tiers-lieu"]
    tzids = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert tzids == {"Europe/Paris"}

    found = overrides(calendar)
    paris = master["DTSTART"].dt.tzinfo
    moved_id = datetime.combine(first + timedelta(days=7), time(18, 30), paris).astimezone(UTC)
    cancelled_id = datetime.combine(first + timedelta(days=14), time(18, 30), paris).astimezone(UTC)
    assert set(found) == {(uid(event), moved_id), (uid(event), cancelled_id)}
    moved = found[(uid(event), moved_id)]
    assert moved["DTSTART"].dt.replace(tzinfo=None) == datetime.combine(first + timedelta(days=7), time(19, 0))
    assert moved["DTEND"].dt.replace(tzinfo=None) == datetime.combine(first + timedelta(days=7), time(21, 0))
    assert str(moved["STATUS"]) == "CONFIRMED" and "RRULE" not in moved
    assert str(found[(uid(event), cancelled_id)]["STATUS"]) == "CANCELLED"


def test_uid_is_stable_and_sequence_grows_with_a_change(client, make_event):
    page, event = make_event()
    before = fetch(client, EVENTS)
    first = masters(Calendar.from_ical(before.content))[uid(event)]
    page.title = "Apéro (nouvelle formule)"
    page.save_revision().publish()
    after = fetch(client, EVENTS, if_none_match=before["ETag"])
    assert after["ETag"] != before["ETag"]
    second = masters(Calendar.from_ical(after.content))[uid(event)]
    assert int(second["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert str(second["SUMMARY"]) == "Apéro (nouvelle formule)"


def test_an_event_cancelled_entirely_is_cancelled_in_the_feed(client, make_event):
    page, event = make_event(repeat="WEEKLY")
    page.cancelled, page.cancel_reason = True, "Intervenant malade"
    page.save_revision().publish()
    master = masters(calendar_of(client, EVENTS))[uid(event)]
    assert str(master["STATUS"]) == "CANCELLED"
    assert "Intervenant malade" in str(master["DESCRIPTION"])


def test_a_one_off_event_whose_date_moved_carries_the_new_date(client, make_event):
    start = weekday_on_or_after(date.today() + timedelta(days=8), 1)
    page, event = make_event(changes=[{"original_date": start, "new_date": start + timedelta(days=1)}])
    calendar = calendar_of(client, EVENTS)
    assert not overrides(calendar)
    master = masters(calendar)[uid(event)]
    assert master["DTSTART"].dt.date() == start + timedelta(days=1) and "RRULE" not in master


def test_english_titles_and_urls_with_lang_en(client, make_event):
    page, event = make_event()
    english = venue_translate(venue=page, language="en", title="Entrepreneurs' drinks", slug="entrepreneurs-drinks")
    assert english.url.startswith("/en/")
    master = masters(calendar_of(client, EVENTS + "?lang=en"))[uid(event)]
    assert str(master["SUMMARY"]) == "Entrepreneurs' drinks"
    assert str(master["URL"]) == f"https://{HOST}{english.url}"
    french = masters(calendar_of(client, EVENTS))[uid(event)]
    assert str(french["SUMMARY"]) == "Apéro des entrepreneurs" and str(french["URL"]) == f"https://{HOST}{page.url}"


def test_the_venue_feed_and_the_slug_of_a_translation(client, make_venue, make_event):
    here, elsewhere = make_venue(title="Ici"), make_venue(title="Ailleurs")
    _page, mine = make_event(here)
    _other, theirs = make_event(elsewhere, title="Ailleurs")
    url = reverse("feeds:venue", kwargs={"slug": here.slug})
    assert set(masters(calendar_of(client, url))) == {uid(mine)}
    english = venue_translate(venue=here, language="en", slug="here-en")
    assert set(masters(calendar_of(client, reverse("feeds:venue", kwargs={"slug": english.slug})))) == {uid(mine)}
    fetch(client, reverse("feeds:venue", kwargs={"slug": "nowhere"}), status=404)


def test_the_programme_feed_has_every_session_at_its_venue(client, make_venue):
    hub = make_venue("social_business_center", title="SBC Dakar", city="Dakar", country="SN", timezone="Africa/Dakar")
    montreal = make_venue(title="Maison Montréal", city="Montréal", country="CA", timezone="America/Montreal")
    lyon = make_venue(title="La Ruche Lyon")
    day = date.today() + timedelta(days=20)
    session = {"start_time": time(10, 0), "end_time": time(12, 0), "capacity": 20}
    programme = programme_page_create(
        hub=hub,
        title="Programme international",
        slug="programme-international",
        sessions=[
            {"title": "Ouverture", "venue": hub, "start_date": day, **session},
            {"title": "Atelier", "venue": montreal, "start_date": day + timedelta(days=1), **session},
            {"title": "Clôture", "venue": lyon, "start_date": day + timedelta(days=2), **session},
        ],
    )
    calendar = calendar_of(client, reverse("feeds:programme", kwargs={"slug": programme.slug}))
    found = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(found) == {"Ouverture", "Atelier", "Clôture"}
    assert str(found["Ouverture"]["LOCATION"]).startswith("SBC Dakar")
    assert found["Ouverture"]["DTSTART"].params["TZID"] == "Africa/Dakar"
    assert found["Atelier"]["DTSTART"].params["TZID"] == "America/Montreal"
    assert str(found["Clôture"]["LOCATION"]).startswith("La Ruche Lyon")
    assert {str(e["URL"]) for e in found.values()} == {f"https://{HOST}{programme.url}"}
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {
        "Africa/Dakar",
        "America/Montreal",
        "Europe/Paris",
    }
    # The programme filter of the events feed, by slug and by id.
    for value in (programme.slug, str(programme.pk)):
        assert len(masters(calendar_of(client, f"{EVENTS}?programme={value}"))) == 3
    fetch(client, reverse("feeds:programme", kwargs={"slug": "nope"}), status=404)


def test_filters(client, make_venue, make_event):
    lyon = make_venue(title="Lyon", city="Lyon")
    totem = make_venue("totem", title="Totem", city="Nantes")
    _p, free_lyon = make_event(lyon)
    _p, paid_nantes = make_event(totem, title="Payant", price=Decimal("12.50"))
    later = weekday_on_or_after(date.today() + timedelta(days=60), 1)
    _p, later_lyon = make_event(lyon, title="Plus tard", start_date=later)

    def uids(query: str) -> set[str]:
        return set(masters(calendar_of(client, f"{EVENTS}?{query}")))

    assert uids("") == {uid(free_lyon), uid(paid_nantes), uid(later_lyon)}
    assert uids(f"venue={lyon.pk}") == uids(f"venue={lyon.slug}") == {uid(free_lyon), uid(later_lyon)}
    assert uids("kind=totem") == {uid(paid_nantes)}
    assert uids("kind=tiers_lieu") == {uid(free_lyon), uid(later_lyon)}
    assert uids("city=nantes") == {uid(paid_nantes)}
    assert uids("price=free") == {uid(free_lyon), uid(later_lyon)}
    assert uids("price=paid") == {uid(paid_nantes)}
    assert uids(f"start={later.isoformat()}") == {uid(later_lyon)}
    assert uids(f"end={(later - timedelta(days=1)).isoformat()}") == {uid(free_lyon), uid(paid_nantes)}
    assert uids(f"start={later.isoformat()}&end={later.isoformat()}&city=Lyon") == {uid(later_lyon)}

    # The agenda and the API narrow through the same builder: the same events for the same filters.
    def agenda(**filters) -> set[str]:
        now = timezone.now()
        found = selectors.agenda_events(
            filters=selectors.AgendaFilters(**filters), start=now - timedelta(days=30), end=selectors.horizon(now)
        )
        return {uid(event) for event in found}

    assert agenda(venue=lyon.slug) == agenda(venue_id=lyon.pk) == uids(f"venue={lyon.slug}")
    assert agenda(kind="totem", price="paid") == uids("kind=totem&price=paid") == {uid(paid_nantes)}
    assert agenda(city=" nantes ") == uids("city=nantes")
    assert agenda(kind="castle") == uids("")


@pytest.mark.parametrize(
    "query, words",
    [
        ("kind=castle", "kind"),
        ("venue=nowhere", "nowhere"),
        ("venue=999999", "999999"),
        ("programme=nope", "nope"),
        ("start=tomorrow", "YYYY-MM-DD"),
        ("start=2026-05-02&end=2026-05-01", "end"),
        ("start=2026-01-01&end=2030-01-01", "at most 732 days"),
        ("price=cheap", "price"),
        ("lang=de", "lang"),
    ],
)
def test_bad_parameters_are_a_readable_400(client, site_tree, query, words):
    response = fetch(client, f"{EVENTS}?{query}&lang=en" if "lang=" not in query else f"{EVENTS}?{query}", status=400)
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert words in response.content.decode()


def test_etag_and_last_modified_give_304_and_a_change_a_new_etag(client, make_event):
    page, event = make_event()
    first = fetch(client, EVENTS)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified
    not_modified = fetch(client, EVENTS, status=304, if_none_match=etag)
    assert not_modified.content == b"" and not_modified["ETag"] == etag
    fetch(client, EVENTS, status=304, if_modified_since=modified)
    # Another filter or language is another calendar.
    assert fetch(client, EVENTS + "?lang=en")["ETag"] != etag
    page.capacity = 10  # not in the feed, yet a publish: the row changed
    page.summary = "Nouveau résumé"
    page.save_revision().publish()
    changed = fetch(client, EVENTS, if_none_match=etag)
    assert changed["ETag"] != etag
    assert "Nouveau résumé" in changed.content.decode()


def test_a_cached_rendering_is_served_to_the_next_client(client, make_event):
    make_event()
    first = fetch(client, EVENTS)
    with CaptureQueriesContext(connection) as queries:
        second = fetch(client, EVENTS)
    assert second.content == first.content
    assert len(queries) <= 2  # the version aggregate (and the session-free request's nothing else)


def test_query_count_does_not_grow_with_the_number_of_events(
    client, make_venue, make_event, django_assert_max_num_queries
):
    venues = [make_venue() for _ in range(2)]
    make_event(venues[0], repeat="WEEKLY")
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        fetch(client, EVENTS + "?lang=en")
    for n in range(8):
        venue = make_venue() if n % 2 else venues[n % 2]
        make_event(venue, title=f"Atelier {n}", repeat="WEEKLY" if n % 3 else "")
    cache.clear()
    with django_assert_max_num_queries(len(few)):
        calendar = calendar_of(client, EVENTS + "?lang=en")
    assert len(masters(calendar)) == 9


def test_only_live_events_and_the_window(client, make_event):
    page, event = make_event()
    _old_page, old = make_event(title="Ancien", start_date=date.today() - timedelta(days=45))
    _recent_page, recent = make_event(title="Récent", start_date=date.today() - timedelta(days=10))
    assert set(masters(calendar_of(client, EVENTS))) == {uid(event), uid(recent)}
    page.unpublish()
    selectors.event_for_page(page)  # the unpublish signal made the row not live
    assert set(masters(calendar_of(client, EVENTS))) == {uid(recent)}


def test_the_personal_feed_shows_a_registration_as_its_event(client, make_venue, make_event, make_user):
    page, event = make_event(make_venue(title="La Ruche", city="Lyon"), repeat="WEEKLY")
    english = venue_translate(venue=page, language="en", title="Entrepreneurs' drinks", slug="entrepreneurs-drinks")
    person = make_user()
    occurrence = selectors.upcoming(event, now=timezone.now())[0]
    booking = registration_create(user=person, event=event, recurrence_id=occurrence.recurrence_id)
    url = reverse("feeds:me", kwargs={"secret": calendar_feed_ensure(user=person).secret})
    (entry,) = calendar_of(client, url).walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Apéro des entrepreneurs"
    assert str(entry["URL"]) == f"https://{HOST}{page.url}"
    assert str(entry["LOCATION"]).startswith("La Ruche, ")
    assert str(entry["UID"]) == f"booking-{booking.reference}@{HOST}" and int(entry["SEQUENCE"]) == 0
    # The booking's own SEQUENCE logic: a cancellation is a later version of the same UID.
    booking_cancel(booking=booking, actor=person)
    (entry,) = calendar_of(client, url).walk("VEVENT")
    assert str(entry["UID"]) == f"booking-{booking.reference}@{HOST}" and int(entry["SEQUENCE"]) == 1
    assert str(entry["STATUS"]) == "CANCELLED" and "Apéro des entrepreneurs" in str(entry["SUMMARY"])
    # Booked in English: the feed speaks English, with the English page.
    other = selectors.upcoming(event, now=timezone.now())[1]
    registration_create(user=person, event=event, recurrence_id=other.recurrence_id, language="en")
    entries = {str(e["STATUS"]): e for e in calendar_of(client, url).walk("VEVENT")}
    assert str(entries["CONFIRMED"]["SUMMARY"]) == "Entrepreneurs' drinks"
    assert str(entries["CONFIRMED"]["URL"]) == f"https://{HOST}{english.url}"
