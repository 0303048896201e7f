"""The demo's pending invitation to the manager's venue: made once, whatever the number of loads."""

import pytest
from django.core import mail

from accounts.models import Invitation, InvitationState
from accounts.services import invitations as services
from demo.invitations import INVITED_EMAIL, load_invitation_demo
from venues.services import venue_manager_assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def ruche(make_venue, make_user):
    venue = make_venue(title="La Ruche des Pentes", slug="la-ruche-des-pentes")
    venue_manager_assign(venue=venue, user=make_user("manager"))
    return venue


def test_the_demo_invitation_is_made_once_and_its_link_opens_it(ruche, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = load_invitation_demo()
    assert first.link and "/invitation/" in first.link
    invitation = Invitation.objects.get()
    assert invitation.email == INVITED_EMAIL and invitation.team.venue.pk == ruche.pk
    assert invitation.state == InvitationState.PENDING and invitation.invited_by.username == "manager"
    assert first.link in mail.outbox[0].body
    assert services.invitation_find(first.link.rstrip("/").rsplit("/", 1)[1]) == invitation

    second = load_invitation_demo()
    assert second.link is None and second.existing
    assert Invitation.objects.count() == 1


def test_a_revoked_demo_invitation_is_made_again(ruche):
    load_invitation_demo()
    invitation = Invitation.objects.get()
    services.invitation_revoke(invitation=invitation, actor=invitation.invited_by)
    assert load_invitation_demo().link
    assert Invitation.objects.filter(status=InvitationState.PENDING).count() == 1


def test_without_the_demo_network_nothing_is_made(db):
    assert load_invitation_demo().link is None
    assert not Invitation.objects.exists()
