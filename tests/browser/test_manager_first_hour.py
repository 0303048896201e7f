"""A venue manager's first hour (issue 16, item 5), in French and English, on a desktop and a phone:
the day view says when check-in opens; a request is approved from the dashboard's list through
its confirmation page; a closure saved over a request warns and flags it; the list counts in the
admin's language.

Bookings are made around the real clock (the live server's check-in rule uses it).
"""

import re
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext
from playwright.sync_api import expect
from wagtail.users.models import UserProfile

from bookings import inventory, services
from bookings.models import BookingStatus
from tests.browser.support import assert_no_sideways_scroll
from venues.services import venue_manager_assign

pytestmark = pytest.mark.browser

PASSWORD = "gerante-mot-de-passe-2026"
AROUND_THE_CLOCK = [(day, time(0), time(0)) for day in range(7)]
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def log_in(page, username):
    page.goto("/admin/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_manager_first_hour(make_context, network, django_user_model, fast_hasher, shot, language, width, height):
    ruche = network["ruche"]
    manager = django_user_model.objects.create_user("gerante", "gerante@example.org", PASSWORD)
    venue_manager_assign(venue=ruche, user=manager)
    profile = UserProfile.get_for_user(manager)
    profile.preferred_language = language
    profile.save(update_fields=["preferred_language"])
    booker = django_user_model.objects.create_user("lea", "lea@example.org", None, first_name="Léa", last_name="Roux")

    now = timezone.now().replace(second=0, microsecond=0)
    room = inventory.resource_create(venue=ruche, name="Salle des Canuts", kind="room", hours=AROUND_THE_CLOCK)
    council = inventory.resource_create(
        venue=ruche, name="Salle du conseil", kind="room", hours=AROUND_THE_CLOCK, approval_required=True
    )
    start = now + timedelta(hours=3) - timedelta(minutes=now.minute % 30)
    later = services.booking_create(
        user=booker, request=services.BookingRequest(room, start, start + timedelta(hours=1))
    )
    day_after = (now.astimezone(PARIS) + timedelta(days=2)).replace(hour=10, minute=0)
    request = services.booking_create(
        user=booker, request=services.BookingRequest(council, day_after, day_after + timedelta(hours=1))
    )

    def words(text, context=None):
        with translation.override(language):
            return pgettext(context, text) if context else gettext(text)

    page = make_context(viewport={"width": width, "height": height}, is_mobile=width < 500).new_page()
    log_in(page, "gerante")
    suffix = f"{language}-{width}"

    # The day view: the booking in three hours says when check-in opens, rather than nothing.
    page.goto(f"/admin/bookings/day/?venue={ruche.pk}&date={start.astimezone(PARIS):%Y-%m-%d}")
    opens = (start - timedelta(hours=1)).astimezone(PARIS)
    at = f"{opens:%H:%M}"
    if opens.date() != start.astimezone(PARIS).date():  # a booking just after midnight opens the evening before
        with translation.override(language):
            at = f"{date_format(opens, 'SHORT_DATE_FORMAT')} {at}"
    row = page.locator(f"tr[data-booking='{later.reference}']")
    expect(row.locator("[data-waiting]")).to_have_text(words("Check-in from %(time)s") % {"time": at})
    shot(page, f"day-{suffix}")

    # A closure saved over the request's day: a warning that lists it, with its link; nothing cancelled.
    page.goto(reverse("booking_closures:add"))
    page.locator("#id_reason").fill("Dégât des eaux")
    page.locator("#id_first_day").fill(f"{day_after:%Y-%m-%d}")
    page.locator("#id_first_day").press("Escape")
    page.locator("button.button-longrunning[type=submit]").first.click()
    warning = page.locator("[data-closure-clashes]").locator("xpath=..")
    expect(warning).to_contain_text(request.reference)
    expect(warning.locator(f"a[href='/admin/bookings/{request.pk}/']")).to_be_visible()
    shot(page, f"closure-saved-{suffix}")

    # The dashboard lists the request, flagged, with Approve and Reject.
    page.goto("/admin/")
    panel = page.locator("[data-requests-panel]")
    flag = words("This day is closed (closure: %(closures)s)") % {"closures": "Dégât des eaux"}
    expect(panel.locator(f"tr[data-booking='{request.reference}'] [data-closed]")).to_contain_text(flag)
    shot(page, f"dashboard-{suffix}")

    # The bookings list counts in the admin's language and offers the same decision.
    page.goto("/admin/bookings/?status=pending_approval")
    count_label = "1 réservation" if language == "fr" else "1 booking"
    expect(page.locator(".pagination__end")).to_have_text(count_label)
    expect(page.locator("#listing-results")).to_contain_text(flag)
    shot(page, f"list-{suffix}")

    # Approve: the confirmation page, then back to the list with the news.
    page.locator("a[data-decide=approve]").first.click()
    expect(page.locator("[data-confirm=approve] [data-closed]")).to_contain_text(flag)
    assert_no_sideways_scroll(page, width)
    shot(page, f"confirm-{suffix}")
    page.locator("[data-booking-action=approve] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/bookings/\?status=pending_approval$"))
    expect(page.locator(".messages")).to_contain_text(request.reference)
    request.refresh_from_db()
    assert request.status == BookingStatus.CONFIRMED
