"""No path around moderation: a hub's team, which may publish its centre's page, cannot make a
programme live without a network admin's approval — not by copying it (kept live, or a centre
with its programmes), aliasing it (copy form or admin API), reverting it, scheduling it, bulk
actions or moving it. Each path is taken as the hub through the real admin views (the forms it
shows, and a forged POST), and nothing of the programme reaches the public: the schedule is
written on publish, so the agenda, the API and the feeds never see it. A network admin keeps
every right. See ``core.moderation``."""

from datetime import date, time, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.actions.copy_page import CopyPageAction
from wagtail.actions.create_alias import CreatePageAliasAction
from wagtail.log_actions import LogContext
from wagtail.models import GroupPagePermission, Page, Revision, WorkflowState
from wagtail.permissions import policy_registry
from wagtail.test.utils.form_data import querydict_from_html

from events.models import Event, ProgrammePage
from events.services import programme_page_create
from venues.services import venue_manager_assign

pytestmark = pytest.mark.django_db


# Set-up -----------------------------------------------------------------------------------------


@pytest.fixture
def centres(make_venue):
    """The hub's centre, a second centre and a partner venue where sessions also take place."""
    dakar = make_venue("social_business_center", title="Dakar Social Business Hub", timezone="Africa/Dakar")
    tunis = make_venue("social_business_center", title="Tunis Social Business Hub", timezone="Africa/Tunis")
    partner = make_venue("tiers_lieu", title="La Ruche")
    return dakar, tunis, partner


@pytest.fixture
def hub(centres, make_user):
    """Like the demo's ``hub``: the team of the Dakar centre (add, change, publish on its page)."""
    user = make_user("hub")
    venue_manager_assign(venue=centres[0], user=user)
    return user


def programme(centre, partner, title, *, live):
    start = date.today() + timedelta(days=20)
    sessions = [
        {"title": f"{title} : ouverture", "venue": centre, "start_date": start, "start_time": time(9, 30)},
        {"title": f"{title} : atelier", "venue": partner, "start_date": start, "start_time": time(14, 0)},
    ]
    for session in sessions:
        session.update(end_time=time(session["start_time"].hour + 2), capacity=20)
    return programme_page_create(hub=centre, sessions=sessions, publish=live, title=title)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(client, url, form_id=None):
    """The page's HTML and the data its form would post (the copy form has no id: the one with a title)."""
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    html = response.content.decode()
    if form_id:
        return html, querydict_from_html(html, form_id=form_id)
    for index in range(html.count("<form")):
        data = querydict_from_html(html, form_index=index)
        if "new_title" in data:
            return html, data
    raise AssertionError("no copy form")


def assert_not_public(page_id):
    """The page is a draft and nothing of it reaches the public: no schedule (written on publish),
    hence nothing in the events API, no programme in the API or its feed, no page."""
    page = Page.objects.get(pk=page_id)
    assert not page.live
    assert not Event.objects.filter(page_id=page_id).exists()
    public = Client()
    assert public.get(f"/api/v1/programmes/{page_id}/").status_code == 404
    listing = public.get("/api/v1/events/", {"programme": page_id})
    assert listing.status_code == 200 and page.title not in listing.content.decode()
    if not Page.objects.live().filter(slug=page.slug).exists():  # a copy under another centre keeps the slug
        assert public.get(f"/feeds/programmes/{page.slug}.ics").status_code == 404
    assert public.get(page.url).status_code == 404


def assert_no_live_copy(*, slug):
    """No live page with this slug anywhere; a copy made as a draft stays off the agenda."""
    for page in Page.objects.filter(slug=slug):
        assert_not_public(page.pk)


def copy_url(page):
    return reverse("wagtailadmin_pages:copy", args=(page.pk,))


def api_action(client, page, action, **data):
    return client.post(f"/admin/api/main/pages/{page.pk}/action/{action}/", data, content_type="application/json")


# Copy -------------------------------------------------------------------------------------------


def test_copy_offers_no_publishing_and_a_forged_publish_copies_is_refused(centres, hub):
    dakar, _tunis, partner = centres
    approved = programme(dakar, partner, "Semaine de l'impact", live=True)
    client = login(hub)

    html, data = form(client, copy_url(approved), None)
    assert 'name="publish_copies"' not in html and 'name="alias"' not in html

    data.update({"new_title": "Semaine pirate", "new_slug": "semaine-pirate", "publish_copies": "on"})
    response = client.post(copy_url(approved), data)
    assert response.status_code == 302
    assert_no_live_copy(slug="semaine-pirate")


def test_copy_without_publishing_is_a_draft_to_submit(centres, hub):
    dakar, _tunis, partner = centres
    approved = programme(dakar, partner, "Semaine de l'impact", live=True)
    client = login(hub)

    html, data = form(client, copy_url(approved), None)
    assert 'name="publish_copies"' not in html
    data.update({"new_title": "Semaine 2", "new_slug": "semaine-2"})
    assert client.post(copy_url(approved), data).status_code == 302
    copy = ProgrammePage.objects.get(slug="semaine-2")
    assert_not_public(copy.pk)
    # The copy goes through moderation like any programme of the hub.
    html, data = form(client, reverse("wagtailadmin_pages:edit", args=(copy.pk,)), "page-edit-form")
    assert 'name="action-submit"' in html and 'name="action-publish"' not in html


def test_copying_a_centre_with_its_programmes_does_not_publish_them(centres, hub):
    """A hub that may also add centres to the directory copies its centre, programmes included."""
    dakar, _tunis, partner = centres
    approved = programme(dakar, partner, "Semaine de l'impact", live=True)
    team = hub.groups.get()
    for codename in ("add_page", "change_page", "publish_page"):
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.create(group=team, page=dakar.get_parent(), permission=permission)
    client = login(hub)

    html, data = form(client, copy_url(dakar), None)
    assert 'name="publish_copies"' not in html and 'name="alias"' not in html
    data.update({"new_title": "Dakar bis", "new_slug": "dakar-bis", "copy_subpages": "on", "publish_copies": "on"})
    assert client.post(copy_url(dakar), data).status_code == 302
    for copy in ProgrammePage.objects.exclude(pk=approved.pk):
        assert_not_public(copy.pk)
    assert ProgrammePage.objects.live().count() == 1

    # Without publishing, the centre and its programme are copied as drafts.
    data.pop("publish_copies")
    assert client.post(copy_url(dakar), data).status_code == 302
    copy = ProgrammePage.objects.exclude(pk=approved.pk).get()
    assert copy.get_parent().slug == "dakar-bis"
    assert_not_public(copy.pk)


def test_copy_through_the_admin_api_is_refused(centres, hub):
    dakar, _tunis, partner = centres
    approved = programme(dakar, partner, "Semaine de l'impact", live=True)
    client = login(hub)

    # Wagtail's admin API keeps copies live unless told otherwise.
    response = api_action(client, approved, "copy", slug="semaine-api", title="Semaine API")
    assert response.status_code == 403
    assert_no_live_copy(slug="semaine-api")
    assert not Page.objects.filter(slug="semaine-api").exists()  # one transaction: nothing half-made

    response = api_action(client, approved, "copy", slug="semaine-brouillon", keep_live=False)
    assert response.status_code == 201
    assert_not_public(response.json()["id"])


# Alias ------------------------------------------------------------------------------------------


def test_alias_through_the_copy_form_is_refused(centres, hub):
    dakar, _tunis, partner = centres
    approved = programme(dakar, partner, "Semaine de l'impact", live=True)
    client = login(hub)

    _html, data = form(client, copy_url(approved), None)
    data.update({"new_title": "Semaine alias", "new_slug": "semaine-alias", "alias": "on"})
    response = client.post(copy_url(approved), data)
    assert response.status_code == 302
    assert not Page.objects.filter(slug="semaine-alias").exists()
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert any("approved by a moderator" in m for m in messages)


def test_alias_through_the_admin_api_is_refused(centres, hub):
    dakar, _tunis, partner = centres
    approved = programme(dakar, partner, "Semaine de l'impact", live=True)
    draft = programme(dakar, partner, "Forum", live=False)
    client = login(hub)

    for page, slug in ((approved, "alias-api"), (draft, "alias-brouillon")):
        response = api_action(client, page, "create_alias", update_slug=slug)
        assert response.status_code == 403
        assert not Page.objects.filter(slug=slug).exists()


# Revert to a revision ---------------------------------------------------------------------------


def test_revert_to_a_revision_does_not_publish_it(centres, hub):
    dakar, _tunis, partner = centres
    approved = programme(dakar, partner, "Semaine de l'impact", live=True)
    first = approved.live_revision
    approved.title = "Semaine de l'impact 2026"
    approved.save_revision().publish()  # a network admin's change, outside the admin
    approved.refresh_from_db()
    second = approved.live_revision
    client = login(hub)

    url = reverse("wagtailadmin_pages:revisions_revert", args=(approved.pk, first.pk))
    html, data = form(client, url, "page-edit-form")
    assert 'name="action-publish"' not in html
    data["action-publish"] = "action-publish"
    assert client.post(url, data).status_code in (200, 302)
    approved.refresh_from_db()
    assert approved.live_revision_id == second.pk and approved.title == "Semaine de l'impact 2026"
    assert Event.objects.filter(page=approved, live=True).count() == 2

    # The admin API's revert makes a draft; its publish is refused.
    assert api_action(client, approved, "revert_to_page_revision", revision_id=first.pk).status_code == 200
    assert api_action(client, approved, "publish").status_code == 403
    approved.refresh_from_db()
    assert approved.live_revision_id == second.pk


# Scheduled publishing ---------------------------------------------------------------------------


def test_a_go_live_date_set_by_the_hub_publishes_nothing_until_approved(centres, hub, network_admin):
    dakar, _tunis, partner = centres
    draft = programme(dakar, partner, "Forum", live=False)
    edit = reverse("wagtailadmin_pages:edit", args=(draft.pk,))
    client = login(hub)
    go_live = timezone.localtime() + timedelta(hours=1)

    # A forged publish with a go-live date schedules nothing.
    _html, data = form(client, edit, "page-edit-form")
    data.update({"go_live_at": go_live.strftime("%Y-%m-%d %H:%M"), "action-publish": "action-publish"})
    assert client.post(edit, data).status_code in (200, 302)
    assert not Revision.page_revisions.filter(object_id=str(draft.pk), approved_go_live_at__isnull=False).exists()

    # Submitted with that date, it waits for a moderator, whatever the clock says.
    _html, data = form(client, edit, "page-edit-form")
    data.update({"go_live_at": go_live.strftime("%Y-%m-%d %H:%M"), "action-submit": "action-submit"})
    assert client.post(edit, data).status_code == 302
    with time_machine.travel(go_live + timedelta(hours=1)):
        call_command("publish_scheduled")
    assert_not_public(draft.pk)

    # Approved, it is scheduled for its date; an alias the hub would make of it now (to go live
    # with it at the hub's chosen place) is refused.
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(draft.pk))
    approve = reverse("wagtailadmin_pages:workflow_action", args=(draft.pk, "approve", state.current_task_state.pk))
    assert login(network_admin).post(approve, {"comment": ""}).status_code in (200, 302)
    draft.refresh_from_db()
    assert not draft.live
    _html, data = form(client, copy_url(draft))
    data.update({"new_title": "Forum alias", "new_slug": "forum-alias", "alias": "on"})
    client.post(copy_url(draft), data)
    with time_machine.travel(go_live + timedelta(hours=1)):
        call_command("publish_scheduled")
    draft.refresh_from_db()
    assert draft.live and Event.objects.filter(page=draft, live=True).count() == 2
    assert not Page.objects.filter(slug="forum-alias").exists()
    assert Event.objects.filter(live=True).count() == 2  # the approved sessions, once


# Bulk actions and move --------------------------------------------------------------------------


def bulk_url(action, *pages):
    ids = "&".join(f"id={page.pk}" for page in pages)
    return f"{reverse('wagtail_bulk_action', args=('wagtailcore', 'page', action))}?{ids}&next=/admin/"


def test_bulk_publish_leaves_programmes_to_moderators(centres, hub):
    dakar, _tunis, partner = centres
    draft = programme(dakar, partner, "Forum", live=False)
    client = login(hub)

    client.post(bulk_url("publish", draft), {})
    # The centre (which the hub may publish) with its drafts below it.
    client.post(bulk_url("publish", dakar), {"include_descendants": "on"})
    assert_not_public(draft.pk)


@pytest.fixture
def hub_of_two_centres(centres, hub):
    """The hub runs both centres and may delete pages under its own: enough for Wagtail to move
    pages from one to the other, and publish them there."""
    dakar, tunis, _partner = centres
    dakar_team = hub.groups.get()
    venue_manager_assign(venue=tunis, user=hub)
    delete = Permission.objects.get(content_type__app_label="wagtailcore", codename="delete_page")
    GroupPagePermission.objects.create(group=dakar_team, page=dakar, permission=delete)
    return hub


def test_move_of_a_live_programme_is_refused(centres, hub_of_two_centres):
    dakar, tunis, partner = centres
    approved = programme(dakar, partner, "Semaine de l'impact", live=True)
    draft = programme(dakar, partner, "Forum", live=False)
    client = login(hub_of_two_centres)

    response = client.post(reverse("wagtailadmin_pages:move_confirm", args=(approved.pk, tunis.pk)))
    assert response.status_code in (302, 403)  # Wagtail sends a refusal back to the dashboard
    assert Page.objects.get(pk=approved.pk).get_parent().pk == dakar.pk
    # A draft moves: it stays a draft, to be submitted.
    response = client.post(reverse("wagtailadmin_pages:move_confirm", args=(draft.pk, tunis.pk)))
    assert response.status_code == 302
    assert Page.objects.get(pk=draft.pk).get_parent().pk == tunis.pk
    assert_not_public(draft.pk)


def test_bulk_move_of_a_live_programme_is_refused(centres, hub_of_two_centres):
    dakar, tunis, partner = centres
    approved = programme(dakar, partner, "Semaine de l'impact", live=True)
    client = login(hub_of_two_centres)

    client.post(bulk_url("move", approved), {"chooser": tunis.pk})
    assert Page.objects.get(pk=approved.pk).get_parent().pk == dakar.pk
    assert api_action(client, approved, "move", destination_page_id=tunis.pk).status_code == 403
    assert Page.objects.get(pk=approved.pk).get_parent().pk == dakar.pk


# In depth, and the network admin ----------------------------------------------------------------


def test_actions_in_a_hubs_request_cannot_make_a_programme_live(centres, hub):
    """Whatever view or add-on calls Wagtail's actions in the hub's admin request (Wagtail's log
    context names the user), the programme does not go live, nor get a go-live date approved."""
    dakar, _tunis, partner = centres
    approved = programme(dakar, partner, "Semaine de l'impact", live=True)
    draft = programme(dakar, partner, "Forum", live=False)
    with LogContext(user=hub):
        with pytest.raises(PermissionDenied):
            CopyPageAction(approved, to=dakar, update_attrs={"slug": "deep"}, keep_live=True, user=hub).execute(
                skip_permission_checks=True
            )
        with pytest.raises(PermissionDenied):
            CreatePageAliasAction(approved, parent=dakar, update_slug="deep-alias", user=hub).execute(
                skip_permission_checks=True
            )
        with pytest.raises(PermissionDenied):
            draft.get_latest_revision().publish(user=hub, skip_permission_checks=True)
        page = draft.get_latest_revision_as_object()
        page.go_live_at = timezone.now() + timedelta(days=1)
        with pytest.raises(PermissionDenied):
            page.save_revision(user=hub).publish(user=hub, skip_permission_checks=True)
    assert not Page.objects.filter(slug__in=("deep", "deep-alias")).exists()
    assert not Revision.page_revisions.filter(object_id=str(draft.pk), approved_go_live_at__isnull=False).exists()
    assert_not_public(draft.pk)


def test_the_policy_names_moderators_as_publishers(centres, hub, network_admin):
    """Wagtail asks the policy who may publish a page (to offer moderation tasks, to list
    publishers): for a programme, the network admins, not the hub that may publish its centre."""
    dakar, _tunis, partner = centres
    approved = programme(dakar, partner, "Semaine de l'impact", live=True)
    publishers = policy_registry.get(approved).users_with_permission_for_instance("publish", approved)
    assert network_admin in publishers and hub not in publishers
    editors = policy_registry.get(approved).users_with_any_permission_for_instance({"change", "publish"}, approved)
    assert network_admin in editors and hub in editors
    assert hub in policy_registry.get(dakar).users_with_permission_for_instance("publish", dakar)


def test_network_admin_keeps_every_right(centres, network_admin):
    dakar, tunis, partner = centres
    approved = programme(dakar, partner, "Semaine de l'impact", live=True)
    client = login(network_admin)

    html, data = form(client, copy_url(approved), None)
    assert 'name="publish_copies"' in html and 'name="alias"' in html
    data.update({"new_title": "Semaine 2", "new_slug": "semaine-2", "publish_copies": "on"})
    assert client.post(copy_url(approved), data).status_code == 302
    copy = ProgrammePage.objects.get(slug="semaine-2")
    assert copy.live and Event.objects.filter(page=copy, live=True).count() == 2

    data.update({"new_title": "Semaine alias", "new_slug": "semaine-alias", "alias": "on"})
    data.pop("publish_copies")
    assert client.post(copy_url(approved), data).status_code == 302
    assert ProgrammePage.objects.get(slug="semaine-alias").live

    response = client.post(reverse("wagtailadmin_pages:move_confirm", args=(copy.pk, tunis.pk)))
    assert response.status_code == 302
    assert Page.objects.get(pk=copy.pk).get_parent().pk == tunis.pk
