"""A venue manager in Wagtail's admin: their venue's editor opens, another venue's does not."""

import re

import pytest
from playwright.sync_api import expect

from venues.services import venue_manager_assign

pytestmark = pytest.mark.browser

PASSWORD = "gerante-mot-de-passe-2026"


def test_venue_manager_edits_only_their_venue(page, network, django_user_model, settings, shot):
    # A fast hasher: the login checks the password in the live server's thread, same settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    mine, other = network["ruche"], network["grenoble"]
    user = django_user_model.objects.create_user("gerante", email="gerante@example.org", password=PASSWORD)
    venue_manager_assign(venue=mine, user=user)

    # Log in through the form, as a person would.
    page.goto("/admin/login/")
    page.locator("input[name=login]").fill("gerante")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    expect(page.locator("input[name=password]")).to_have_count(0)

    # Their venue: the page editor, with the venue's own title in it.
    response = page.goto(f"/admin/pages/{mine.pk}/edit/")
    assert response.status == 200
    edit_form = page.locator("form#page-edit-form")
    expect(edit_form).to_be_visible()
    expect(edit_form.locator("input[name=title]")).to_have_value("La Ruche des Pentes")
    expect(page.locator("[name=action-publish], button[name=action-publish]").first).to_be_attached()
    shot(page, "own-venue")

    # Another venue: Wagtail answers with a redirect to the dashboard and a "permission denied"
    # message (not a 403 page), and shows no editor for it.
    response = page.goto(f"/admin/pages/{other.pk}/edit/")
    assert response.status == 200
    assert response.request.redirected_from is not None
    assert response.request.redirected_from.url.endswith(f"/admin/pages/{other.pk}/edit/")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator(".messages")).to_contain_text("vous n'avez pas les autorisations")
    expect(page.locator("form#page-edit-form")).to_have_count(0)
    expect(page.locator("input[name=title]")).to_have_count(0)
    expect(page.locator("main, #main").first).not_to_contain_text("Totem Grenoble Alpes")
    shot(page, "other-venue")

    # Nothing changed behind the refusal.
    other.refresh_from_db()
    assert other.title == "Totem Grenoble Alpes"
    assert not user.has_perm("wagtailcore.change_page")
