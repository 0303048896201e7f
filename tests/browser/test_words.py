"""Words and numbers in the browser: a Dakar room priced in CFA francs as CLDR writes them
("10 000 F CFA", never "XOF") and its real capacity ("Jusqu'à 17 personnes"), in French and English."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.support import resource_at

pytestmark = pytest.mark.browser


def test_a_dakar_room_shows_its_price_in_cfa_francs_and_how_many_it_holds(context, network, shot):
    room = resource_at(network["dakar"], name="Salle Gorée", kind="room", seats=17, price_minor=10000, currency="XOF")
    page = context.new_page()
    with translation.override("fr"):
        french = reverse("bookings:resource", args=[room.pk])
    with translation.override("en"):
        english = reverse("bookings:resource", args=[room.pk])

    page.goto(french)
    header = page.locator(".resource-header")
    expect(header).to_contain_text("Jusqu'à 17 personnes")
    expect(header.locator(".price")).to_have_text(re.compile(r"^10\u202f000\u00a0F\u202fCFA par heure$"))
    expect(page.locator("main")).not_to_contain_text("XOF")
    shot(page, "fr")

    page.goto(english)
    expect(header).to_contain_text("Up to 17 people")
    expect(header.locator(".price")).to_have_text(re.compile(r"^F\u202fCFA\u00a010,000 per hour$"))
    expect(page.locator("main")).not_to_contain_text("XOF")
    shot(page, "en")
