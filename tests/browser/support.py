"""Helpers the browser tests share: the entrepreneur's login, a bookable day, a resource, and the
phone-width check that names what sticks out."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.factories import ResourceFactory

ENTREPRENEUR = "camille"
PASSWORD = "entrepreneur-pass-5b2e"


def log_in(page):
    """Fill the login form on the page the browser is on (the login page, or where a login led)."""
    page.locator("#id_login").fill(ENTREPRENEUR)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()


def resource_at(venue, **fields):
    return ResourceFactory(venue=venue, **({"horizon_days": 60} | fields))


def weekday_ahead() -> str:
    """A weekday at least two days ahead in Paris: wholly bookable whatever the time of the run."""
    day = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


def assert_no_sideways_scroll(page, width: int):
    # Measure the page as it is shown: after a click, the new document's elements can be queried
    # before its style sheets have loaded, and the unstyled page is wider (CI saw 400 px on 390).
    page.wait_for_load_state("load")
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    # Name the culprits if any element sticks out (helps whoever fixes it); the map's tiles may.
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .filter(e => !e.closest('.leaflet-container'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
    )
    assert scroll <= width + 1, f"the page is {scroll} px wide on a {width} px screen; sticking out: {wide}"
    assert wide == []
