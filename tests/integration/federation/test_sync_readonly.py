"""Mirrored venues and their container are read-only for everyone in Wagtail's admin."""

import pytest
from django.contrib.auth import get_user_model

from federation.services.sync import sync_peer
from tests.integration.federation import sync_support
from tests.integration.federation.sync_support import new_uid, venue_data
from venues.models import MirrorIndexPage, VenuePage

pytestmark = pytest.mark.django_db
fake_peer, peer = sync_support.fake_peer, sync_support.peer  # fixtures


@pytest.fixture
def mirror(fake_peer, peer):
    key = new_uid()
    fake_peer.add("venue", key, venue_data())
    assert sync_peer(peer).ok
    return VenuePage.objects.get(translation_key=key).specific


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "root-pass-1f2e")


def test_nobody_may_change_a_mirror(mirror, superuser):
    for page in (mirror, MirrorIndexPage.objects.get()):
        tester = page.permissions_for_user(superuser)
        assert not any(
            [
                tester.can_edit(),
                tester.can_delete(),
                tester.can_publish(),
                tester.can_unpublish(),
                tester.can_add_subpage(),
                tester.can_move(),
                tester.can_copy(),
                tester.can_lock(),
            ]
        )


def test_our_own_venues_stay_editable(make_venue, superuser):
    assert make_venue().permissions_for_user(superuser).can_edit()


@pytest.mark.parametrize("view", ["edit", "delete", "unpublish", "copy", "move"])
def test_the_admin_refuses_a_mirror(client, mirror, superuser, view):
    client.force_login(superuser)
    response = client.get(f"/admin/pages/{mirror.pk}/{view}/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert f"/pages/{mirror.pk}/{view}" not in response["Location"]
    assert VenuePage.objects.filter(pk=mirror.pk, live=True).exists()


def test_the_admin_refuses_a_child_of_the_container(client, mirror, superuser):
    client.force_login(superuser)
    index = MirrorIndexPage.objects.get()
    response = client.get(f"/admin/pages/add/venues/tierslieupage/{index.pk}/")
    assert response.status_code in (302, 403)


def test_the_admin_opens_our_own_venue(client, make_venue, superuser):
    """The refusals above are the mirror's, not the admin's log-in."""
    client.force_login(superuser)
    assert client.get(f"/admin/pages/{make_venue().pk}/edit/").status_code == 200
