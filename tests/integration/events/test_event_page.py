"""The event page: the summary once, one way to register (the dates' own buttons, with the seats
field above them), anchors for each date, and dates written as each language writes them."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale

from bookings.models import Booking
from events import selectors
from events.models import occurrence_key
from events.page_context import UPCOMING_LIMIT
from venues.services import venue_translate

pytestmark = pytest.mark.django_db

FRENCH_MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
ENGLISH_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@pytest.fixture(autouse=True)
def _french():
    translation.activate("fr")
    yield
    translation.activate("fr")


def article(html: str) -> str:
    return html.split("<article", 1)[1].split("</article>", 1)[0]


def aside(html: str) -> str:
    return html.split('<aside class="event-side">', 1)[1].split("</aside>", 1)[0]


def upcoming(event):
    return selectors.upcoming(event, now=datetime.now(UTC), limit=UPCOMING_LIMIT)


def english_of(page, title="Entrepreneurs' drinks", **fields):
    venue_translate(venue=page.get_parent().specific, language="en")
    english = page.copy_for_translation(Locale.objects.get(language_code="en")).specific
    english.title = title
    for name, value in fields.items():
        setattr(english, name, value)
    english.save_revision().publish()
    english.refresh_from_db()
    return english


def test_the_summary_is_printed_once(client, make_event):
    summary = "Chaque mardi soir, on partage ses avancées."
    page, _event = make_event(summary=summary, body=f"<p>{summary}</p>")
    html = article(client.get(page.url).content.decode())
    assert html.count("on partage ses avancées") == 1


def test_a_body_that_says_more_is_printed(client, make_event):
    page, _event = make_event(summary="Un apéro.", body="<p>Un apéro, puis un atelier sur les statuts.</p>")
    html = article(client.get(page.url).content.decode())
    assert html.count("Un apéro.") == 1 and "puis un atelier sur les statuts" in html


def test_one_way_to_register_the_dates_buttons_under_the_seats_field(client, make_event):
    page, event = make_event(repeat="WEEKLY", capacity=5)
    html = client.get(page.url).content.decode()
    side = aside(html)
    assert "<form" not in side and "<select" not in side, "no second registration form in the sidebar"
    assert 'data-testid="how-to-register"' in side and "Comment s’inscrire" in side
    main = article(html).split('<aside class="event-side">', 1)[0]
    assert main.count("<form") == 1  # the seats field's form; the buttons submit it
    seats = main.index('id="id_quantity"')
    assert seats < main.index('<ul class="date-list" id="register">')
    form = re.search(r'<form method="post" action="([^"]+)" id="register-form"', main)
    assert form and form.group(1) == reverse("events:register", args=[event.pk])
    keys = [occurrence_key(o.recurrence_id) for o in upcoming(event)]
    buttons = re.findall(r'<button type="submit" form="register-form" name="date" value="(\w+)"', main)
    assert buttons == keys


def test_each_date_has_an_anchor(client, make_event):
    page, event = make_event(repeat="WEEKLY")
    html = client.get(page.url).content.decode()
    assert html.count('id="register"') == 1 and 'href="#register"' in html
    for occurrence in upcoming(event):
        key = occurrence_key(occurrence.recurrence_id)
        assert f'id="date-{key}" data-testid="date-row" data-date="{key}"' in html


def test_registering_with_the_seats_field_and_a_dates_button(client, make_event, make_user):
    page, event = make_event(repeat="WEEKLY", capacity=5)
    user = make_user()
    client.force_login(user)
    key = occurrence_key(upcoming(event)[1].recurrence_id)
    response = client.post(reverse("events:register", args=[event.pk]), {"quantity": "2", "date": key})
    assert response.status_code == 302
    booking = Booking.objects.get(user=user)
    assert booking.quantity == 2 and occurrence_key(booking.registration.recurrence_id) == key


def test_french_dates_in_the_french_way(client, make_event):
    """Not "Mar 15 Déc 2026" (Django's ``D j M``): CLDR's "mar. 15 déc. 2026, 18:30"."""
    page, event = make_event(start_time=datetime.min.time().replace(hour=18, minute=30))
    day = upcoming(event)[0].start.date()
    html = article(client.get(page.url).content.decode())
    expected = f"mar. {day.day} {FRENCH_MONTHS[day.month - 1]} {day.year}, 18:30–20:00"
    assert f">{expected}</time>" in html
    assert not re.search(r"\b(Mar|Déc|Janv|Févr) \d", html)


def test_english_dates_in_the_english_way(client, make_event):
    page, event = make_event()
    english = english_of(page)
    day = upcoming(event)[0].start.date()
    html = article(client.get(english.url).content.decode())
    assert f">Tue, {ENGLISH_MONTHS[day.month - 1]} {day.day}, {day.year}, 18:30–20:00</time>" in html
    assert "How to register" in aside(html) and 'id="register"' in html
