"""A hub translates its own programme in the admin (French): *Traduire*, the translation
editor, "Soumettre la traduction pour validation"; a network admin approves it from the
dashboard and reads that it is live in both languages. No English word on those French screens."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect
from wagtail.models import Locale
from wagtail_localize.models import StringSegment, StringTranslation, Translation

from core.roles import NETWORK_ADMINS
from events.models import ProgrammePage
from events.services import programme_page_create
from tests.integration.events.test_moderation import sessions
from venues.services import venue_manager_assign, venue_translate

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}}
ENGLISH_WORDS = re.compile(r"\b(English|French|Publish|Moderators|approval|Translate|translation|Locales?|Submit)\b")


@pytest.fixture
def people(network, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hub = django_user_model.objects.create_user("hub", "hub@essaim.localhost", "hub-demo")
    venue_manager_assign(venue=network["dakar"], user=hub)
    admin = django_user_model.objects.create_user("netadmin", "admin@essaim.localhost", "admin-demo")
    admin.groups.add(Group.objects.get(name=NETWORK_ADMINS))
    return hub, admin


@pytest.fixture
def programme(network):
    dakar, ruche = network["dakar"], network["ruche"]
    venue_translate(venue=dakar, language="en", slug="dakar-hub-en")
    return programme_page_create(hub=dakar, sessions=sessions(dakar, ruche), title="Semaine de l'impact")


def admin_log_in(page, username, password):
    page.goto("/admin/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(r"/admin/$"))


def assert_french(page):
    text = page.locator("body").inner_text()
    found = ENGLISH_WORDS.findall(text)
    assert not found, f"English words on a French admin screen: {found}"


def test_hub_translates_its_programme_and_the_network_publishes_it(make_context, people, programme, shot):
    english = Locale.objects.get(language_code="en")
    page = make_context(**DESKTOP).new_page()
    admin_log_in(page, "hub", "hub-demo")

    # Traduire, in the "Actions" menu of the programme's editor. Wagtail's dropdown takes its
    # items out of the page until the menu opens: they are looked for once it is open.
    page.goto(f"/admin/pages/{programme.pk}/edit/")
    page.locator("#w-slim-header-buttons").get_by_role("button", name="Actions").click()
    page.get_by_role("link", name="Traduire cette page").click()
    page.wait_for_url(re.compile(rf"/admin/localize/submit/page/{programme.pk}/$"))
    assert_french(page)
    shot(page, "submit")
    page.locator(f"input[name=locales][value='{english.pk}']").check()
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))

    # The texts, as typed in the editor; then the hub submits the translation.
    translation = Translation.objects.get(target_locale=english, source__object_id=programme.translation_key)
    for segment in StringSegment.objects.filter(source=translation.source).select_related("string", "context"):
        text = "impact-week" if segment.context.path == "slug" else f"EN {segment.string.data}"
        StringTranslation.from_text(segment.string, english, segment.context, text)
    page.reload()
    expect(page.locator("h2.header-meta--locales")).to_contain_text("Traduction : français")
    expect(page.locator("h2.header-meta--locales")).to_contain_text("anglais")
    # wagtail-localize's strip above the texts ("français to anglais translation"), relabelled.
    expect(page.locator(".js-translation-editor section > div > h3").first).to_have_text(
        "Traduction : français → anglais"
    )
    submit = page.get_by_role("button", name="Soumettre la traduction pour validation")
    expect(submit).to_be_visible()
    assert_french(page)
    shot(page, "editor")
    submit.click()
    expect(page.locator(".messages")).to_contain_text("soumise à la validation du réseau")
    translated = ProgrammePage.objects.get(translation_key=programme.translation_key, locale=english)
    assert not translated.live

    # The network admin approves from the dashboard and reads the result.
    admin = make_context(**DESKTOP).new_page()
    admin_log_in(admin, "netadmin", "admin-demo")
    assert_french(admin)
    shot(admin, "dashboard")
    admin.locator("td.actions-container").get_by_role("button", name="Actions").first.click()
    admin.get_by_role("button", name="Approuver", exact=True).first.click()
    expect(admin.locator(".messages")).to_contain_text("est en ligne en français et en anglais")
    assert_french(admin)
    shot(admin, "approved")
    translated.refresh_from_db()
    assert translated.live and translated.slug == "impact-week"

    phone = make_context(**PHONE).new_page()
    admin_log_in(phone, "hub", "hub-demo")
    phone.goto(f"/admin/pages/{translated.pk}/edit/")
    assert_french(phone)
    shot(phone, "editor-phone")
