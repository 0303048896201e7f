"""The site header (issue 16, item 7): one compact bar with a "Menu" button on phones, one row on a
1366 px desktop (also for a network admin), and the agenda's first date within a phone's first screen."""

from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect

from events.services import event_page_create
from tests.browser.support import PASSWORD, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
MAX_PHONE_HEADER_PX = 60


def _header_height(page) -> float:
    return page.locator("header.site-header").bounding_box()["height"]


def _rows(page) -> int:
    """How many rows the header's items (brand, links, language switch) are laid out on."""
    tops = page.evaluate(
        """() => [...document.querySelectorAll(
                '.site-header .brand, .site-header .main-nav li, .site-header .lang-switch li')]
            .map(e => { const r = e.getBoundingClientRect(); return Math.round(r.top + r.height / 2); })"""
    )
    rows = []
    for middle in sorted(tops):
        if not rows or middle - rows[-1] > 12:
            rows.append(middle)
    return len(rows)


@pytest.mark.parametrize("path", ["/", "/en/"])
def test_phone_header_is_one_bar_with_a_menu(make_context, network, shot, path):
    page = make_context(**PHONE).new_page()
    page.goto(path)
    shot(page, "closed")
    height = _header_height(page)
    assert height <= MAX_PHONE_HEADER_PX, f"the header is {height:.0f} px high on a 390 px phone"
    button = page.locator("button.menu-button")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_have_attribute("aria-controls", "site-menu")
    expect(page.locator("nav.main-nav")).to_be_hidden()

    # The button opens the menu; its links are then within reach.
    button.tap()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.locator("nav.main-nav")).to_be_visible()
    expect(page.locator(".lang-switch")).to_be_visible()
    shot(page, "open")
    button.tap()
    expect(page.locator("nav.main-nav")).to_be_hidden()


def test_phone_menu_with_the_keyboard(make_context, network):
    page = make_context(**PHONE).new_page()
    page.goto("/")
    button = page.locator("button.menu-button")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.locator("nav.main-nav")).to_be_visible()
    # Tab into the menu, then Escape: closed, and the focus is back on the button.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('#site-menu') !== null")
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page.locator("nav.main-nav")).to_be_hidden()
    expect(button).to_be_focused()
    # Space toggles too.
    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-expanded", "false")


def test_phone_header_without_javascript_shows_the_links(make_context, network):
    page = make_context(**PHONE, java_script_enabled=False).new_page()
    page.goto("/")
    expect(page.locator("button.menu-button")).to_be_hidden()
    expect(page.locator("nav.main-nav").get_by_role("link", name="Agenda")).to_be_visible()


@pytest.mark.parametrize("path", ["/", "/en/"])
def test_desktop_header_is_one_row(make_context, network, entrepreneur, shot, path):
    page = make_context(**DESKTOP).new_page()
    page.goto(path)
    expect(page.locator("button.menu-button")).to_be_hidden()
    assert _rows(page) == 1, f"the header takes {_rows(page)} rows at 1366 px (logged out)"
    shot(page)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_desktop_header_is_one_row_for_an_admin(make_context, network, django_user_model, settings, shot, language):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_user_model.objects.create_superuser("camille", email="camille@example.org", password=PASSWORD)
    page = make_context(**DESKTOP).new_page()
    page.goto("/connexion/" if language == "fr" else "/en/log-in/")
    log_in(page)
    page.goto("/agenda/" if language == "fr" else "/en/agenda/")
    nav = page.locator("nav.main-nav")
    expect(nav.get_by_role("link", name={"fr": "Tableau de bord", "en": "Dashboard"}[language])).to_be_visible()
    assert _rows(page) == 1, f"the header takes {_rows(page)} rows at 1366 px for an admin"
    # The secondary links are in the footer.
    footer = page.locator("footer.site-footer")
    expect(footer.get_by_role("link", name={"fr": "Données ouvertes", "en": "Open data"}[language])).to_be_visible()
    expect(footer.get_by_role("link", name="API", exact=True)).to_be_visible()
    shot(page)


@pytest.mark.parametrize("path", ["/agenda/", "/en/agenda/"])
def test_first_agenda_date_within_a_phone_screen(make_context, network, shot, path):
    start = date.today() + timedelta(days=3)
    event_page_create(
        venue=network["ruche"],
        title="Apéro des entrepreneurs",
        summary="Rencontrer les autres porteurs de projet.",
        start_date=start,
        start_time=time(18, 30),
        end_time=time(20),
        capacity=12,
    )
    page = make_context(**PHONE).new_page()
    page.goto(path)
    first_day = page.locator(".agenda-day h3").first
    expect(first_day).to_be_visible()
    box = first_day.bounding_box()
    first_event = page.locator(".event-row").first.bounding_box()
    assert box["y"] + box["height"] <= 844, f"the first date is {box['y']:.0f} px down on an 844 px phone"
    assert first_event["y"] < 844, f"the first event starts {first_event['y']:.0f} px down"
    shot(page, "folded")
    # The filters are one tap away, behind their own disclosure.
    summary = page.locator("details.filters-disclosure > summary")
    expect(summary).to_have_text({"/agenda/": "Filtrer l’agenda", "/en/agenda/": "Filter the agenda"}[path])
    summary.tap()
    expect(page.locator("form.agenda-filters button[type=submit]")).to_be_visible()
    shot(page, "filters-open")
