"""Who translates what with wagtail-localize: a hub's editors translate their own programmes (the
translation then goes to the network's validation), a venue's manager their own venue page;
nobody gets *Translate* on a page they may not edit, nor through its URL."""

import pytest
from django.urls import reverse
from wagtail.models import Locale, WorkflowState
from wagtail_localize.models import StringSegment, StringTranslation, Translation

from events.models import ProgrammePage
from events.services import programme_page_create
from tests.integration.events.test_moderation import sessions
from venues.models import VenuePage
from venues.services import venue_manager_assign, venue_translate

pytestmark = pytest.mark.django_db


def submit_url(page):
    return reverse("wagtail_localize:submit_page_translation", args=(page.pk,))


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


@pytest.fixture
def english(site_tree):
    return Locale.objects.get(language_code="en")


@pytest.fixture
def centres(make_venue, english):
    """Two hubs with their English pages (as the demo has them) and a partner venue."""
    dakar = make_venue("social_business_center", title="Dakar Social Business Hub", timezone="Africa/Dakar")
    montreal = make_venue("social_business_center", title="Carrefour de Montréal", timezone="America/Toronto")
    partner = make_venue("tiers_lieu", title="La Ruche")
    for venue in (dakar, montreal):
        venue_translate(venue=venue, language="en", slug=f"{venue.slug}-en")
    return dakar, montreal, partner


@pytest.fixture
def hub_editor(centres, make_user):
    user = make_user("hub-editor")
    venue_manager_assign(venue=centres[0], user=user)
    return user


@pytest.fixture
def programmes(centres):
    """A live programme of each hub, as a network admin published them."""
    dakar, montreal, partner = centres
    own = programme_page_create(hub=dakar, sessions=sessions(dakar, partner), title="Semaine de l'impact")
    other = programme_page_create(hub=montreal, sessions=sessions(montreal, partner), title="Forum de Montréal")
    return own, other


def test_hub_is_offered_translate_on_its_own_programme_only(client, hub_editor, programmes, english):
    own, other = programmes
    client.force_login(hub_editor)
    editor = client.get(edit_url(own)).content.decode()
    assert submit_url(own) in editor
    listing = client.get(reverse("wagtailadmin_explore", args=(own.get_parent().pk,))).content.decode()
    assert submit_url(own) in listing
    # Another hub's programme: no action, and its URL is refused.
    assert client.get(edit_url(other)).status_code in (302, 403)
    listing = client.get(reverse("wagtailadmin_explore", args=(other.get_parent().pk,))).content.decode()
    assert submit_url(other) not in listing
    # (Wagtail's admin turns the refusal into a redirect to the dashboard, with a message.)
    assert client.get(submit_url(other)).status_code in (302, 403)
    assert client.post(submit_url(other), {"locales": [english.pk]}).status_code in (302, 403)
    assert not ProgrammePage.objects.filter(translation_key=other.translation_key, locale=english).exists()


def test_hub_cannot_translate_a_venue_it_does_not_edit(client, hub_editor, centres, english):
    _dakar, _montreal, partner = centres
    client.force_login(hub_editor)
    assert client.post(submit_url(partner), {"locales": [english.pk]}).status_code in (302, 403)
    assert not VenuePage.objects.filter(translation_key=partner.translation_key, locale=english).exists()


def test_venue_manager_translates_own_venue_page(client, centres, make_user, english):
    _dakar, _montreal, partner = centres
    manager = make_user("ruche-manager")
    venue_manager_assign(venue=partner, user=manager)
    client.force_login(manager)
    assert submit_url(partner) in client.get(edit_url(partner)).content.decode()
    response = client.post(submit_url(partner), {"locales": [english.pk]})
    assert response.status_code == 302, response.content[:1000]
    translated = VenuePage.objects.get(translation_key=partner.translation_key, locale=english)
    # A draft, in wagtail-localize's editor, which the manager may open.
    assert not translated.live
    assert Translation.objects.filter(target_locale=english, source__object_id=partner.translation_key).exists()
    assert client.get(edit_url(translated)).status_code == 200


def test_hub_translates_its_programme_and_the_network_validates_it(
    client, hub_editor, programmes, english, network_admin
):
    own, _other = programmes
    client.force_login(hub_editor)
    response = client.post(submit_url(own), {"locales": [english.pk]})
    assert response.status_code == 302, response.content[:1000]
    translated = ProgrammePage.objects.get(translation_key=own.translation_key, locale=english)
    assert not translated.live  # a draft, until the network validates it

    # The translation editor offers the hub a submission for validation, not a publication.
    editor = client.get(edit_url(translated)).content.decode()
    assert "js-translation-editor" in editor
    assert "data-essaim-submit-label" in editor
    assert "cms/js/translation-editor.js" in editor  # the script that relabels the button
    assert 'nonce="' in editor  # wagtail-localize's inline script, under the CSP
    translation = Translation.objects.get(target_locale=english, source__object_id=own.translation_key)
    for segment in StringSegment.objects.filter(source=translation.source).select_related("string", "context"):
        text = "impact-week" if segment.context.path == "slug" else f"EN {segment.string.data}"
        StringTranslation.from_text(segment.string, english, segment.context, text)

    response = client.post(edit_url(translated), {"action": "publish"})
    assert response.status_code == 302
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(translated.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    translated.refresh_from_db()
    assert not translated.live

    # A network admin approves: the English programme is live, with its English slug.
    client.force_login(network_admin)
    task_state = state.current_task_state
    client.post(reverse("wagtailadmin_pages:workflow_action", args=(translated.pk, "approve", task_state.pk)))
    translated.refresh_from_db()
    assert translated.live
    assert translated.slug == "impact-week"
    assert translated.title == "EN Semaine de l'impact"
