"""``/api/v1/events/``, registrations, waitlists and programmes over HTTP: one item per date with
its seats, filters and their bad input, languages, every refusal's code, the waitlist through
to an accepted offer, idempotent retries, and whole-programme registration (all or nothing)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from wagtail.models import Locale

from bookings.models import Booking, PaymentState
from bookings.throttles import BookingWriteThrottle
from core.services import auth_token_issue
from events import selectors, services
from events.models import EventDateChange, Registration, WaitlistEntry, WaitlistStatus, occurrence_key
from events.services import programme_page_create
from tests.integration.bookings.test_api_bookings import BOOKING_FIELDS
from tests.integration.events.conftest import weekday_on_or_after

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"
ITEM_FIELDS = {
    "id",
    "occurrence",
    "title",
    "venue",
    "venue_name",
    "city",
    "start",
    "end",
    "timezone",
    "url",
    "status",
    "remaining",
    "capacity",
    "price",
    "currency",
    "attendance_mode",
    "registration_closes_at",
    "programme",
    "recurring",
    "origin",
    "origin_name",
}


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {auth_token_issue(user=user).key}")
    return client


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def dates(event, limit=50):
    return selectors.upcoming(event, now=datetime.now(UTC), limit=limit)


def key(event, index=0) -> str:
    return occurrence_key(dates(event)[index].recurrence_id)


def listing(client, **params) -> list[dict]:
    response = client.get(EVENTS, {"limit": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def register(api, event, occurrence=None, **body):
    body = {"occurrence": occurrence or key(event), **body}
    return api.post(f"{EVENTS}{event.pk}/registrations/", body, format="json")


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


# The list --------------------------------------------------------------------------------------


def test_the_list_has_one_item_per_date_in_the_venues_zone(client, make_event):
    weekly_page, weekly = make_event(title="Apéro du mardi", repeat="WEEKLY", capacity=12)
    once_page, once = make_event(title="Atelier unique", price="5", capacity=4)
    items = listing(client)
    assert all(set(item) == ITEM_FIELDS for item in items)
    mine = [item for item in items if item["id"] == weekly.pk]
    # Default window: 90 days from now, a Tuesday a week ahead onwards.
    assert 10 <= len(mine) <= 12
    assert [item["occurrence"] for item in mine] == [occurrence_key(o.recurrence_id) for o in dates(weekly)][
        : len(mine)
    ]
    first = mine[0]
    paris = ZoneInfo("Europe/Paris")
    start = datetime.fromisoformat(first["start"])
    assert start.utcoffset() == start.astimezone(paris).utcoffset() and start.astimezone(paris).time() == time(18, 30)
    assert first["timezone"] == "Europe/Paris" and first["recurring"] is True and first["programme"] is None
    assert first["title"] == "Apéro du mardi" and first["venue"] == weekly.venue_id
    assert first["venue_name"] == weekly.venue.title and first["city"] == "Lyon"
    assert first["url"] == f"http://testserver{weekly_page.get_url()}"
    assert first["status"] == "scheduled" and first["remaining"] == 12 and first["capacity"] == 12
    assert first["price"] == "0.00" and first["currency"] == "EUR" and first["attendance_mode"] == "offline"
    single = next(item for item in items if item["id"] == once.pk)
    assert single["price"] == "5.00" and single["recurring"] is False and single["remaining"] == 4
    starts = [datetime.fromisoformat(item["start"]) for item in items]
    assert starts == sorted(starts)


def test_remaining_seats_and_cancelled_dates(client, make_event, make_user):
    page, event = make_event(repeat="WEEKLY", capacity=3)
    services.registration_create(user=make_user(), event=event, recurrence_id=dates(event)[0].recurrence_id, quantity=2)
    page.date_changes = [EventDateChange(original_date=page.start_date + timedelta(days=7), cancelled=True)]
    page.save_revision().publish()
    items = [item for item in listing(client) if item["id"] == event.pk]
    assert items[0]["remaining"] == 1 and items[0]["status"] == "scheduled"
    assert items[1]["status"] == "cancelled" and items[1]["remaining"] == 0
    assert items[2]["remaining"] == 3


def test_the_list_costs_the_same_queries_for_few_or_many_events(client, make_event, make_venue, make_user):
    venue = make_venue()
    page, event = make_event(venue, repeat="WEEKLY")
    services.registration_create(user=make_user(), event=event, recurrence_id=dates(event)[0].recurrence_id)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert listing(client, lang="en")
        return len(queries)

    count()  # caches warmed: locales, sites, content types
    few = count()
    for n in range(6):
        other = make_venue()
        make_event(other, title=f"Atelier {n}", repeat="WEEKLY" if n % 2 else "")
    many = count()
    assert many == few, (few, many)


def test_the_list_stays_within_a_fixed_number_of_queries(client, make_event, django_assert_max_num_queries):
    for n in range(8):
        make_event(title=f"Soirée {n}", repeat="WEEKLY")
    listing(client)  # caches warmed: content types, locales
    with django_assert_max_num_queries(5):  # events, seats, sites, venue names (4 measured)
        assert len(listing(client)) > 8 * 10


def test_filters_venue_programme_kind_city_price_and_window(client, make_event, make_venue):
    lyon = make_venue(city="Lyon")
    nantes = make_venue("totem", city="Nantes")
    _p1, free_lyon = make_event(lyon, title="Gratuit à Lyon")
    _p2, paid_nantes = make_event(nantes, title="Payant à Nantes", price="12.5")
    hub = make_venue("social_business_center", city="Dakar", timezone="Africa/Dakar")
    programme = make_programme(hub, [lyon, hub])
    sessions = list(selectors.programme_sessions(programme))

    def ids(**params):
        return {item["id"] for item in listing(client, **params)}

    assert ids(venue=lyon.pk) == {free_lyon.pk, sessions[0].pk}
    assert ids(programme=programme.pk) == {s.pk for s in sessions}
    assert ids(kind="totem") == {paid_nantes.pk}
    assert ids(city="nantes") == {paid_nantes.pk}
    assert paid_nantes.pk in ids(price="paid") and free_lyon.pk not in ids(price="paid")
    assert free_lyon.pk in ids(price="free") and paid_nantes.pk not in ids(price="free")
    day = dates(free_lyon)[0].start.date()
    assert free_lyon.pk in ids(starts_after=day.isoformat(), ends_before=day.isoformat())
    assert free_lyon.pk not in ids(starts_after=(day + timedelta(days=1)).isoformat())
    evening = datetime.combine(day, time(19, 0), tzinfo=ZoneInfo("Europe/Paris"))
    assert free_lyon.pk not in ids(starts_after=evening.isoformat())  # it started at 18:30
    assert free_lyon.pk not in ids(ends_before=evening.isoformat())  # it ends at 20:00
    session = next(item for item in listing(client, programme=programme.pk) if item["venue"] == hub.pk)
    assert session["timezone"] == "Africa/Dakar" and session["start"].endswith("+00:00")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"venue": "abc"}, "invalid"),
        ({"programme": "-1"}, "invalid"),
        ({"starts_after": "tomorrow"}, "invalid_datetime"),
        ({"starts_after": "2026-02-30"}, "invalid_datetime"),
        ({"starts_after": "2026-03-05T09:00:00"}, "naive_datetime"),
        ({"starts_after": "2030-03-05", "ends_before": "2030-03-01"}, "end_before_start"),
        ({"starts_after": "2030-01-01", "ends_before": "2031-06-01"}, "window_too_long"),
        ({"ends_before": "0001-01-01"}, "out_of_range"),
        ({"starts_after": "9999-12-31"}, "out_of_range"),
        ({"kind": "castle"}, "invalid"),
        ({"price": "cheap"}, "invalid"),
        ({"lang": "de"}, "unknown_language"),
    ],
)
def test_bad_filters_are_400_with_a_code(client, site_tree, params, code):
    assert_error(client.get(EVENTS, params), 400, code)


def test_titles_links_and_venue_names_in_the_language_asked(client, make_event):
    page, event = make_event(title="Apéro des entrepreneurs")
    english = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    english.title = "Entrepreneurs' drinks"
    english.save_revision().publish()
    event.refresh_from_db()
    assert event.titles == {"fr": "Apéro des entrepreneurs", "en": "Entrepreneurs' drinks"}
    french = next(item for item in listing(client) if item["id"] == event.pk)
    assert french["title"] == "Apéro des entrepreneurs" and "/en/" not in french["url"]
    response = client.get(EVENTS, {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Content-Language"] == "en"
    item = next(item for item in response.json()["results"] if item["id"] == event.pk)
    assert item["title"] == "Entrepreneurs' drinks" and "/en/" in item["url"]
    detail = client.get(f"{EVENTS}{event.pk}/", {"lang": "en"}).json()
    assert detail["title"] == "Entrepreneurs' drinks"


# The detail ------------------------------------------------------------------------------------


def test_detail_lists_the_next_dates_and_keeps_the_online_link_private(client, make_event, make_user):
    page, event = make_event(
        repeat="WEEKLY",
        summary="On se retrouve",
        body="<p>Un <b>apéro</b></p>",
        attendance_mode="mixed",
        online_url="https://visio.example.org/secret-room",
        registration_closes_hours=2,
    )
    services.registration_create(user=make_user(), event=event, recurrence_id=dates(event)[1].recurrence_id)
    response = client.get(f"{EVENTS}{event.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert "secret-room" not in response.content.decode()
    assert set(body) >= ITEM_FIELDS
    assert body["summary"] == "On se retrouve" and "<b>apéro</b>" in body["description"]
    assert body["rule"].startswith("FREQ=WEEKLY") and body["registration_closes_hours"] == 2
    assert body["attendance_mode"] == "mixed"
    assert len(body["occurrences"]) == 50
    assert body["occurrences"][0]["occurrence"] == body["occurrence"] == key(event)
    assert [o["remaining"] for o in body["occurrences"][:3]] == [3, 2, 3]
    closes = datetime.fromisoformat(body["registration_closes_at"])
    assert closes == datetime.fromisoformat(body["start"]) - timedelta(hours=2)
    assert body["registrations_url"] == f"http://testserver/api/v1/events/{event.pk}/registrations/"
    assert body["waitlist_url"] == f"http://testserver/api/v1/events/{event.pk}/waitlist/"


def test_detail_of_an_unknown_or_unpublished_event_is_404(client, make_event):
    page, event = make_event()
    page.unpublish()
    assert_error(client.get(f"{EVENTS}{event.pk}/"), 404, "event_not_found")
    assert_error(client.get(f"{EVENTS}999999/"), 404, "event_not_found")


# Registering -----------------------------------------------------------------------------------


def test_registering_for_a_free_date_confirms_it(make_event, alice):
    page, event = make_event(repeat="WEEKLY")
    response = register(api_for(alice), event, key(event, 1))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == BOOKING_FIELDS  # the bookings API's own answer
    assert body["status"] == "confirmed" and body["payment_url"] is None
    booking = Booking.objects.get(pk=body["id"])
    assert booking.user == alice and booking.resource == event.seats
    assert Registration.objects.get(booking=booking).recurrence_id == dates(event)[1].recurrence_id
    assert datetime.fromisoformat(body["start"]) == dates(event)[1].start


def test_a_paid_date_without_stripe_is_confirmed_and_due_at_the_venue(make_event, alice, settings):
    settings.STRIPE_SECRET_KEY = ""
    page, event = make_event(price="15")
    response = register(api_for(alice), event, quantity=2)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "confirmed" and body["payment_state"] == PaymentState.DUE_AT_VENUE
    assert body["amount"] == "30.00" and body["quantity"] == 2 and body["payment_url"] is None


def test_a_paid_date_with_stripe_is_held_with_a_pay_link(make_event, alice, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_not_called"  # the pay link is ours; Stripe is called when followed
    page, event = make_event(price="15")
    body = register(api_for(alice), event).json()
    assert body["status"] == "held" and body["payment_state"] == PaymentState.PENDING
    assert "/payments/checkout/" in body["payment_url"] and body["expires_at"]


def test_a_single_event_needs_no_occurrence_but_a_repeating_one_does(make_event, alice):
    _page, once = make_event()
    api = api_for(alice)
    assert api.post(f"{EVENTS}{once.pk}/registrations/", {}, format="json").status_code == 201
    _page, weekly = make_event(repeat="WEEKLY")
    assert_error(api.post(f"{EVENTS}{weekly.pk}/registrations/", {}, format="json"), 400, "occurrence_required")
    # Its planned start with an offset names a date too.
    start = dates(weekly)[2].recurrence_id.astimezone(ZoneInfo("Europe/Paris")).isoformat()
    assert register(api, weekly, start).status_code == 201


def test_refusals_are_400_with_their_reason(make_event, alice):
    first_day = weekday_on_or_after(date.today() + timedelta(days=8), 1)  # make_event's first date
    first_start = datetime.combine(first_day, time(18, 30), tzinfo=ZoneInfo("Europe/Paris"))
    closes = int((first_start - datetime.now(UTC)).total_seconds() // 3600) + 24  # the first date only
    page, event = make_event(repeat="WEEKLY", registration_closes_hours=closes)
    api = api_for(alice)
    assert_error(register(api, event, key(event, 0)), 400, "registration_closed")
    assert register(api, event, key(event, 1)).status_code == 201
    assert_error(register(api, event, key(event, 1)), 400, "already_registered")
    wrong = occurrence_key(dates(event)[1].recurrence_id + timedelta(hours=1))
    assert_error(register(api, event, wrong), 400, "no_such_date")
    assert_error(register(api, event, "next tuesday"), 400, "invalid_occurrence")
    assert_error(register(api, event, key(event, 2), quantity=11), 400, "bad_quantity")
    assert_error(api.post(f"{EVENTS}0/registrations/", {}, format="json"), 404, "event_not_found")
    assert Booking.objects.filter(user=alice).count() == 1


def test_a_cancelled_date_is_refused(make_event, alice):
    page, event = make_event(repeat="WEEKLY")
    cancelled = key(event, 1)
    page.date_changes = [EventDateChange(original_date=page.start_date + timedelta(days=7), cancelled=True)]
    page.save_revision().publish()
    assert_error(register(api_for(alice), event, cancelled), 400, "occurrence_cancelled")


def test_a_full_date_is_409_with_the_waitlist(make_event, alice, bob):
    page, event = make_event(capacity=1)
    assert register(api_for(alice), event).status_code == 201
    body = assert_error(register(api_for(bob), event), 409, "event_full")
    assert body["remaining"] == 0
    assert body["waitlist"] == f"http://testserver/api/v1/events/{event.pk}/waitlist/"
    joined = api_for(bob).post(body["waitlist"], {"occurrence": key(event)}, format="json")
    assert joined.status_code == 201, joined.content


def test_anonymous_callers_cannot_register_or_queue(client, make_event):
    page, event = make_event()
    for path in (f"{EVENTS}{event.pk}/registrations/", f"{EVENTS}{event.pk}/waitlist/"):
        response = client.post(path, {"occurrence": key(event)}, content_type="application/json")
        assert response.status_code in (401, 403) and response.json()["code"] == "not_authenticated"
    assert client.get("/api/v1/waitlist/").status_code in (401, 403)
    assert not Booking.objects.exists()


def test_a_retry_with_the_same_key_returns_the_first_answer(make_event, alice, bob):
    page, event = make_event(capacity=1)
    api = api_for(alice)
    headers = {"HTTP_IDEMPOTENCY_KEY": "reg-1"}
    url = f"{EVENTS}{event.pk}/registrations/"
    first = api.post(url, {"occurrence": key(event)}, format="json", **headers)
    again = api.post(url, {"occurrence": key(event)}, format="json", **headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Booking.objects.filter(user=alice).count() == 1
    # A refusal is replayed too, even once a seat has freed.
    refused = api_for(bob).post(url, {"occurrence": key(event)}, format="json", HTTP_IDEMPOTENCY_KEY="reg-2")
    assert refused.status_code == 409
    api.post(f"/api/v1/bookings/{first.json()['id']}/cancel/", {}, format="json")
    replay = api_for(bob).post(url, {"occurrence": key(event)}, format="json", HTTP_IDEMPOTENCY_KEY="reg-2")
    assert replay.status_code == 409 and replay.json() == refused.json()


def test_registrations_share_the_booking_rate(make_event, alice, monkeypatch):
    monkeypatch.setattr(BookingWriteThrottle, "THROTTLE_RATES", {"booking": "2/min"})
    page, event = make_event(repeat="WEEKLY")
    api = api_for(alice)
    assert register(api, event, key(event, 0)).status_code == 201
    assert register(api, event, key(event, 1)).status_code == 201
    assert register(api, event, key(event, 2)).status_code == 429
    assert Booking.objects.filter(user=alice).count() == 2


# The waitlist ----------------------------------------------------------------------------------


def test_waitlist_join_position_leave_and_an_offer_accepted(
    make_event, make_user, alice, bob, django_capture_on_commit_callbacks
):
    page, event = make_event(capacity=1, repeat="WEEKLY")
    carol = make_user("carol")
    when = key(event)
    waitlist = f"{EVENTS}{event.pk}/waitlist/"
    assert_error(api_for(bob).post(waitlist, {"occurrence": when}, format="json"), 400, "seats_left")
    seat = register(api_for(alice), event, when).json()
    assert_error(api_for(alice).post(waitlist, {"occurrence": when}, format="json"), 400, "already_registered")
    joined = api_for(bob).post(waitlist, {"occurrence": when}, format="json")
    assert joined.status_code == 201, joined.content
    entry = joined.json()
    assert entry["status"] == "waiting" and entry["position"] == 1 and entry["occurrence"] == when
    assert entry["offer"] is None and entry["offer_expires_at"] is None
    assert_error(api_for(bob).post(waitlist, {"occurrence": when}, format="json"), 400, "already_waiting")
    second = api_for(carol).post(waitlist, {"occurrence": when}, format="json").json()
    assert second["position"] == 2

    # Others' entries are not there: 404.
    assert_error(api_for(carol).delete(f"/api/v1/waitlist/{entry['id']}/"), 404, "waitlist_entry_not_found")
    assert_error(api_for(carol).post(f"/api/v1/waitlist/{entry['id']}/accept/"), 404, "waitlist_entry_not_found")
    assert_error(api_for(bob).post(f"/api/v1/waitlist/{entry['id']}/accept/"), 400, "no_offer")

    # Alice cancels through the API: the seat is offered to Bob, the first waiting.
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = api_for(alice).post(f"/api/v1/bookings/{seat['id']}/cancel/", {}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    mine = api_for(bob).get("/api/v1/waitlist/").json()["results"]
    assert len(mine) == 1 and mine[0]["status"] == "offered" and mine[0]["position"] is None
    assert mine[0]["offer"] and mine[0]["offer_expires_at"]
    assert api_for(carol).get("/api/v1/waitlist/").json()["results"][0]["position"] == 1
    accepted = api_for(bob).post(f"/api/v1/waitlist/{entry['id']}/accept/")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["id"] == mine[0]["offer"] and accepted.json()["status"] == "confirmed"
    assert set(accepted.json()) == BOOKING_FIELDS
    assert api_for(bob).get("/api/v1/waitlist/").json()["results"] == []

    # Carol leaves.
    left = api_for(carol).delete(f"/api/v1/waitlist/{second['id']}/")
    assert left.status_code == 200 and left.json()["status"] == "left"
    assert WaitlistEntry.objects.get(pk=second["id"]).status == WaitlistStatus.LEFT


def test_an_offer_that_lapsed_cannot_be_accepted(make_event, alice, bob, django_capture_on_commit_callbacks):
    page, event = make_event(capacity=1)
    seat = register(api_for(alice), event).json()
    entry = api_for(bob).post(f"{EVENTS}{event.pk}/waitlist/", {"occurrence": key(event)}, format="json").json()
    with django_capture_on_commit_callbacks(execute=True):
        api_for(alice).post(f"/api/v1/bookings/{seat['id']}/cancel/", {}, format="json")
    offer = WaitlistEntry.objects.get(pk=entry["id"]).offer
    Booking.objects.filter(pk=offer.pk).update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    assert_error(api_for(bob).post(f"/api/v1/waitlist/{entry['id']}/accept/"), 400, "offer_lapsed")


# Programmes ------------------------------------------------------------------------------------


def make_programme(hub, venues, *, capacities=None, mode="either", title="Social Business Days"):
    day = weekday_on_or_after(date.today() + timedelta(days=10), 2)
    sessions = [
        {
            "title": f"Session {n + 1}",
            "venue": venue,
            "start_date": day + timedelta(days=n),
            "start_time": time(9, 30),
            "end_time": time(12, 0),
            "capacity": (capacities or [10] * len(venues))[n],
        }
        for n, venue in enumerate(venues)
    ]
    return programme_page_create(hub=hub, sessions=sessions, title=title, registration_mode=mode)


@pytest.fixture
def programme_world(make_venue):
    hub = make_venue("social_business_center", title="Centre Dakar", city="Dakar", timezone="Africa/Dakar")
    lyon, nantes = make_venue(city="Lyon"), make_venue("totem", city="Nantes")
    return hub, [hub, lyon, nantes]


def test_programme_detail_lists_its_sessions_at_their_venues(client, programme_world):
    hub, venues = programme_world
    programme = make_programme(hub, venues, mode="whole")
    response = client.get(f"/api/v1/programmes/{programme.pk}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Social Business Days" and body["registration_mode"] == "whole"
    assert body["hub"] == hub.pk and body["hub_name"] == "Centre Dakar"
    assert body["url"] == f"http://testserver{programme.get_url()}"
    assert [s["venue"] for s in body["sessions"]] == [v.pk for v in venues]
    assert all(set(s) == ITEM_FIELDS and s["programme"] == programme.pk for s in body["sessions"])
    assert body["sessions"][0]["timezone"] == "Africa/Dakar" and body["sessions"][1]["timezone"] == "Europe/Paris"
    assert body["registrations_url"].endswith(f"/api/v1/programmes/{programme.pk}/registrations/")
    assert_error(client.get("/api/v1/programmes/999999/"), 404, "programme_not_found")


def test_registering_for_a_whole_programme(programme_world, alice):
    hub, venues = programme_world
    programme = make_programme(hub, venues, mode="whole")
    sessions = list(selectors.programme_sessions(programme))
    api = api_for(alice)
    # Session by session is refused for a programme registered as a whole.
    assert_error(register(api, sessions[0], occurrence_key(sessions[0].start)), 400, "whole_programme_only")
    response = api.post(f"/api/v1/programmes/{programme.pk}/registrations/")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["programme"] == programme.pk and len(body["bookings"]) == 3
    assert all(set(b) == BOOKING_FIELDS and b["status"] == "confirmed" for b in body["bookings"])
    assert {b["venue"] for b in body["bookings"]} == {v.pk for v in venues}
    assert_error(api.post(f"/api/v1/programmes/{programme.pk}/registrations/"), 400, "already_registered")


def test_a_whole_programme_registration_is_all_or_nothing(programme_world, make_user, alice):
    hub, venues = programme_world
    programme = make_programme(hub, venues, capacities=[10, 10, 1])
    full = list(selectors.programme_sessions(programme))[2]
    services.registration_create(user=make_user(), event=full, recurrence_id=full.start)
    response = api_for(alice).post(f"/api/v1/programmes/{programme.pk}/registrations/")
    body = assert_error(response, 409, "event_full")
    assert "Session 3" in body["detail"] and body["session"] == full.pk
    assert body["waitlist"].endswith(f"/api/v1/events/{full.pk}/waitlist/")
    assert not Booking.objects.filter(user=alice).exists()
    assert not Registration.objects.filter(booking__user=alice).exists()


def test_a_programme_session_by_session_refuses_whole_registration(programme_world, alice):
    hub, venues = programme_world
    programme = make_programme(hub, venues, mode="sessions")
    assert_error(api_for(alice).post(f"/api/v1/programmes/{programme.pk}/registrations/"), 400, "sessions_only")


# The schema ------------------------------------------------------------------------------------


def test_schema_lists_the_event_paths(client, db):
    paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    expected = {
        "/api/v1/events/": {"get"},
        "/api/v1/events/{id}/": {"get"},
        "/api/v1/events/{id}/registrations/": {"post"},
        "/api/v1/events/{id}/waitlist/": {"post"},
        "/api/v1/waitlist/": {"get"},
        "/api/v1/waitlist/{id}/": {"delete"},
        "/api/v1/waitlist/{id}/accept/": {"post"},
        "/api/v1/programmes/{id}/": {"get"},
        "/api/v1/programmes/{id}/registrations/": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, sorted(paths)
        assert methods <= set(paths[path]), path
    listed = {p["name"] for p in paths["/api/v1/events/"]["get"]["parameters"]}
    assert {"venue", "programme", "starts_after", "ends_before", "kind", "city", "price", "lang", "limit"} <= listed
    post = paths["/api/v1/events/{id}/registrations/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in post["parameters"]}
    assert {"201", "400", "409"} <= set(post["responses"])
