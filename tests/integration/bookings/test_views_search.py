""" "I know when, not where": the search page lists what is free for the whole window near a place,
nearest first, and its one-click button books through the resource's booking view."""

from datetime import UTC, datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from bookings import services
from bookings.models import Booking

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris
WEEK = [(day, "08:30", "19:00") for day in range(5)]


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def html(response, status=200):
    assert response.status_code == status, response.content[:500]
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def network(make_venue, make_resource):
    """Rooms in Lyon (centre), Villeurbanne (3 km) and Grenoble (95 km); a desk pool in Lyon."""
    lyon = make_venue(title="La Ruche", city="Lyon", latitude=45.7640, longitude=4.8357, opening_hours=WEEK)
    villeurbanne = make_venue(
        title="Le Totem", city="Villeurbanne", latitude=45.7719, longitude=4.8902, opening_hours=WEEK
    )
    grenoble = make_venue(title="Alpes", city="Grenoble", latitude=45.1885, longitude=5.7245, opening_hours=WEEK)
    return {
        "lyon": make_resource(lyon, name="Salle Canut", price_minor=1500),
        "villeurbanne": make_resource(villeurbanne, name="Salle Gratte-Ciel"),
        "grenoble": make_resource(grenoble, name="Salle Belledonne"),
        "pool": make_resource(lyon, name="Open space", kind="desk_pool", capacity=4),
    }


def translated(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def desks_left(n: int) -> str:
    """The search results' remaining-desks note, in French (the default language)."""
    with translation.override("fr"):
        return ngettext("%(n)s desk left", "%(n)s desks left", n) % {"n": n}


QUERY = {"day": "2026-03-03", "when": "hours", "start_time": "14:00", "end_time": "16:00", "place": "Lyon"}


def _names(page):
    return [item.h3.get_text(strip=True) for item in page.select('[data-testid="search-result"]')]


def test_finds_free_rooms_nearest_first(client, network, make_user):
    page = html(client.get(reverse("bookings:search"), QUERY | {"kind": "room", "radius_km": "25"}))
    assert _names(page) == ["Salle Canut", "Salle Gratte-Ciel"]  # Grenoble is beyond 25 km
    assert "Mardi 3 mars 2026, 14:00–16:00" in page.select_one(".zone").get_text()

    # Taken for part of the window: not listed any more.
    services.booking_create(
        user=make_user(),
        request=services.BookingRequest(
            network["lyon"], datetime(2026, 3, 3, 14, 0, tzinfo=UTC), datetime(2026, 3, 3, 14, 30, tzinfo=UTC)
        ),
        now=NOW,
    )
    page = html(client.get(reverse("bookings:search"), QUERY | {"kind": "room", "radius_km": "250"}))
    assert _names(page) == ["Salle Gratte-Ciel", "Salle Belledonne"]
    distances = [item.select_one(".distance").get_text() for item in page.select('[data-testid="search-result"]')]
    assert [d.split()[1] for d in distances] == ["4,2", "92,6"]  # "à 4,2 km" from the gazetteer's Lyon


def test_quick_choices_and_desks_for_a_team(client, network):
    page = html(
        client.get(
            reverse("bookings:search"), {"day": "2026-03-03", "when": "afternoon", "place": "Lyon", "quantity": "3"}
        )
    )
    assert _names(page) == ["Open space"]  # the rooms hold one booking, the pool has 4 desks
    assert desks_left(3) not in page.get_text() and desks_left(4) in page.get_text()
    assert page.select_one('[data-testid="search-result"] input[name=quantity]')["value"] == "3"
    # The next days are buttons of the search form: they keep the rest of the search.
    shortcuts = page.select("form.search-form .day-shortcuts button[type=submit][name=day]")
    assert len(shortcuts) == 7 and shortcuts[1]["value"] == "2026-03-03"
    assert shortcuts[1].get("aria-current") == "date"
    assert page.select_one("form.search-form input[name=place]")["value"] == "Lyon"


def test_one_click_book_goes_through_the_booking_view(client, network, make_user):
    page = html(client.get(reverse("bookings:search"), QUERY | {"kind": "room", "radius_km": "5"}))
    form = page.select_one('[data-testid="search-result"] form')
    fields = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
    assert fields["start"] == "2026-03-03T13:00:00+00:00" and fields["end"] == "2026-03-03T15:00:00+00:00"

    # Not logged in: to the log-in page, back to the resource's day with the window chosen.
    response = client.post(form["action"], fields)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))

    erin = make_user()
    client.force_login(erin)
    response = client.post(form["action"], fields)
    booking = Booking.objects.get(user=erin)
    assert response.status_code == 302 and booking.reference in response["Location"]
    assert booking.resource == network["lyon"] and booking.amount_minor == 3000


def test_bad_input_is_explained(client, network, geocoder):
    page = html(client.get(reverse("bookings:search"), QUERY | {"day": "2026-03-01"}))
    assert page.select_one(".error-summary a")["href"] == "#id_day"
    assert not page.select('[data-testid="search-result"]')
    page = html(client.get(reverse("bookings:search"), QUERY | {"start_time": "16:00", "end_time": "15:00"}))
    assert page.select_one("#id_end_time-error").get_text() == translated("fr", "The end must be after the start.")
    geocoder.ban("Xyzzyville")
    geocoder.nominatim("Xyzzyville")
    page = html(client.get(reverse("bookings:search"), QUERY | {"place": "Xyzzyville"}))
    assert page.select_one("#place-error") is not None
    assert html(client.get(reverse("bookings:search"))).select_one("#results-title") is not None  # the empty form


def test_near_me_uses_the_browsers_position_and_time_zone(client, network):
    query = QUERY | {"place": "", "near": "45.77,4.89", "radius_km": "10", "kind": "room", "tz": "Europe/Paris"}
    page = html(client.get(reverse("bookings:search"), query))
    assert _names(page) == ["Salle Gratte-Ciel", "Salle Canut"]


def test_parts_of_the_day_offer_each_resource_its_own_presets(client, make_venue, make_resource, make_user):
    """ "Tuesday afternoon" finds a half-day desk (its venue's 13:00–19:00 preset) and a room capped
    at 4 h (13:00–17:00); one click books the desk for exactly that preset."""
    venue = make_venue(title="La Ruche", city="Lyon", latitude=45.7640, longitude=4.8357, opening_hours=WEEK)
    desk = make_resource(venue, name="Desk Soie", kind="desk", booking_unit="half_day")
    make_resource(venue, name="Salle Canut", max_minutes=240)
    make_resource(venue, name="Desk by the day", kind="desk", booking_unit="day")
    page = html(client.get(reverse("bookings:search"), {"day": "2026-03-03", "when": "afternoon", "place": "Lyon"}))
    assert _names(page) == ["Desk Soie", "Salle Canut"]  # day-only desks are not offered a half-day
    times = [item.select_one(".when").get_text() for item in page.select('[data-testid="search-result"]')]
    assert times[0].startswith("13:00–19:00") and times[1].startswith("13:00–17:00")
    page = html(client.get(reverse("bookings:search"), {"day": "2026-03-03", "when": "day", "place": "Lyon"}))
    assert _names(page) == ["Desk Soie", "Desk by the day"]  # the room cannot be booked for 10 h 30
    assert "Salle Canut" not in _names(page)

    client.force_login(make_user())
    form = html(
        client.get(reverse("bookings:search"), {"day": "2026-03-03", "when": "afternoon", "place": "Lyon"})
    ).select_one('[data-testid="search-result"] form')
    fields = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    response = client.post(form["action"], fields)
    assert response.status_code == 302, response.content[:500]
    booking = Booking.objects.get(resource=desk)
    assert (booking.start, booking.end) == (
        datetime(2026, 3, 3, 12, 0, tzinfo=UTC),
        datetime(2026, 3, 3, 18, 0, tzinfo=UTC),
    )


def test_nothing_is_searched_without_a_place(client, network):
    """A day chip pressed before any place is given: no list of the whole network, but "say where"."""
    page = html(client.get(reverse("bookings:search"), {"day": "2026-03-03", "when": "day", "radius_km": "25"}))
    assert not page.select('[data-testid="search-result"]')
    assert page.select_one('[data-testid="needs-place"]').get_text(strip=True).startswith("Dites où :")
    assert page.select_one('[data-testid="needs-place"] a')["href"] == "#id_place"


def test_day_buttons_keep_the_radius_and_enter_submits_the_search(client, network):
    # An address without a distance (an old link) shows 25 km, never the list's first (5 km).
    page = html(client.get(reverse("bookings:search"), {"day": "2026-03-03", "when": "day", "place": "Lyon"}))
    assert page.select_one("select[name=radius_km] option[selected]")["value"] == "25"
    form = page.select_one("form.search-form")
    # The chips are submit buttons of the same form as the place, radius and kind fields.
    assert form.select_one("select[name=radius_km]") and form.select_one("select[name=kind]")
    assert len(form.select(".day-shortcuts button[type=submit]")) == 7
    # Enter in a field presses the form's first submit button: the main search, not "Today".
    first = form.select("button[type=submit], input[type=submit]")[0]
    assert first.get("name") is None and "visually-hidden" in first["class"]


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("desk", "Nombre de postes"),
        ("desk_pool", "Nombre de postes"),
        ("room", "Nombre de personnes"),
        ("", "Nombre de personnes"),
    ],
)
def test_the_quantity_is_named_after_the_kind(client, network, kind, label):
    page = html(client.get(reverse("bookings:search"), QUERY | {"kind": kind}))
    assert page.select_one("label[for=id_quantity]").get_text(strip=True) == label


def _starts(page):
    return {
        item.h3.get_text(strip=True): item.select_one("input[name=start]")["value"]
        for item in page.select('[data-testid="search-result"]')
    }


def test_typed_hours_are_the_venues_unless_asked_in_the_browsers_zone(client, network):
    """From a browser in Dakar (UTC, Paris is UTC+1 in March), 14:00-16:00 means Lyon's 14:00-16:00
    by default; "in my time zone" means 14:00-16:00 in Dakar, 15:00-17:00 in Lyon."""
    query = QUERY | {"kind": "room", "radius_km": "5", "tz": "Africa/Dakar"}
    page = html(client.get(reverse("bookings:search"), query))
    assert _starts(page) == {
        "Salle Canut": "2026-03-03T13:00:00+00:00",
        "Salle Gratte-Ciel": "2026-03-03T13:00:00+00:00",
    }
    assert "heure de chaque lieu" in page.select_one(".zone").get_text()
    assert page.select_one("input[name=zone][value=venue]").has_attr("checked")
    mine = page.select_one("label[for=id_zone_1]").get_text(" ", strip=True)
    assert "Dans mon fuseau horaire" in mine and "Africa/Dakar" in mine

    page = html(client.get(reverse("bookings:search"), query | {"zone": "mine"}))
    assert _starts(page) == {
        "Salle Canut": "2026-03-03T14:00:00+00:00",
        "Salle Gratte-Ciel": "2026-03-03T14:00:00+00:00",
    }
    assert "Africa/Dakar" in page.select_one(".zone").get_text()
    assert [p.get_text() for p in page.select(".when")][0].startswith("15:00–17:00")
