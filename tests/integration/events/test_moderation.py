"""A hub's programme goes through moderation (the hub submits, a network admin approves and
publishes) and is translated with wagtail-localize; the schedule follows both."""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from wagtail.models import Locale, Page, WorkflowState
from wagtail.test.utils.form_data import querydict_from_html
from wagtail_localize.models import OverridableSegment, StringSegment, StringTranslation, Translation, TranslationSource

from cms.services import network_admins_ensure
from core.roles import NETWORK_ADMINS
from events import selectors
from events.models import Event, ProgrammePage, ProgrammeSession
from events.services import programme_page_create
from venues.services import venue_manager_assign

pytestmark = pytest.mark.django_db


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def form_data(client, url, form_id="page-edit-form"):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    data = querydict_from_html(response.content.decode(), form_id=form_id)
    return data


def sessions(hub, partner, *, days=(20, 21)):
    start = date.today() + timedelta(days=days[0])
    return [
        {
            "title": "Ouverture : financer l'impact",
            "venue": hub,
            "start_date": start,
            "start_time": time(9, 30),
            "end_time": time(12, 0),
            "capacity": 40,
        },
        {
            "title": "Atelier : mesurer l'impact",
            "venue": partner,
            "start_date": date.today() + timedelta(days=days[1]),
            "start_time": time(14, 0),
            "end_time": time(17, 0),
            "capacity": 20,
        },
    ]


@pytest.fixture
def hub_and_partner(make_venue):
    hub = make_venue("social_business_center", title="Dakar Social Business Hub", timezone="Africa/Dakar")
    partner = make_venue("tiers_lieu", title="La Ruche")
    return hub, partner


@pytest.fixture
def hub_editor(hub_and_partner, make_user):
    hub, _partner = hub_and_partner
    user = make_user("hub-editor")
    venue_manager_assign(venue=hub, user=user)
    return user


def test_network_admins_approve_the_default_workflow(site_tree):
    root = Page.get_first_root_node()
    workflow = root.get_workflow()
    assert workflow is not None and workflow.active
    groups = {g.name for task in workflow.tasks.specific() for g in task.groups.all()}
    assert NETWORK_ADMINS in groups
    # Idempotent: a second call adds nothing.
    tasks = list(workflow.tasks.values_list("pk", flat=True))
    network_admins_ensure(directory=site_tree.directory)
    assert list(root.get_workflow().tasks.values_list("pk", flat=True)) == tasks


def test_hub_editor_submits_network_admin_approves_schedule_published(
    client, hub_and_partner, hub_editor, network_admin
):
    hub, partner = hub_and_partner
    programme = programme_page_create(
        hub=hub,
        sessions=sessions(hub, partner),
        publish=False,
        live=False,
        title="Semaine de l'impact",
        user=hub_editor,
    )
    assert not Event.objects.filter(page=programme).exists()

    client.force_login(hub_editor)
    editor = client.get(edit_url(programme)).content.decode()
    assert 'name="action-submit"' in editor
    assert 'name="action-publish"' not in editor

    # A forged publish is only a draft: the hub may not publish.
    data = form_data(client, edit_url(programme))
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(programme), data)
    assert response.status_code in (200, 302)
    programme.refresh_from_db()
    assert not programme.live
    assert not Event.objects.filter(page=programme).exists()

    # Submit for moderation.
    data = form_data(client, edit_url(programme))
    data["summary"] = "Une semaine pour financer et mesurer l'impact."
    data["action-submit"] = "action-submit"
    response = client.post(edit_url(programme), data)
    assert response.status_code == 302, response.content[:2000]
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(programme.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    programme.refresh_from_db()
    assert not programme.live

    # The hub editor cannot approve their own submission.
    task_state = state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(programme.pk, "approve", task_state.pk))
    client.post(url, {"comment": ""})
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    # A network admin approves: the programme is published and its sessions are scheduled.
    client.force_login(network_admin)
    response = client.post(url, {"comment": "Parfait"})
    assert response.status_code in (200, 302)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    programme.refresh_from_db()
    assert programme.live
    assert programme.summary == "Une semaine pour financer et mesurer l'impact."
    events = list(selectors.programme_sessions(programme))
    assert [e.venue_id for e in events] == [hub.pk, partner.pk]
    assert [e.session_key for e in events] == [s.translation_key for s in programme.sessions.all()]
    assert all(e.live and e.seats is not None for e in events)


def test_hub_editor_creating_a_programme_has_no_publish_button(client, hub_and_partner, hub_editor):
    hub, partner = hub_and_partner
    client.force_login(hub_editor)
    url = reverse("wagtailadmin_pages:add", args=("events", "programmepage", hub.pk))
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="action-submit"' in html
    assert 'name="action-publish"' not in html
    # A forged publish is refused outright.
    data = querydict_from_html(html, form_id="page-edit-form")
    data.update({"title": "Programme pirate", "slug": "pirate", "action-publish": "action-publish"})
    response = client.post(url, data)
    assert response.status_code in (302, 403)
    assert not ProgrammePage.objects.filter(slug="pirate", live=True).exists()


def test_network_admin_publishes_directly(client, hub_and_partner, network_admin):
    hub, partner = hub_and_partner
    programme = programme_page_create(
        hub=hub, sessions=sessions(hub, partner), publish=False, live=False, title="Forum"
    )
    client.force_login(network_admin)
    data = form_data(client, edit_url(programme))
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(programme), data)
    assert response.status_code == 302, response.content[:2000]
    programme.refresh_from_db()
    assert programme.live
    assert Event.objects.filter(page=programme, live=True).count() == 2


# ---------------------------------------------------------------------------------------------
# Translation through wagtail-localize


def translate(source, locale, capture):
    """Create or update the translation as wagtail-localize's editor does (it publishes on commit)."""
    with capture(execute=True):
        source.create_or_update_translation(locale, copy_parent_pages=True, publish=True, fallback=True)


def translate_sessions(source, locale, titles):
    """Enter session titles in wagtail-localize's editor: ``titles`` maps a French title to its translation."""

    segments = StringSegment.objects.filter(source=source, context__path__startswith="sessions.")
    for segment in segments.select_related("string", "context"):
        if segment.string.data in titles:
            StringTranslation.from_text(segment.string, locale, segment.context, titles[segment.string.data])


ENGLISH_TITLES = {
    "Ouverture : financer l'impact": "Opening: funding impact",
    "Atelier : mesurer l'impact": "Workshop: measuring impact",
}


def test_programme_translated_with_wagtail_localize(hub_and_partner, django_capture_on_commit_callbacks):
    hub, partner = hub_and_partner
    programme = programme_page_create(hub=hub, sessions=sessions(hub, partner), title="Semaine de l'impact")
    keys = [s.translation_key for s in programme.sessions.all()]
    english = Locale.objects.get(language_code="en")

    source, _created = TranslationSource.get_or_create_from_instance(programme)
    translate(source, english, django_capture_on_commit_callbacks)
    translated = programme.get_translation(english).specific
    assert translated.live and translated.locale == english
    # The source keeps its sessions; the translation has its own rows, translations of them:
    # same translation keys, the English locale.
    assert [s.translation_key for s in ProgrammePage.objects.get(pk=programme.pk).sessions.all()] == keys
    assert [(s.translation_key, s.locale) for s in translated.sessions.all()] == [(key, english) for key in keys]
    assert set(translated.sessions.values_list("pk", flat=True)).isdisjoint(
        programme.sessions.values_list("pk", flat=True)
    )
    # Still one schedule: two sessions, hung on the French page.
    events = list(Event.objects.filter(programme__translation_key=programme.translation_key).order_by("start"))
    assert len(events) == 2 and all(e.page_id == programme.pk for e in events)
    assert [e.session_key for e in events] == keys

    # An English page edited in Wagtail's own editor (its synced translation stopped) gives its
    # session titles to the schedule too, once published.
    translated.title = "Impact week"
    for session in translated.sessions.all():
        session.title = ENGLISH_TITLES[session.title]
        session.save()
    translated.save_revision().publish()
    events = list(Event.objects.filter(programme__translation_key=programme.translation_key).order_by("start"))
    assert len(events) == 2
    assert [e.titles for e in events] == [{"fr": fr, "en": en} for fr, en in ENGLISH_TITLES.items()]

    # Syncing the translation again from the French source keeps the keys (and the schedule).
    source.update_from_db()
    translate(source, english, django_capture_on_commit_callbacks)
    translated = ProgrammePage.objects.get(pk=translated.pk)
    assert [s.translation_key for s in translated.sessions.all()] == keys
    assert Event.objects.filter(programme__translation_key=programme.translation_key).count() == 2


def test_session_titles_are_translation_segments(
    client, hub_and_partner, network_admin, django_capture_on_commit_callbacks
):
    """wagtail-localize offers the sessions' titles and descriptions for translation, not their
    venue, dates, capacity or price; the translated titles reach the schedule."""

    hub, partner = hub_and_partner
    rows = sessions(hub, partner)
    rows[0]["description"] = "Trois tables rondes."
    programme = programme_page_create(hub=hub, sessions=rows, title="Semaine de l'impact")
    first, second = programme.sessions.all()
    english = Locale.objects.get(language_code="en")

    source, _created = TranslationSource.get_or_create_from_instance(programme)
    strings = {
        s.context.path: s.string.data
        for s in StringSegment.objects.filter(source=source).select_related("context", "string")
    }
    assert strings[f"sessions.{first.translation_key}.title"] == "Ouverture : financer l'impact"
    assert strings[f"sessions.{first.translation_key}.description"] == "Trois tables rondes."
    assert strings[f"sessions.{second.translation_key}.title"] == "Atelier : mesurer l'impact"
    assert {path.split(".")[-1] for path in strings if path.startswith("sessions.")} == {"title", "description"}
    assert not OverridableSegment.objects.filter(source=source, context__path__startswith="sessions.").exists()

    translate_sessions(source, english, {**ENGLISH_TITLES, "Trois tables rondes.": "Three round tables."})
    translation = Translation.objects.create(source=source, target_locale=english)
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    translated = programme.get_translation(english).specific

    # Its editor (in place of Wagtail's for a synced translation) lists them.
    client.force_login(network_admin)
    editor = client.get(edit_url(translated)).content.decode()
    assert f"sessions.{second.translation_key}.title" in editor
    assert "Atelier : mesurer l&#x27;impact" in editor
    assert [(s.title, s.venue_id, s.capacity) for s in translated.sessions.all()] == [
        ("Opening: funding impact", hub.pk, 40),
        ("Workshop: measuring impact", partner.pk, 20),
    ]
    events = list(selectors.programme_sessions(programme))
    assert [e.titles["en"] for e in events] == list(ENGLISH_TITLES.values())
    assert [e.titles["fr"] for e in events] == list(ENGLISH_TITLES)
    assert events[0].summaries == {"fr": "Trois tables rondes.", "en": "Three round tables."}


def test_english_session_titles_survive_a_resync(hub_and_partner, django_capture_on_commit_callbacks):
    """The French programme changes (a session's seats, a new session) and the English page is
    updated from it: the English titles stay, the rest follows the source."""

    hub, partner = hub_and_partner
    programme = programme_page_create(hub=hub, sessions=sessions(hub, partner), title="Semaine de l'impact")
    english = Locale.objects.get(language_code="en")
    source, _created = TranslationSource.get_or_create_from_instance(programme)
    translate_sessions(source, english, ENGLISH_TITLES)
    translate(source, english, django_capture_on_commit_callbacks)

    # The French page is edited and published: more seats for the opening, a closing session.
    programme = ProgrammePage.objects.get(pk=programme.pk)
    programme_sessions = list(programme.sessions.all())
    programme_sessions[0].capacity = 60
    closing = {**sessions(hub, partner)[0], "title": "Clôture", "start_date": date.today() + timedelta(days=22)}
    programme.sessions = [*programme_sessions, ProgrammeSession(sort_order=2, **closing)]
    programme.save_revision().publish()
    programme = ProgrammePage.objects.get(pk=programme.pk)
    french = Locale.objects.get(language_code="fr")
    assert [s.locale for s in programme.sessions.all()] == [french] * 3

    source.update_from_db()
    translate(source, english, django_capture_on_commit_callbacks)
    translated = programme.get_translation(english).specific
    assert [(s.title, s.capacity, s.locale) for s in translated.sessions.all()] == [
        ("Opening: funding impact", 60, english),
        ("Workshop: measuring impact", 20, english),
        ("Clôture", 40, english),  # not translated yet: the French title
    ]
    assert [s.translation_key for s in translated.sessions.all()] == [
        s.translation_key for s in programme.sessions.all()
    ]
    events = list(selectors.programme_sessions(programme))
    assert [e.titles["en"] for e in events] == [*ENGLISH_TITLES.values(), "Clôture"]
    assert [e.capacity for e in events] == [60, 20, 40]


def test_session_added_in_the_editor_takes_the_page_locale(
    client, hub_and_partner, network_admin, django_capture_on_commit_callbacks
):
    """A session added in Wagtail's editor of the French page is French (Wagtail fills the locale
    from the page); the English translation gets its own copy when updated."""

    hub, partner = hub_and_partner
    programme = programme_page_create(hub=hub, sessions=sessions(hub, partner), title="Semaine de l'impact")
    english = Locale.objects.get(language_code="en")
    source, _created = TranslationSource.get_or_create_from_instance(programme)
    translate(source, english, django_capture_on_commit_callbacks)

    client.force_login(network_admin)
    data = form_data(client, edit_url(programme))
    assert data["sessions-TOTAL_FORMS"] == "2"
    first = {key.removeprefix("sessions-0-"): value for key, value in data.items() if key.startswith("sessions-0-")}
    new = {**first, "id": "", "title": "Clôture", "start_date": str(date.today() + timedelta(days=22)), "ORDER": "3"}
    data.update({f"sessions-2-{key}": value for key, value in new.items()})
    data["sessions-TOTAL_FORMS"] = "3"
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(programme), data)
    assert response.status_code == 302, response.content[:2000]

    added = ProgrammePage.objects.get(pk=programme.pk).sessions.get(title="Clôture")
    assert added.locale == Locale.objects.get(language_code="fr")
    assert Event.objects.get(page=programme, session_key=added.translation_key).titles == {"fr": "Clôture"}

    source.update_from_db()
    translate(source, english, django_capture_on_commit_callbacks)
    copy = programme.get_translation(english).specific.sessions.get(translation_key=added.translation_key)
    assert copy.locale == english and copy.title == "Clôture"
