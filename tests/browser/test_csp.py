"""The Content-Security-Policy holds in the browser: the public pages, the Wagtail admin of a venue
manager (page editors with inline panels and date pickers, the Bookings menu) and the API docs
load and work with no violation (``csp_violations`` in conftest fails the test on any), and the
docs' Swagger UI comes from this node's own static files, so it renders with no other host
reachable."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from events.models import EventPage
from tests.browser.support import resource_at, weekday_ahead
from tests.support.factories import EventFactory, site_tree
from venues.services import venue_manager_assign

pytestmark = pytest.mark.browser

USERNAME, PASSWORD = "gerante-csp", "gerante-csp-mot-de-passe"


def _visit(page, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, path
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0], path
    page.wait_for_load_state("networkidle")


@pytest.fixture
def event(network):
    return EventFactory(venue=network["ruche"], title="Atelier réparation")


def test_public_pages_keep_the_policy(page, network, event, blocked_requests):
    desk = resource_at(network["ruche"], name="Bureau verrière", kind="desk")
    event_page = EventPage.objects.get(pk=event.page_id)
    for path in (
        "/",
        site_tree().directory.url,
        network["ruche"].url,
        reverse("events:agenda"),
        reverse("events:agenda") + "?view=month",
        event_page.url,
        f"{reverse('bookings:resource', args=[desk.pk])}?day={weekday_ahead()}",
        reverse("bookings:search"),
        reverse("open-data-page"),
        reverse("account_login"),
    ):
        _visit(page, path)
    # The maps drew their markers (Leaflet runs under the policy); only tiles left the server.
    page.goto(network["ruche"].url)
    expect(page.locator("#venue-map")).to_have_attribute("data-markers", "1")
    assert all(url.startswith("https://tile.openstreetmap.org/") for url in blocked_requests)


def test_manager_admin_keeps_the_policy(page, network, event, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = django_user_model.objects.create_user(USERNAME, "gerante-csp@example.org", PASSWORD)
    venue_manager_assign(venue=network["ruche"], user=user)
    resource_at(network["ruche"], name="Salle Croix-Rousse", kind="room")

    page.goto("/admin/login/")
    page.locator("input[name=login]").fill(USERNAME)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(r"/admin/$"))
    for path in (
        "/admin/",
        f"/admin/pages/{network['ruche'].pk}/edit/",  # inline panels (opening hours)
        f"/admin/pages/{event.page_id}/edit/",  # date and time pickers
        "/admin/bookings/day/",
        "/admin/bookings/occupancy/",
        "/admin/bookings/",
    ):
        _visit(page, path)
    # The scripts that carry the nonce ran: the event's date picker opens.
    page.goto(f"/admin/pages/{event.page_id}/edit/")
    page.locator("input[name=start_date]").click()
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(1)


def test_api_docs_render_from_our_own_files(page, blocked_requests):
    _visit(page, reverse("api:docs"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Essaim API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert blocked_requests == []
