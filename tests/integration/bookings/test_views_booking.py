"""The public booking pages: a venue's resources, a resource's day in local time, booking through
the form (confirmation, refusals that keep the input), logging in to book."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from bookings import rule_texts, services
from bookings.models import Booking, BookingStatus, PaymentState
from venues.services import venue_translate

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 2 March 2026, 8:00 in Paris
EVERY_DAY = [(day, "09:00", "18:00") for day in range(7)]


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def html(response, status=200):
    assert response.status_code == status, response.content[:500]
    return BeautifulSoup(response.content, "html.parser")


def url(name, language="fr", **kwargs):
    with translation.override(language):
        return reverse(f"bookings:{name}", kwargs=kwargs)


def translated(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def french_rule(code: str, **params) -> str:
    """A rule's reason as French pages (the default language) give it."""
    with translation.override("fr"):
        return rule_texts.rule_message(code, **params)


@pytest.fixture
def room(make_venue, make_resource):
    venue = make_venue(title="La Ruche", slug="la-ruche", opening_hours=EVERY_DAY)
    return make_resource(
        venue,
        name="Salle Canut",
        kind="room",
        seats=8,
        price_minor=1500,
        currency="EUR",
        pricing_unit="hour",
        min_minutes=30,
        max_minutes=240,
    )


# A venue's page ---------------------------------------------------------------------------------


def test_venue_page_lists_its_resources_in_both_languages(client, room, make_resource):
    venue = room.venue
    make_resource(
        venue,
        name="Open space",
        kind="desk_pool",
        capacity=12,
        price_minor=0,
        booking_unit="half_day",
        pricing_unit="day",
    )
    make_resource(venue, name="Vieux bureau", kind="desk", is_active=False)
    english = venue_translate(venue=venue, language="en", slug="the-hive", title="The Hive")

    french = html(client.get(venue.url))
    cards = french.select('[data-testid="resource-card"]')
    # Desks, then desk pools, then rooms; inactive ones hidden.
    assert [card.h3.get_text() for card in cards] == ["Open space", "Salle Canut"]
    cards.reverse()
    assert "15,00\xa0€" in cards[0].get_text()
    assert cards[0].select_one("a.button")["href"] == url("resource", pk=room.pk)
    assert translated("fr", "Free") in cards[1].get_text()

    # The English translation shows the resources of the canonical (French) page, worded and priced in English.
    page = html(client.get(english.url))
    cards = page.select('[data-testid="resource-card"]')[::-1]
    assert len(cards) == 2
    room_card, pool_card = (card.get_text(" ", strip=True) for card in cards)
    assert "€15.00" in room_card and "Up to 8 people" in room_card
    assert "By the half hour, 30 min–4 h" in room_card
    assert cards[0].select_one("a.button")["href"] == url("resource", "en", pk=room.pk)
    assert "Free" in pool_card and "12 desks" in pool_card
    assert "By the half-day or the whole day" in pool_card


def test_venue_without_resources_has_no_booking_section(client, make_venue):
    venue = make_venue()
    assert html(client.get(venue.url)).select_one("#book-here-title") is None


# A resource's day -------------------------------------------------------------------------------


def _slot_values(page, name):
    return [option["value"] for option in page.select(f"select[name={name}] option")]


def test_day_view_in_local_time_with_taken_slots(client, room, make_user):
    services.booking_create(
        user=make_user(),
        request=services.BookingRequest(
            room, datetime(2026, 3, 3, 9, 0, tzinfo=UTC), datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
        ),
        now=NOW,
    )
    page = html(client.get(url("resource", pk=room.pk), {"day": "2026-03-03"}))
    assert "Europe/Paris" in page.select_one(".zone").get_text() and "UTC+01:00" in page.select_one(".zone").get_text()
    chips = {chip.select_one(".slot-time").get_text(): chip["class"][1] for chip in page.select(".slot-grid li.slot")}
    assert list(chips)[0] == "09:00" and list(chips)[-1] == "17:30"  # 9:00–18:00 local
    assert chips["10:00"] == "slot-taken" and chips["10:30"] == "slot-taken"  # 9:00–10:00 UTC
    assert chips["09:00"] == chips["11:00"] == "slot-free"
    starts = _slot_values(page, "start")
    assert starts[0] == "2026-03-03T08:00:00+00:00"  # 9:00 in Paris
    assert "2026-03-03T09:00:00+00:00" not in starts
    # Defaults: the first free start, about an hour long.
    assert page.select_one("select[name=start] option[selected]")["value"] == "2026-03-03T08:00:00+00:00"
    assert page.select_one("select[name=end] option[selected]")["value"] == "2026-03-03T09:00:00+00:00"
    # Later that morning, past slots are not offered.
    with time_machine.travel(datetime(2026, 3, 2, 10, 15, tzinfo=UTC), tick=False):  # 11:15 in Paris
        today = html(client.get(url("resource", pk=room.pk), {"day": "2026-03-02"}))
    assert today.select_one(".slot-grid li.slot")["class"][1] == "slot-unavailable"
    assert _slot_values(today, "start")[0] == "2026-03-02T10:30:00+00:00"  # 11:30 in Paris


def test_day_view_on_the_day_clocks_go_forward(client, room):
    """29 March 2026 in Paris lasts 23 hours: 9:00 local is 7:00 UTC, not 8:00 as a week before."""
    before = html(client.get(url("resource", pk=room.pk), {"day": "2026-03-22"}))
    assert _slot_values(before, "start")[0] == "2026-03-22T08:00:00+00:00"
    assert before.select_one(".dst") is None
    dst = html(client.get(url("resource", pk=room.pk), {"day": "2026-03-29"}))
    assert _slot_values(dst, "start")[0] == "2026-03-29T07:00:00+00:00"
    assert dst.select(".slot-time")[0].get_text() == "09:00"
    assert dst.select(".slot-time")[-1].get_text() == "17:30"
    note = dst.select_one(".dst").get_text()
    assert "UTC+01:00" in note and "UTC+02:00" in note


def test_day_navigation_and_closed_days(client, make_venue, make_resource):
    venue = make_venue(opening_hours=[(day, "09:00", "18:00") for day in range(5)])
    desk = make_resource(venue, name="Bureau 3", kind="desk", horizon_days=30)
    page = html(client.get(url("resource", pk=desk.pk), {"day": "2026-03-07"}))  # a Saturday
    assert page.select_one(".closed-day").get_text() == translated("fr", "The venue is not open on this day.")
    assert page.select_one("a[rel=prev]")["href"] == "?day=2026-03-06"
    assert page.select_one("a[rel=next]")["href"] == "?day=2026-03-08"
    # No way back before today, nor beyond the horizon.
    assert html(client.get(url("resource", pk=desk.pk), {"day": "2026-03-02"})).select_one("a[rel=prev]") is None
    assert html(client.get(url("resource", pk=desk.pk), {"day": "2026-04-01"})).select_one("a[rel=next]") is None
    # Without a day, the first day with free time; a garbage day is said (a 400) and that day shown.
    garbage = html(client.get(url("resource", pk=desk.pk), {"day": "soon"}), status=400)
    assert garbage.select_one("#day-input")["value"] == "2026-03-02"
    assert garbage.select_one("#day-input-error").get_text().strip()


def test_unknown_or_inactive_resource_is_404(client, room, make_resource):
    asleep = make_resource(room.venue, name="Réserve", is_active=False)
    assert client.get(url("resource", pk=asleep.pk)).status_code == 404
    assert client.get(url("resource", pk=10**20)).status_code == 404


# Booking ----------------------------------------------------------------------------------------


def test_booking_happy_path_shows_the_confirmation(client, room, make_user, django_capture_on_commit_callbacks):
    alice = make_user()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("resource", pk=room.pk),
            {
                "start": "2026-03-03T10:00:00+01:00",
                "end": "2026-03-03T11:30:00+01:00",
                "note": "Réunion d'équipe",
                "day": "2026-03-03",
            },
        )
    booking = Booking.objects.get(user=alice)
    assert response.status_code == 302
    assert response["Location"] == url("detail", reference=booking.reference) + "?new=1"
    assert booking.status == BookingStatus.CONFIRMED and booking.payment_state == PaymentState.DUE_AT_VENUE
    assert booking.amount_minor == 2250 and booking.note == "Réunion d'équipe" and booking.language == "fr"

    page = html(client.get(response["Location"]))
    text = page.get_text(" ", strip=True)
    assert booking.reference in text
    assert page.select_one(".confirmation h1").get_text() == translated("fr", "Your booking is confirmed")
    assert "10:00–11:30" in page.select_one(".booking-facts").get_text() and "Europe/Paris" in text
    assert "22,50\xa0€" in text
    assert "Salle Canut" in text and "La Ruche" in text
    feed = services.calendar_feed_ensure(user=alice)
    assert page.select_one(f'a[href$="/feeds/me/{feed.secret}.ics"]') is not None
    # The same page in English.
    english = html(client.get(url("detail", "en", reference=booking.reference) + "?new=1")).get_text(" ", strip=True)
    assert "Your booking is confirmed" in english and "€22.50 — to pay at the venue" in english


def test_booking_refused_keeps_the_input_and_names_the_field(client, room, make_user):
    bob = make_user()
    services.booking_create(
        user=bob,
        request=services.BookingRequest(
            room, datetime(2026, 3, 3, 9, 0, tzinfo=UTC), datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
        ),
        now=NOW,
    )
    client.force_login(make_user())
    asked = {"start": "2026-03-03T09:30:00+00:00", "end": "2026-03-03T10:30:00+00:00", "note": "Urgent"}
    page = html(client.post(url("resource", pk=room.pk), asked), status=409)
    summary = page.select_one(".error-summary")
    assert french_rule("no_room", remaining=0) in summary.get_text()
    # What was asked stays selected, even though it is taken; the note is kept.
    assert page.select_one("select[name=start] option[selected]")["value"] == asked["start"]
    assert page.select_one("select[name=end] option[selected]")["value"] == asked["end"]
    assert page.select_one("textarea[name=note]").get_text() == "Urgent"
    assert page.select_one("#day-title").get_text().lower().startswith("mardi 3 mars")

    # A rule with a field: the error links to it and the field says it is invalid.
    too_long = {"start": "2026-03-03T12:00:00+00:00", "end": "2026-03-03T17:00:00+00:00"}
    page = html(client.post(url("resource", pk=room.pk), too_long), status=400)
    assert page.select_one(".error-summary a")["href"] == "#id_end"
    assert page.select_one("#id_end-error").get_text() == french_rule("too_long", minutes=240)
    assert page.select_one("#id_end")["aria-invalid"] == "true"

    garbage = html(client.post(url("resource", pk=room.pk), {"start": "tomorrow", "end": ""}), status=400)
    assert {a["href"] for a in garbage.select(".error-summary a")} == {"#id_start", "#id_end"}
    assert Booking.objects.count() == 1


def test_half_day_pool_with_quantity_in_english(client, make_venue, make_resource, make_user):
    venue = make_venue(opening_hours=[(day, "08:30", "19:30") for day in range(5)])
    pool = make_resource(
        venue,
        name="Open space",
        kind="desk_pool",
        capacity=5,
        price_minor=2000,
        pricing_unit="day",
        booking_unit="half_day",
    )
    page = html(client.get(url("resource", "en", pk=pool.pk), {"day": "2026-03-04"}))
    rows = [row.get_text(" ", strip=True) for row in page.select("table.presets tbody tr")]
    assert rows == ["Morning 08:30–13:00 5 free", "Afternoon 13:00–19:30 5 free", "Whole day 08:30–19:30 5 free"]
    assert page.select_one("input[name=preset][checked]")["value"] == "morning"

    carol = make_user()
    client.force_login(carol)
    response = client.post(
        url("resource", "en", pk=pool.pk), {"day": "2026-03-04", "preset": "afternoon", "quantity": "3"}
    )
    booking = Booking.objects.get(user=carol)
    assert response["Location"].startswith(url("detail", "en", reference=booking.reference))
    assert (booking.quantity, booking.amount_minor, booking.language) == (3, 3000, "en")  # half of €20, three desks
    assert booking.start == datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # 13:00 in Paris

    page = html(client.get(url("resource", "en", pk=pool.pk), {"day": "2026-03-04"}))
    assert "2 free" in page.select("table.presets tbody tr")[1].get_text()
    too_many = html(
        client.post(url("resource", "en", pk=pool.pk), {"day": "2026-03-04", "preset": "afternoon", "quantity": "9"}),
        status=400,
    )
    assert "at most 5" in too_many.select_one("#id_quantity-error").get_text()
    assert too_many.select_one("#id_quantity")["value"] == "9"


def test_approval_required_says_so(client, room, make_user):
    room.approval_required = True
    room.save()
    client.force_login(make_user())
    response = client.post(
        url("resource", pk=room.pk), {"start": "2026-03-04T08:00:00+00:00", "end": "2026-03-04T09:00:00+00:00"}
    )
    page = html(client.get(response["Location"]))
    assert page.select_one(".confirmation h1").get_text() == translated("fr", "Your request is sent")
    assert "status-pending_approval" in page.select_one(".status")["class"]


# Logging in -------------------------------------------------------------------------------------


def account(name: str, language: str = "fr") -> str:
    """allauth's log-in and log-out pages (accounts.urls), under the language prefix."""
    with translation.override(language):
        return reverse(name)


def test_booking_needs_a_login_and_comes_back(client, room, make_user):
    asked = {"day": "2026-03-03", "start": "2026-03-03T13:00:00+00:00", "end": "2026-03-03T14:00:00+00:00"}
    response = client.post(url("resource", pk=room.pk), asked)
    assert response.status_code == 302 and Booking.objects.count() == 0
    login, query = response["Location"].split("?")
    assert login == reverse("account_login")
    back = parse_qs(query)["next"][0]
    assert urlsplit(back).path == url("resource", pk=room.pk)
    assert parse_qs(urlsplit(back).query)["start"] == [asked["start"]]

    dave = make_user("dave", password="dave-pass-4e1f")
    page = html(client.post(login, {"login": "dave", "password": "wrong", "next": back}))
    assert page.select_one(".error-summary") is not None
    response = client.post(login, {"login": "dave", "password": "dave-pass-4e1f", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    # Back on the page, the start chosen before logging in is selected.
    page = html(client.get(back))
    assert page.select_one("select[name=start] option[selected]")["value"] == asked["start"]
    assert page.select_one("select[name=end] option[selected]")["value"] == asked["end"]
    assert client.session["_auth_user_id"] == str(dave.pk)


def test_login_errors_name_their_field(client, db):
    page = html(client.post(reverse("account_login"), {"login": "", "password": ""}))
    errors = [a.get_text() for a in page.select(".error-summary li a")]
    assert len(errors) == 2 and all(" : " in error for error in errors)  # a space before the colon in French
    with translation.override("en"):
        page = html(client.post(reverse("account_login"), {"login": "", "password": ""}))
    errors = [a.get_text() for a in page.select(".error-summary li a")]
    assert errors == ["E-mail address or username: This field is required.", "Password: This field is required."]
    assert page.select_one("#id_login")["aria-invalid"] == "true"


def test_pages_of_bookings_need_a_login(client):
    for name, kwargs in (("mine", {}), ("detail", {"reference": "ABCDEF12"}), ("cancel", {"reference": "ABCDEF12"})):
        response = client.get(url(name, **kwargs))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert client.post(url("feed-regenerate")).status_code == 302


def test_nav_links_and_logout(client, site_tree, make_user):
    page = html(client.get("/"))
    nav = page.select_one("nav.main-nav")
    assert nav.select_one(f'a[href="{url("search")}"]').get_text() == translated("fr", "Book a desk")
    assert nav.select_one(f'a[href="{url("mine")}"]') is not None
    assert nav.select_one(f'a[href^="{reverse("account_login")}"]') is not None
    assert nav.select_one(f'a[href^="{reverse("account_signup")}"]') is not None
    english = html(client.get("/en/")).select_one("nav.main-nav")
    assert english.select_one(f'a[href="{url("search", "en")}"]').get_text() == "Book a desk"

    user = make_user()
    client.force_login(user)
    nav = html(client.get("/")).select_one("nav.main-nav")
    assert nav.select_one('a[href="/admin/"]') is None  # entrepreneurs have no dashboard
    logout = reverse("account_logout")
    assert nav.select_one(f'form[action="{logout}"] button') is not None
    # A GET only asks to confirm (a link or an image cannot log anyone out); the POST logs out.
    assert client.get(logout).status_code == 200 and "_auth_user_id" in client.session
    response = client.post(logout, {"next": "/"})
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_login_page_is_guarded_by_axes(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_user("erin", password="erin-pass-8a2b")
    for _attempt in range(3):
        client.post(reverse("account_login"), {"login": "erin", "password": "guess"})
    response = client.post(reverse("account_login"), {"login": "erin", "password": "erin-pass-8a2b"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
