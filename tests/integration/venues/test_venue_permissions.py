"""Who may edit which venue in the Wagtail admin, who may award labels, and venue teams."""

import html

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import Page
from wagtail.test.utils.form_data import querydict_from_html

from tests.integration.support import build_site_tree, create_venue, rolled_back
from tests.support.factories import UserFactory
from venues.models import Label, TiersLieuPage, VenuePage, VenueTeam
from venues.services import venue_manager_assign, venue_translate

pytestmark = pytest.mark.django_db

ADMIN_HOME = reverse("wagtailadmin_home")


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def edit_form_data(client, page):
    """The edit form as the browser would submit it (StreamField counts are added by JS)."""
    response = client.get(edit_url(page))
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data["body-count"] = "0"
    return data


def denied_message(response):
    """Wagtail's "Sorry, you do not have permission…" flash message (escaped HTML, in French here)."""
    with translation.override("fr"):
        expected = gettext("Sorry, you do not have permission to access this area.")
    messages = [html.unescape(str(m)).strip() for m in get_messages(response.wsgi_request)]
    return messages == [expected]


@pytest.fixture(scope="module")
def _module_venues(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        tree = build_site_tree()
        a = create_venue(tree, title="Venue A", slug="venue-a", labels=["ecosysteme_champion"])
        b = create_venue(tree, title="Venue B", slug="venue-b")
        yield a.pk, b.pk


@pytest.fixture
def two_venues(db, _module_venues):
    """Venues A and B, made once per module; each test's changes are rolled back."""
    return tuple(VenuePage.objects.get(pk=pk).specific for pk in _module_venues)


@pytest.fixture
def manager_of_a(two_venues, make_user, client):
    a, _b = two_venues
    user = make_user("manager-a")
    team = venue_manager_assign(venue=a, user=user)
    client.force_login(user)
    return user, team


# ---------------------------------------------------------------------------------------------
# A venue manager


def test_manager_can_open_their_venue(client, two_venues, manager_of_a):
    a, _b = two_venues
    response = client.get(edit_url(a))
    assert response.status_code == 200
    assert b'id="page-edit-form"' in response.content
    assert b"Venue A" in response.content


def test_manager_is_redirected_away_from_another_venue(client, two_venues, manager_of_a):
    _a, b = two_venues
    response = client.get(edit_url(b))
    # Wagtail turns the edit view's PermissionDenied into a redirect to the dashboard + a message.
    assert response.status_code == 302
    assert response["Location"] == ADMIN_HOME
    assert denied_message(response)


def test_manager_gets_403_for_another_venue_over_xhr(client, two_venues, manager_of_a):
    _a, b = two_venues
    response = client.get(edit_url(b), headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 403


def test_manager_cannot_change_another_venue_by_post(client, two_venues, manager_of_a):
    a, b = two_venues
    # A well-formed edit form, built from their own venue, aimed at B.
    data = edit_form_data(client, a)
    data["title"] = "Hijacked"
    data["slug"] = "venue-b"
    data["action-publish"] = "action-publish"
    revisions_before = b.revisions.count()

    response = client.post(edit_url(b), data)

    assert response.status_code == 302
    assert response["Location"] == ADMIN_HOME
    b_after = VenuePage.objects.get(pk=b.pk)
    assert b_after.title == "Venue B"
    assert b.revisions.count() == revisions_before
    assert b_after.get_latest_revision().content["title"] == "Venue B"


def test_manager_can_edit_and_publish_their_venue(client, two_venues, manager_of_a):
    a, _b = two_venues
    data = edit_form_data(client, a)
    data["title"] = "Venue A, renamed"
    data["summary"] = "New summary"
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(a), data)
    assert response.status_code == 302, response.content[:2000]
    a_after = VenuePage.objects.get(pk=a.pk)
    assert a_after.title == "Venue A, renamed"
    assert a_after.summary == "New summary"
    assert a_after.live and not a_after.has_unpublished_changes


def test_manager_cannot_see_the_labels_field(client, two_venues, manager_of_a):
    a, _b = two_venues
    response = client.get(edit_url(a))
    assert response.status_code == 200
    assert b'name="labels"' not in response.content
    assert b'name="amenities"' in response.content  # the practical tab is there, only labels are not


def test_manager_cannot_award_labels_by_posting_the_field(client, two_venues, manager_of_a):
    a, _b = two_venues
    data = edit_form_data(client, a)
    data.setlist("labels", [str(Label.objects.get(code="territoire_prioritaire").pk)])
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(a), data)
    assert response.status_code == 302
    codes = sorted(VenuePage.objects.get(pk=a.pk).labels.values_list("code", flat=True))
    assert codes == ["ecosysteme_champion"]  # unchanged: kept, and nothing added


def test_manager_cannot_add_venues(client, two_venues, manager_of_a, site_tree):
    url = reverse("wagtailadmin_pages:add", args=("venues", "tierslieupage", site_tree.directory.pk))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == ADMIN_HOME


def test_manager_has_no_rights_on_other_pages(two_venues, manager_of_a, site_tree):
    a, b = two_venues
    user, _team = manager_of_a
    assert a.permissions_for_user(user).can_edit()
    assert a.permissions_for_user(user).can_publish()
    assert not b.permissions_for_user(user).can_edit()
    assert not b.permissions_for_user(user).can_delete()
    assert not site_tree.directory.permissions_for_user(user).can_edit()
    assert not site_tree.home.permissions_for_user(user).can_edit()


def test_manager_cannot_delete_their_venue(client, two_venues, manager_of_a):
    a, _b = two_venues
    response = client.post(reverse("wagtailadmin_pages:delete", args=(a.pk,)))
    assert Page.objects.filter(pk=a.pk).exists()
    assert response.status_code == 302 and response["Location"] == ADMIN_HOME


def test_manager_of_a_venue_can_edit_its_translation(two_venues, manager_of_a):
    a, b = two_venues
    user, _team = manager_of_a
    translation_a = venue_translate(venue=a, language="en", slug="venue-a-en", title="Venue A (EN)")
    translation_b = venue_translate(venue=b, language="en", slug="venue-b-en", title="Venue B (EN)")
    assert Page.objects.get(pk=translation_a.pk).permissions_for_user(user).can_edit()
    assert not Page.objects.get(pk=translation_b.pk).permissions_for_user(user).can_edit()


def test_assigning_a_manager_is_idempotent_and_activates_the_user(two_venues, make_user):
    a, _b = two_venues
    user = make_user("sleeping", is_active=False)
    team = venue_manager_assign(venue=a, user=user)
    again = venue_manager_assign(venue=a, user=user)
    assert team.pk == again.pk
    user.refresh_from_db()
    assert user.is_active
    assert list(user.groups.all()) == [team.group]
    assert VenueTeam.objects.filter(translation_key=a.translation_key).count() == 1


# ---------------------------------------------------------------------------------------------
# A network admin


def test_network_admin_can_edit_any_venue_and_sees_labels(client, two_venues, network_admin):
    client.force_login(network_admin)
    for venue in two_venues:
        response = client.get(edit_url(venue))
        assert response.status_code == 200
        assert b'name="labels"' in response.content


def test_network_admin_awards_labels(client, two_venues, network_admin):
    _a, b = two_venues
    client.force_login(network_admin)
    data = edit_form_data(client, b)
    data.setlist("labels", [str(label.pk) for label in Label.objects.filter(code__in=["territoire_prioritaire"])])
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(b), data)
    assert response.status_code == 302, response.content[:2000]
    assert list(VenuePage.objects.get(pk=b.pk).labels.values_list("code", flat=True)) == ["territoire_prioritaire"]


def test_network_admin_creates_a_venue_in_the_admin_and_it_gets_a_team(client, site_tree, network_admin):
    client.force_login(network_admin)
    url = reverse("wagtailadmin_pages:add", args=("venues", "tierslieupage", site_tree.directory.pk))
    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data.update(
        {
            "body-count": "0",
            "title": "Le Nouveau Lieu",
            "slug": "le-nouveau-lieu",
            "city": "Nantes",
            "country": "FR",
            "timezone": "Europe/Paris",
            "latitude": "47.2184",
            "longitude": "-1.5536",
            "category": "fab_lab",
        }
    )
    # Saved as a draft: only the admin's after_create_page hook can have made the team.
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    venue = TiersLieuPage.objects.get(slug="le-nouveau-lieu")
    assert not venue.live
    team = VenueTeam.objects.get(translation_key=venue.translation_key)
    assert team.group.page_permissions.filter(page=venue, permission__codename="change_page").exists()
    assert team.group.page_permissions.filter(page=venue, permission__codename="publish_page").exists()
    assert not team.group.page_permissions.exclude(page=venue).exists()
    assert team.group.permissions.filter(codename="access_admin").exists()

    # A manager assigned to it can edit it, and only it.
    manager = UserFactory(username="nantes", password="nantes-pass-123")
    venue_manager_assign(venue=venue, user=manager)
    client.force_login(manager)
    assert client.get(edit_url(venue)).status_code == 200


def test_venue_published_from_the_admin_gets_a_team(client, site_tree, network_admin):
    client.force_login(network_admin)
    url = reverse("wagtailadmin_pages:add", args=("venues", "totempage", site_tree.directory.pk))
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    data.update(
        {
            "body-count": "0",
            "title": "Totem Nantes",
            "slug": "totem-nantes",
            "city": "Nantes",
            "country": "FR",
            "timezone": "Europe/Paris",
            "latitude": "47.2",
            "longitude": "-1.55",
            "coordinates_set_by_hand": "on",
            "french_tech_community": "French Tech Nantes",
            "action-publish": "action-publish",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    venue = VenuePage.objects.get(slug="totem-nantes")
    assert venue.live
    assert venue.geocode_status == "manual"
    assert VenueTeam.objects.filter(translation_key=venue.translation_key).count() == 1


def test_labels_are_reserved_to_the_award_label_permission(two_venues, network_admin, make_user):
    assert network_admin.has_perm("venues.award_label")
    user, _team = make_user("plain"), None
    venue_manager_assign(venue=two_venues[0], user=user)
    assert not user.has_perm("venues.award_label")
