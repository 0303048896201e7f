"""Network admins choose a venue's managers in Settings › Venue teams; nobody else can."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from core.roles import NETWORK_ADMINS
from venues.models import VenueTeam
from venues.services import venue_manager_assign


@pytest.fixture
def network_admin(django_user_model, site_tree):
    user = django_user_model.objects.create_user("netadmin", "netadmin@example.org", "x-Secret-42")
    user.groups.add(Group.objects.get(name=NETWORK_ADMINS))
    return user


@pytest.mark.django_db
def test_network_admin_assigns_a_manager_who_can_then_edit_only_that_venue(
    client, network_admin, make_venue, django_user_model
):
    venue_a = make_venue(title="Lieu A")
    venue_b = make_venue(title="Lieu B")
    newcomer = django_user_model.objects.create_user("newcomer", "n@example.org", "x-Secret-42")
    team = VenueTeam.objects.get(translation_key=venue_a.translation_key)

    client.force_login(network_admin)
    listing = client.get("/admin/venue_teams/")
    assert listing.status_code == 200
    assert b"Lieu A" in listing.content and b"Lieu B" in listing.content
    response = client.post(f"/admin/venue_teams/edit/{team.pk}/", {"managers": [newcomer.pk]})
    assert response.status_code == 302
    assert list(team.group.user_set.all()) == [newcomer]

    client.force_login(newcomer)
    assert client.get(f"/admin/pages/{venue_a.pk}/edit/").status_code == 200
    assert client.get(f"/admin/pages/{venue_b.pk}/edit/").status_code in (302, 403)

    client.force_login(network_admin)
    client.post(f"/admin/venue_teams/edit/{team.pk}/", {"managers": []})
    assert not team.group.user_set.exists()
    client.force_login(newcomer)
    assert client.get(f"/admin/pages/{venue_a.pk}/edit/").status_code in (302, 403)


@pytest.mark.django_db
def test_a_venue_manager_cannot_change_teams(client, make_venue, django_user_model):
    venue = make_venue(title="Lieu C")
    manager = django_user_model.objects.create_user("mgr", "m@example.org", "x-Secret-42")
    venue_manager_assign(venue=venue, user=manager)
    team = VenueTeam.objects.get(translation_key=venue.translation_key)
    client.force_login(manager)
    assert client.get("/admin/venue_teams/").status_code in (302, 403)
    response = client.post(f"/admin/venue_teams/edit/{team.pk}/", {"managers": [manager.pk]})
    assert response.status_code in (302, 403)
    assert list(team.group.user_set.all()) == [manager]


@pytest.mark.django_db
def test_teams_are_not_added_or_deleted_by_hand(client, admin_user, make_venue):
    venue = make_venue(title="Lieu D")
    team = VenueTeam.objects.get(translation_key=venue.translation_key)
    client.force_login(admin_user)
    assert client.get(reverse("venue_teams:add")).status_code in (302, 403)
    assert client.post(reverse("venue_teams:delete", args=[team.pk])).status_code in (302, 403)
    assert VenueTeam.objects.filter(pk=team.pk).exists()
