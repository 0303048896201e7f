"""Across two nodes in the browser: an entrepreneur of node B (the partner network) finds a venue of
node A in B's directory, marked with its origin, and books one of its desks from B, logged in on B
only; A's own API shows the slot taken.

Runs against two real nodes (``tests.support.nodes``), not the live server the other browser tests
use (which the house fixtures still start, unused here).
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.twonode,
]


def weekdays_ahead(tz: str = "Europe/Paris", count: int = 10):
    """Weekdays from three days ahead: a day wholly bookable whatever the time of the run is among them."""
    day = datetime.now(ZoneInfo(tz)).date() + timedelta(days=3)
    while count:
        if day.weekday() < 5:
            yield day.isoformat()
            count -= 1
        day += timedelta(days=1)


def pick_a_free_day(page) -> str:
    """The first of ``weekdays_ahead`` on which the resource page offers a preset.

    The demo's lived-in calendar books days around the day it is loaded, so a named desk may be
    taken on any one day: the test asks the page, as a person would try the next day.
    """
    presets = page.locator("input[name=preset]")
    for day in weekdays_ahead():
        page.locator("#day-input").fill(day)
        page.locator("form.day-picker button").click()
        page.wait_for_load_state()
        if presets.count():
            return day
    raise AssertionError("no weekday in the next two weeks offers this desk")


def test_an_entrepreneur_on_b_finds_a_venue_of_a_and_books_it(paired_nodes, page, shot):
    a, b = paired_nodes
    original = next(venue for venue in a.venues() if venue["slug"] == "la-ruche-des-pentes")

    # B's directory lists A's venue, marked with A's name.
    page.goto(f"{b.url}/lieux/?q=Ruche")
    card = page.locator("main").get_by_text(original["name"]).first
    expect(card).to_be_visible()
    shot(page, "directory-on-b")
    card.click()
    expect(page.locator("h1")).to_contain_text(original["name"])
    expect(page.locator("main")).to_contain_text(a.name)  # its origin
    shot(page, "mirror-on-b")

    # Book a desk of it from B, logging in on B on the way.
    desk = page.get_by_test_id("resource-card").first
    desk.locator("a.button").click()
    pick_a_free_day(page)
    page.locator("input[name=preset]").first.check()
    page.locator("#book-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?next="))
    page.locator("#id_login").fill("entrepreneur")
    page.locator("#id_password").fill(b.accounts["entrepreneur"]["password"])
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()
    page.locator("input[name=preset]").first.check()
    page.locator("#book-form button[type=submit]").click()
    expect(page.locator(".confirmation")).to_be_visible()
    shot(page, "booked-on-b")

    # A holds the booking, for a remote booker who came through B.
    count = a.shell(
        "from bookings.models import Booking;"
        "print(Booking.objects.filter(user__remote_booker__isnull=False, status='confirmed').count())"
    )
    assert int(count.split()[-1]) >= 1
