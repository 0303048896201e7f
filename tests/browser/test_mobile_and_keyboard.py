"""Phone-sized screens and keyboard use: no sideways scrolling, big enough buttons, a skip link."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_no_sideways_scroll

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
MIN_TAP_PX = 40


def _tall_enough(locator, what):
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box["height"] >= MIN_TAP_PX, f"{what} is {box['height']:.0f} px high"


@pytest.mark.browser_context_args(**PHONE)
def test_phone_home_and_directory(page, network, shot):
    page.goto("/")
    assert_no_sideways_scroll(page, 390)
    expect(page.locator("#hero-place")).to_be_visible()
    _tall_enough(page.locator("#hero-place"), "the home search field")
    _tall_enough(page.locator(".hero-search button[type=submit]"), "the home search button")
    expect(page.get_by_test_id("count-tiers_lieu")).to_be_visible()
    expect(page.locator("#venue-map")).to_have_attribute("data-markers", str(len(network)))
    shot(page, "home")

    # The home search leads to the directory with the place filled in.
    page.locator("#hero-place").fill("Lyon")
    page.locator(".hero-search button[type=submit]").tap()
    page.wait_for_url("**/lieux/?place=Lyon")
    assert_no_sideways_scroll(page, 390)
    expect(page.get_by_test_id("distance").first).to_be_visible()

    page.goto("/lieux/")
    assert_no_sideways_scroll(page, 390)
    form = page.get_by_role("search", name="Filtrer les lieux")
    expect(form).to_be_visible()
    for label in ("Ville ou adresse", "Type de lieu", "Dans un rayon de"):
        _tall_enough(form.get_by_label(label, exact=True), label)
    _tall_enough(form.get_by_role("button", name="Afficher les lieux"), "the submit button")
    _tall_enough(form.get_by_role("button", name="Utiliser ma position"), "the location button")
    cards = page.get_by_test_id("venue-card")
    expect(cards).to_have_count(len(network))
    cards.first.scroll_into_view_if_needed()
    expect(cards.first).to_be_visible()
    # Cards fit the screen's width.
    box = cards.first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1
    shot(page, "directory")

    # Filtering by touch works the same.
    form.get_by_label("Type de lieu").select_option("totem")
    form.get_by_role("button", name="Afficher les lieux").tap()
    page.wait_for_url("**kind=totem**")
    expect(page.get_by_test_id("venue-card")).to_have_count(1)
    assert_no_sideways_scroll(page, 390)


def test_keyboard_skip_link_comes_first(page, network):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({tag: document.activeElement.tagName, cls: document.activeElement.className,"
        " href: document.activeElement.getAttribute('href'), text: document.activeElement.textContent.trim()})"
    )
    assert focused == {"tag": "A", "cls": "skip-link", "href": "#main", "text": "Aller au contenu"}
    # Hidden until focused, then on screen.
    skip = page.locator("a.skip-link")
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # The next Tab goes on inside the page's content, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('#main')")
