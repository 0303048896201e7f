"""After "Approve" or "Request changes", the network admin reads what became of the programme
(Wagtail's workflow action says nothing), in the admin's language."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import Locale, WorkflowState
from wagtail.users.models import UserProfile

from events.services import programme_page_create
from tests.integration.events.test_moderation import sessions
from venues.services import venue_manager_assign, venue_translate

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(make_venue, make_user, site_tree):
    """A hub's programme, live in French, whose English translation awaits validation."""
    hub = make_venue("social_business_center", title="Dakar Social Business Hub", timezone="Africa/Dakar")
    partner = make_venue("tiers_lieu", title="La Ruche")
    venue_translate(venue=hub, language="en", slug="dakar-hub-en")
    editor = make_user("hub-editor")
    venue_manager_assign(venue=hub, user=editor)
    programme = programme_page_create(hub=hub, sessions=sessions(hub, partner), title="Semaine de l'impact")
    english = programme.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    english.title = "Impact week"
    english.save_revision(user=editor)
    english.get_workflow().start(english, editor)
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(english.pk))
    return english, state.current_task_state


def action_url(page, action, task_state):
    return reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_approving_says_the_programme_is_live_in_both_languages(client, submitted, network_admin):
    english, task_state = submitted
    client.force_login(network_admin)
    response = client.post(action_url(english, "approve", task_state))
    assert response.status_code == 302
    assert texts(response) == [
        "Validation faite : « Impact week » est en ligne en français et en anglais.",
    ]


def test_requesting_changes_says_it_goes_back_to_the_author(client, submitted, network_admin):
    english, task_state = submitted
    client.force_login(network_admin)
    response = client.post(action_url(english, "reject", task_state), {"comment": "Le résumé manque."})
    assert response.status_code in (200, 302)
    assert texts(response) == [
        "Modifications demandées pour « Impact week » : la page retourne à son auteur ; "
        "la version en ligne ne change pas.",
    ]


def test_the_message_follows_the_admin_language(client, submitted, network_admin):
    english, task_state = submitted
    profile = UserProfile.get_for_user(network_admin)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(network_admin)
    response = client.post(action_url(english, "approve", task_state))
    assert texts(response) == ["“Impact week” is approved: the page is live in French and in English."]
