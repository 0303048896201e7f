"""The agenda, the event and programme pages, registering and the waitlist in the browser's HTTP."""

import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, pgettext
from wagtail.models import Locale

from bookings.models import Booking, BookingStatus
from bookings.services import booking_cancel
from events import selectors, services
from events.models import WaitlistEntry, WaitlistStatus, occurrence_key
from events.presentation import seats_label
from events.services import programme_page_create
from venues.services import venue_translate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    """A request leaves its language active in the thread: each test starts in French."""
    translation.activate("fr")
    yield
    translation.activate("fr")


def first(event):
    return selectors.upcoming(event, now=datetime.now(UTC))[0]


def agenda_url(**params):
    with translation.override("en"):
        url = reverse("events:agenda")
    return url + (f"?{urlencode(params)}" if params else "")


def en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def rows(response):
    return re.findall(r'data-testid="event-row" data-event="(\d+)" data-date="(\w+)"', response.content.decode())


def test_agenda_lists_dates_grouped_by_day_in_french_and_english(client, make_event):
    page, event = make_event(title="Apéro des entrepreneurs")
    french = client.get("/agenda/")
    assert french.status_code == 200
    assert french.headers["Content-Language"] == "fr" or 'lang="fr"' in french.content.decode()
    assert (str(event.pk), occurrence_key(first(event).recurrence_id)) in rows(french)
    english = client.get("/en/agenda/")
    assert english.status_code == 200
    html = english.content.decode()
    assert 'lang="en"' in html
    assert "Apéro des entrepreneurs" in html
    assert "3 seats left" in html and "Free" in html
    assert f"?date={occurrence_key(first(event).recurrence_id)}" in html


def test_agenda_filters_by_kind_city_price_and_venue(client, make_venue, make_event):
    lyon = make_venue(city="Lyon")
    dakar = make_venue("social_business_center", city="Dakar", country="SN", timezone="Africa/Dakar")
    _page, free = make_event(lyon, title="Gratuit à Lyon")
    _page, paid = make_event(dakar, title="Payant à Dakar", price="12.50")
    ids = lambda response: {int(pk) for pk, _key in rows(response)}  # noqa: E731
    assert ids(client.get(agenda_url())) == {free.pk, paid.pk}
    assert ids(client.get(agenda_url(kind="social_business_center"))) == {paid.pk}
    assert ids(client.get(agenda_url(city="Lyon"))) == {free.pk}
    assert ids(client.get(agenda_url(price="free"))) == {free.pk}
    assert ids(client.get(agenda_url(price="paid"))) == {paid.pk}
    assert ids(client.get(agenda_url(venue=dakar.slug))) == {paid.pk}
    html = client.get(agenda_url(venue=dakar.slug)).content.decode()
    assert "(Africa/Dakar)" in html  # not the visitor's zone: named
    assert "12.50" in html or "12,50" in html


def test_agenda_date_range_and_bad_input(client, make_event):
    _page, event = make_event(repeat="WEEKLY")
    start = first(event).start.date()
    response = client.get(agenda_url(start=start.isoformat(), end=start.isoformat()))
    assert len(rows(response)) == 1
    bad = client.get(agenda_url(start="2026-13-45", end="yesterday", kind="castle", price="cheap"))
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'class="error-summary"' in html and html.count('class="field-error"') >= 3
    backwards = client.get(agenda_url(start=start.isoformat(), end=(start - timedelta(days=3)).isoformat()))
    assert backwards.status_code == 400
    assert "must not be before its start" in backwards.content.decode()


def test_agenda_month_view(client, make_event):
    _page, event = make_event(repeat="WEEKLY")
    occurrence = first(event)
    month = occurrence.start.strftime("%Y-%m")
    response = client.get(agenda_url(view="month", month=month))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="month-grid"' in html
    weekly = sum(1 for d in range(1, 32) if _in_month(occurrence.start.date(), d))
    assert html.count('data-testid="month-event"') >= 1
    assert html.count('data-testid="month-event"') <= weekly
    bad = client.get(agenda_url(view="month", month="December"))
    assert bad.status_code == 400 and "YYYY-MM" in bad.content.decode()


def _in_month(day: date, n: int) -> bool:
    try:
        other = day.replace(day=n)
    except ValueError:
        return False
    return other.weekday() == day.weekday() and other >= day


def test_agenda_queries_do_not_grow_with_events(
    client, make_venue, make_event, django_assert_max_num_queries, settings
):
    settings.ESSAIM_PAGE_CACHE = False  # the queries of rendering it (a hit has none: tests/integration/cms)
    venue = make_venue()
    for n in range(3):
        make_event(venue, title=f"Atelier {n}", slug=f"atelier-{n}")
    client.get(agenda_url())  # warm caches (content types, site root paths)
    with django_assert_max_num_queries(16) as few:  # the site's chrome included
        client.get(agenda_url())
    for n in range(3, 12):
        make_event(make_venue(), title=f"Atelier {n}", slug=f"atelier-{n}", repeat="WEEKLY")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(agenda_url())
    assert len(rows(response)) > 12


def test_subscribe_link_carries_the_filters(client, make_event):
    make_event()
    html = client.get(agenda_url(city="Lyon", price="free")).content.decode()
    assert "/feeds/events.ics?city=Lyon&amp;price=free" in html
    assert "webcal://testserver/feeds/events.ics?city=Lyon&amp;price=free" in html


def test_event_page_shows_dates_seats_and_the_form(client, make_event, make_user):
    page, event = make_event(repeat="WEEKLY", capacity=2, summary="On parle financement.")
    occurrence = first(event)
    services.registration_create(user=make_user(), event=event, recurrence_id=occurrence.recurrence_id)
    response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="register-form"' in html and "csrfmiddlewaretoken" in html
    assert html.count('data-testid="date-row"') == 12

    assert seats_label(remaining=1, cancelled=False) in html  # in French, whatever the catalogue says
    assert f'action="{reverse("events:register", args=[event.pk])}"' in html


def test_register_requires_login_and_keeps_the_choice(client, make_event):
    page, event = make_event()
    key = occurrence_key(first(event).recurrence_id)
    response = client.post(reverse("events:register", args=[event.pk]), {"date": key, "quantity": 2})
    assert response.status_code == 302
    assert response.url.startswith("/connexion/?next=")
    assert "date%3D" + key in response.url and "quantity%3D2" in response.url


def test_register_then_the_booking_page(client, make_event, make_user):
    page, event = make_event()
    user = make_user()
    client.force_login(user)
    key = occurrence_key(first(event).recurrence_id)
    response = client.post(en("events:register", event.pk), {"date": key, "quantity": 2})
    booking = Booking.objects.get(user=user)
    assert response.status_code == 302 and response.url == en("bookings:detail", booking.reference) + "?new=1"
    assert booking.quantity == 2 and booking.status == BookingStatus.CONFIRMED
    assert booking.registration.event == event
    # Twice: refused with the reason, back on the event page with the date kept.
    again = client.post(en("events:register", event.pk), {"date": key}, follow=True)
    assert "already registered" in again.content.decode()
    assert again.redirect_chain[-1][0].endswith(f"?date={key}#register")
    # The page now says so.
    assert french("You are registered") in client.get(page.url).content.decode()


def test_register_errors_come_back_as_messages(client, make_event, make_user):
    page, event = make_event(registration_closes_hours=24 * 30)
    client.force_login(make_user())
    key = occurrence_key(first(event).recurrence_id)
    response = client.post(en("events:register", event.pk), {"date": key}, follow=True)
    assert "Registration for this date is closed" in response.content.decode()
    bad = client.post(en("events:register", event.pk), {"date": "nonsense", "quantity": 40}, follow=True)
    assert "between 1 and 10 seats" in bad.content.decode()
    nodate = client.post(en("events:register", event.pk), {"date": "20990101T000000Z"}, follow=True)
    assert "no date at that time" in nodate.content.decode()
    assert not Booking.objects.exists()


def test_csrf_is_enforced(make_event, make_user):
    page, event = make_event()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user())
    key = occurrence_key(first(event).recurrence_id)
    assert strict.post(reverse("events:register", args=[event.pk]), {"date": key}).status_code == 403
    assert not Booking.objects.exists()


def test_full_date_waitlist_join_leave(client, make_event, make_user):
    page, event = make_event(capacity=1)
    occurrence = first(event)
    key = occurrence_key(occurrence.recurrence_id)
    services.registration_create(user=make_user(), event=event, recurrence_id=occurrence.recurrence_id)
    waiting = make_user()
    client.force_login(waiting)
    html = client.get(page.url).content.decode()
    assert french("Full — waitlist") in html and french("Join the waitlist") in html
    full = client.post(en("events:register", event.pk), {"date": key}, follow=True)
    assert "This date is full" in full.content.decode()
    joined = client.post(en("events:waitlist-join", event.pk), {"date": key}, follow=True)
    # Back on the date's row (the page's own language), which shows the position.
    assert french("You are number %(n)s on the waitlist") % {"n": 1} in joined.content.decode()
    entry = WaitlistEntry.objects.get(user=waiting)
    mine = client.get(en("bookings:mine")).content.decode()
    assert 'data-testid="waitlist-place"' in mine and "number 1" in mine
    left = client.post(en("events:waitlist-leave", entry.pk), follow=True)
    assert "You have left the waitlist" in left.content.decode()
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.LEFT


def test_waitlist_offer_is_confirmed_from_the_booking_page(
    client, make_event, make_user, django_capture_on_commit_callbacks
):

    page, event = make_event(capacity=1)
    occurrence = first(event)
    first_person, waiting = make_user(), make_user()
    booking = services.registration_create(user=first_person, event=event, recurrence_id=occurrence.recurrence_id)
    entry = services.waitlist_join(user=waiting, event=event, recurrence_id=occurrence.recurrence_id)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, actor=first_person)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    # Someone else cannot take it.
    client.force_login(first_person)
    assert client.post(en("events:waitlist-accept", entry.pk)).status_code == 404
    client.force_login(waiting)
    mine = client.get(en("bookings:mine")).content.decode()
    assert "A seat is held for you until" in mine
    detail = client.get(en("bookings:detail", entry.offer.reference)).content.decode()
    assert 'data-testid="waitlist-offer"' in detail and "Confirm my seat" in detail
    response = client.post(en("events:waitlist-accept", entry.pk))
    assert response.status_code == 302 and response.url == en("bookings:detail", entry.offer.reference) + "?new=1"
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.ACCEPTED and entry.offer.status == BookingStatus.CONFIRMED


def test_single_date_ics(client, make_event):
    page, event = make_event()
    key = occurrence_key(first(event).recurrence_id)
    response = client.get(reverse("events:occurrence-ics", args=[event.pk, key]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and f"UID:{event.uid}" in body and "TZID=Europe/Paris" in body
    assert client.get(reverse("events:occurrence-ics", args=[event.pk, "20990101T000000Z"])).status_code == 404


def test_cancelled_event_shows_the_banner_and_no_form(client, make_event):
    page, event = make_event(cancelled=True, cancel_reason="Intervenant malade")
    with translation.override("en"):
        html = client.get(page.url).content.decode()
    assert 'data-testid="cancelled-banner"' in html and "Intervenant malade" in html
    assert 'data-testid="register-form"' not in html


def test_cancelled_date_is_struck(client, make_event):
    start = first_tuesday()
    page, event = make_event(repeat="WEEKLY", start_date=start, changes=[{"original_date": start, "cancelled": True}])
    html = client.get(page.url).content.decode()
    assert "<s>" in html and french("Cancelled", context="event date") in html


def french(text: str, context: str = "") -> str:
    """What a French page shows for ``text``, escaped as templates escape it."""
    with translation.override("fr"):
        return escape(pgettext(context, text) if context else gettext(text))


def first_tuesday():
    day = date.today() + timedelta(days=8)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def test_venue_page_lists_upcoming_events_and_its_feed(client, make_venue, make_event):
    venue = make_venue()
    make_event(venue, title="Atelier compta", repeat="WEEKLY")
    html = client.get(venue.url).content.decode()
    assert 'data-testid="venue-events"' in html
    assert html.count('data-testid="event-row"') == 5
    assert f"/feeds/venues/{venue.slug}.ics" in html


@pytest.fixture
def programme(make_venue):
    hub = make_venue("social_business_center", title="Dakar Hub", city="Dakar", country="SN", timezone="Africa/Dakar")
    lyon, paris = make_venue(city="Lyon"), make_venue("totem", city="Paris")
    day = date.today() + timedelta(days=20)
    sessions = [
        {"title": "Ouverture", "venue": lyon, "start_date": day, "start_time": time(9), "end_time": time(12)},
        {
            "title": "Financer son projet",
            "venue": hub,
            "start_date": day + timedelta(days=1),
            "start_time": time(10),
            "end_time": time(12),
            "language": "en",
            "capacity": 1,
        },
        {
            "title": "Clôture",
            "venue": paris,
            "start_date": day + timedelta(days=2),
            "start_time": time(17),
            "end_time": time(19),
        },
    ]
    page = programme_page_create(hub=hub, sessions=sessions, title="Programme international", slug="programme-intl")
    venue_translate(venue=hub, language="en")
    for venue in (lyon, paris):
        venue_translate(venue=venue, language="en")

    english = page.copy_for_translation(Locale.objects.get(language_code="en")).specific
    english.title = "International programme"
    sessions = list(english.sessions.all())
    for session in sessions:
        session.title = {"Ouverture": "Opening", "Financer son projet": "Funding", "Clôture": "Closing"}[session.title]
    english.sessions = sessions
    english.save_revision().publish()
    page.refresh_from_db()
    return page


def test_programme_page_in_both_languages(client, programme):
    french = client.get(programme.url)
    assert french.status_code == 200
    html = french.content.decode()
    assert html.count('data-testid="session"') == 3 and "Ouverture" in html
    assert "(Africa/Dakar)" in html
    english = programme.get_translations().first()
    response = client.get(english.url)
    html = response.content.decode()
    assert response.status_code == 200 and "International programme" in html and "Funding" in html
    assert 'hreflang="fr"' in html and 'hreflang="en"' in html


def test_whole_programme_registration(client, programme, make_user):
    user = make_user()
    client.force_login(user)
    response = client.post(en("events:programme-register", programme.pk), follow=True)
    assert response.status_code == 200
    assert Booking.objects.filter(user=user, status=BookingStatus.CONFIRMED).count() == 3
    again = client.post(en("events:programme-register", programme.pk), follow=True)
    assert "already registered for every session" in again.content.decode()


def test_whole_programme_refused_when_a_session_is_full(client, programme, make_user):
    session = next(e for e in selectors.programme_sessions(programme) if e.capacity == 1)
    services.registration_create(user=make_user(), event=session, recurrence_id=session.start)
    user = make_user()
    client.force_login(user)
    response = client.post(en("events:programme-register", programme.pk), follow=True)
    assert "full" in response.content.decode()
    assert not Booking.objects.filter(user=user).exists()  # all or nothing


def test_paid_registration_goes_to_the_pay_link(client, make_event, make_user, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_not_called"  # the pay link is ours; Stripe is called when it is followed
    page, event = make_event(price="12")
    user = make_user()
    client.force_login(user)
    key = occurrence_key(first(event).recurrence_id)
    response = client.post(en("events:register", event.pk), {"date": key})
    booking = Booking.objects.get(user=user)
    assert booking.status == BookingStatus.HELD
    assert response.status_code == 302 and response.url.startswith("/payments/checkout/")


def test_english_agenda_links_to_english_pages(client, make_venue, make_event):
    venue = make_venue()
    page, event = make_event(venue, title="Apéro des entrepreneurs")
    venue_translate(venue=venue, language="en")
    english = page.copy_for_translation(Locale.objects.get(language_code="en")).specific
    english.title = "Entrepreneurs' drinks"
    english.save_revision().publish()
    english.refresh_from_db()
    html = client.get(agenda_url()).content.decode()
    assert "Entrepreneurs&#x27; drinks" in html or "Entrepreneurs' drinks" in html
    assert f'href="{english.url}?date=' in html
    response = client.get(english.url)
    assert response.status_code == 200 and 'lang="en"' in response.content.decode()
    assert 'data-testid="register-form"' in response.content.decode()
