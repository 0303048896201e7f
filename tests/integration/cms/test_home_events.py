"""The home page's "Upcoming events": the network's next dates, as the agenda lists them."""

import re
from datetime import date, timedelta

import pytest
from django.utils import translation
from wagtail.models import Locale

from cms.models import UPCOMING_EVENTS
from venues.services import venue_translate

pytestmark = pytest.mark.django_db

EMPTY = "No event is announced yet"


@pytest.fixture(autouse=True)
def _french():
    translation.activate("fr")
    yield
    translation.activate("fr")


def rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-testid="event-row" data-event="(\d+)" data-date="(\w+)"', html)


def agenda(client) -> list[tuple[str, str]]:
    """The agenda's dates over the next three months (its default is one)."""
    start, end = date.today(), date.today() + timedelta(days=90)
    return rows(client.get(f"/agenda/?start={start}&end={end}").content.decode())


def home_block(html: str) -> str:
    return html.split('data-testid="home-events"', 1)[1].split("</section>", 1)[0]


def test_home_events_are_not_empty_when_the_agenda_is_not(client, make_event):
    """The home page said "Aucun événement n'est encore annoncé" while the agenda had dates."""
    make_event(title="Apéro des entrepreneurs", repeat="WEEKLY")
    listed = agenda(client)
    assert listed, "the agenda lists the event"
    block = home_block(client.get("/").content.decode())
    assert "Aucun événement" not in block
    assert rows(block) == listed[:UPCOMING_EVENTS], "the agenda's first dates, in its order"
    assert len(rows(block)) == UPCOMING_EVENTS == 6
    assert "Apéro des entrepreneurs" in block
    assert 'href="/agenda/"' in block and "Voir tout l'agenda" in block


def test_home_leaves_out_cancelled_dates(client, make_event):
    _page, weekly = make_event(title="Atelier", repeat="WEEKLY")
    first = weekly.start.date()
    make_event(title="Atelier", repeat="WEEKLY", changes=[{"original_date": first, "cancelled": True}])
    listed = agenda(client)
    block = rows(home_block(client.get("/").content.decode()))
    assert len(block) == UPCOMING_EVENTS
    assert set(block) < set(listed)
    cancelled = [row for row in listed if row[0] != str(weekly.pk)][0]
    assert cancelled in listed[:2] and cancelled not in block


def test_home_in_english_shows_english_titles_and_links(client, make_venue, make_event):
    venue = make_venue()
    page, _event = make_event(venue, title="Apéro des entrepreneurs")
    venue_translate(venue=venue, language="en")
    english = page.copy_for_translation(Locale.objects.get(language_code="en")).specific
    english.title = "Entrepreneurs' drinks"
    english.save_revision().publish()
    english.refresh_from_db()
    block = home_block(client.get("/en/").content.decode())
    assert "Entrepreneurs&#x27; drinks" in block and "Apéro" not in block
    assert f'href="{english.url}?date=' in block
    assert 'href="/en/agenda/"' in block and "See the whole agenda" in block


def test_home_says_so_when_nothing_is_announced(client, site_tree):
    block = home_block(client.get("/en/").content.decode())
    assert EMPTY in block and rows(block) == []
