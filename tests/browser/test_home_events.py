"""The home page's next dates, in French and English, on a desktop and a phone: the agenda's
rows (English titles where the event is translated) and the way to the whole agenda."""

import re
from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect
from wagtail.models import Locale

from events.services import event_page_create
from tests.browser.support import assert_no_sideways_scroll
from venues.services import venue_translate

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def tuesday_ahead(days: int = 8) -> date:
    day = date.today() + timedelta(days=days)
    return day + timedelta(days=(1 - day.weekday()) % 7)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_home_lists_the_next_dates(make_context, network, shot, language, size):
    venue = network["ruche"]
    page_fr = event_page_create(
        venue=venue,
        title="Apéro des entrepreneurs",
        summary="Chaque mardi soir.",
        start_date=tuesday_ahead(),
        start_time=time(18, 30),
        end_time=time(20, 0),
        capacity=12,
        repeat="WEEKLY",
    )
    venue_translate(venue=venue, language="en")
    english = page_fr.copy_for_translation(Locale.objects.get(language_code="en")).specific
    english.title = "Entrepreneurs' drinks"
    english.save_revision().publish()

    ctx = make_context(viewport=SIZES[size], **({"is_mobile": True, "has_touch": True} if size == "phone" else {}))
    page = ctx.new_page()
    page.goto("/" if language == "fr" else "/en/")
    block = page.locator("[data-testid=home-events]")
    rows = block.locator("[data-testid=event-row]")
    expect(rows).to_have_count(6)
    title = "Apéro des entrepreneurs" if language == "fr" else "Entrepreneurs' drinks"
    expect(rows.first.locator(".event-title")).to_have_text(title)
    expect(block).not_to_contain_text("Aucun événement" if language == "fr" else "No event is announced")
    link = block.get_by_role("link", name="Voir tout l'agenda" if language == "fr" else "See the whole agenda")
    link.scroll_into_view_if_needed()
    if size == "phone":
        assert_no_sideways_scroll(page, 390)
    shot(page, f"{language}-{size}")
    link.click()
    expect(page).to_have_url(re.compile(r"/agenda/$" if language == "fr" else r"/en/agenda/$"))
    expect(page.locator("[data-testid=event-row]").first).to_contain_text(title)
