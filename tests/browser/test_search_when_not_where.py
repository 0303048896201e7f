""" "I know when, not where" from a browser in Dakar: typed hours are the venue's by default, the
browser's own zone when asked (and named); Enter runs the search; the quantity is named after the
kind; the day buttons keep the place and the distance."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.support import resource_at, weekday_ahead

pytestmark = pytest.mark.browser

TEXTS = {
    "fr": {
        "hours": "Horaires",
        "people": "Nombre de personnes",
        "desks": "Nombre de postes",
        "mine": "Dans mon fuseau horaire (Africa/Dakar)",
        "say_where": "Dites où",
    },
    "en": {
        "hours": "Hours",
        "people": "Number of people",
        "desks": "Number of desks",
        "mine": "In my time zone (Africa/Dakar)",
        "say_where": "Say where",
    },
}


@pytest.mark.browser_context_args(timezone_id="Africa/Dakar")
@pytest.mark.parametrize("language", ["fr", "en"])
def test_hours_typed_in_dakar_are_lyons_unless_asked(page, network, shot, language):
    texts = TEXTS[language]
    resource_at(network["ruche"], name="Salle Canut", kind="room", max_minutes=240, price_minor=0)
    assert page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone") == "Africa/Dakar"
    with translation.override(language):
        page.goto(reverse("bookings:search"))
    form = page.locator("form.search-form")

    # A day button before any place: nothing is searched, the page asks where.
    form.locator(".day-shortcuts button").nth(1).click()
    expect(page.locator("[data-testid=needs-place]")).to_contain_text(texts["say_where"])
    expect(page.locator("[data-testid=search-result]")).to_have_count(0)
    expect(page.locator("#id_radius_km")).to_have_value("25")

    page.locator("#id_day").fill(weekday_ahead())
    page.get_by_label(texts["hours"], exact=True).check()
    page.locator("#id_start_time").fill("14:00")
    page.locator("#id_end_time").fill("16:00")
    page.locator("#id_kind").select_option("desk")
    expect(page.locator("label[for=id_quantity]")).to_have_text(texts["desks"])
    page.locator("#id_kind").select_option("room")
    expect(page.locator("label[for=id_quantity]")).to_have_text(texts["people"])
    expect(page.get_by_label(texts["mine"])).not_to_be_checked()
    page.locator("#id_place").fill("Lyon")
    page.locator("#id_place").press("Enter")  # the main search, not the first day button

    result = page.locator("[data-testid=search-result]").filter(has_text="Salle Canut")
    expect(result.locator(".when")).to_contain_text("14:00–16:00")
    expect(page).to_have_url(re.compile(r"start_time=14%3A00"))
    shot(page, f"{language}-venue-time")

    page.get_by_label(texts["mine"]).check()
    page.locator("form.search-form button.button[type=submit]").click()
    expect(result.locator(".when")).to_contain_text("15:00–17:00")
    shot(page, f"{language}-my-time")

    # A day button keeps the place, the distance and the kind.
    form.locator(".day-shortcuts button").nth(2).click()
    expect(page.locator("#id_place")).to_have_value("Lyon")
    expect(page.locator("#id_radius_km")).to_have_value("25")
    expect(page.locator("#id_kind")).to_have_value("room")
