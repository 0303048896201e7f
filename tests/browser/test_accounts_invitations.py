"""Team invitations in the browser: someone who manages a venue invites a new person from the
admin; the new person follows the e-mailed link, signs up, accepts, and edits their venue only."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from playwright.sync_api import expect

from core.roles import NETWORK_ADMINS
from tests.browser.support import assert_no_sideways_scroll
from venues.services import venue_manager_assign

pytestmark = pytest.mark.browser

PASSWORD = "Invitation-Essaim-2026"  # noqa: S105
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}


def admin_log_in(page, username):
    page.goto("/admin/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def invite_in_admin(page, *, email, team, language):
    page.goto("/admin/invitations/")
    form = page.locator("form[data-invitation-form]")
    form.locator("input[name=email]").fill(email)
    form.locator("select[name=team]").select_option(label=team)
    form.locator("select[name=language]").select_option(language)
    form.locator("button[type=submit]").click()
    expect(page.locator(f'tr[data-invitation="{email}"][data-state="pending"]')).to_be_visible()
    [message] = [m for m in mail.outbox if m.to == [email]]
    return re.search(r"https?://\S+/invitation/[\w-]+/", message.body).group(0)


def newcomer_signs_up_and_accepts(page, link, *, base_url, texts, width=None, shot=None):
    """Open the link (its path on the live server), sign up with the fixed address, accept."""
    path = re.sub(r"^https?://[^/]+", "", link)
    page.goto(base_url + path)
    expect(page.locator("h1")).to_contain_text(texts["join"])
    if width:
        assert_no_sideways_scroll(page, width)
    if shot:
        shot(page, "invitation")
    page.get_by_role("link", name=texts["create"]).click()
    expect(page.locator("input[name=email]")).to_be_disabled()
    if width:
        assert_no_sideways_scroll(page, width)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_first_name").fill("Nina")
    page.locator("#id_last_name").fill("Nouvelle")
    page.get_by_role("button", name=texts["create"]).click()
    page.wait_for_url(re.compile(re.escape(path) + "$"))
    page.get_by_role("button", name=texts["accept"]).click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))


def test_a_network_admin_invites_and_the_new_person_joins_on_a_phone(
    page, make_context, network, django_user_model, settings, live_server, shot
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    mine, other = network["ruche"], network["grenoble"]
    admin = django_user_model.objects.create_user("reseau", email="reseau@example.org", password=PASSWORD)
    admin.groups.add(Group.objects.get(name=NETWORK_ADMINS))

    admin_log_in(page, "reseau")
    link = invite_in_admin(page, email="nina@example.org", team="La Ruche des Pentes", language="fr")
    assert "/en/" not in link
    shot(page, "admin-list")

    phone = make_context(**PHONE).new_page()
    newcomer_signs_up_and_accepts(
        phone,
        link,
        base_url=live_server.url,
        texts={"join": "Rejoindre l'équipe de La Ruche des Pentes", "create": "Créer mon compte", "accept": "Accepter"},
        width=390,
        shot=shot,
    )
    expect(phone.locator("form#page-edit-form input[name=title]")).to_have_value("La Ruche des Pentes")
    shot(phone, "editor")
    phone.goto(f"/admin/pages/{other.pk}/edit/")
    expect(phone).to_have_url(re.compile(r"/admin/$"))
    expect(phone.locator("form#page-edit-form")).to_have_count(0)

    # The admin's list shows the invitation accepted; its link is refused from now on.
    page.goto("/admin/invitations/")
    expect(page.locator('tr[data-invitation="nina@example.org"][data-state="accepted"]')).to_be_visible()
    answer = phone.goto(link.replace(re.match(r"^https?://[^/]+", link).group(0), live_server.url))
    assert answer.status == 410
    assert mine.pk != other.pk


def test_a_venue_manager_invites_in_english_and_the_new_person_joins(
    page, make_context, network, django_user_model, settings, live_server, shot
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    mine, other = network["ruche"], network["grenoble"]
    manager = django_user_model.objects.create_user("gerante", email="gerante@example.org", password=PASSWORD)
    venue_manager_assign(venue=mine, user=manager)

    admin_log_in(page, "gerante")
    # Only their venue is offered.
    page.goto("/admin/invitations/")
    options = page.locator("form[data-invitation-form] select[name=team] option").all_inner_texts()
    assert options == ["La Ruche des Pentes"]
    link = invite_in_admin(page, email="sam@example.org", team="La Ruche des Pentes", language="en")
    assert "/en/invitation/" in link

    newcomer = make_context().new_page()
    newcomer_signs_up_and_accepts(
        newcomer,
        link,
        base_url=live_server.url,
        texts={"join": "Join the team of La Ruche des Pentes", "create": "Create my account", "accept": "Accept"},
    )
    shot(newcomer, "editor")
    expect(newcomer.locator("form#page-edit-form input[name=title]")).to_have_value("La Ruche des Pentes")
    newcomer.goto(f"/admin/pages/{other.pk}/edit/")
    expect(newcomer).to_have_url(re.compile(r"/admin/$"))
    expect(newcomer.locator("form#page-edit-form")).to_have_count(0)
