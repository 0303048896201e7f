"""Invitation services: who may invite where, and a link that works once, for its address, in time."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from accounts.models import Invitation, InvitationRole, InvitationState
from accounts.models.invitations import token_hash
from accounts.services import invitations as services
from accounts.tasks import invitation_expire_all_task
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.roles import NETWORK_ADMINS
from tests.integration.accounts.conftest import team_of
from venues.permissions import user_manages_venue

pytestmark = pytest.mark.django_db


def link_token(message) -> str:
    return re.search(r"/invitation/([\w-]+)/", message.body).group(1)


def test_an_invitation_is_mailed_with_a_link_whose_token_only_its_hash_is_stored(
    manager, venues, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_invite(
            inviter=manager, email="Nouvelle@Example.ORG", team=team_of(venues[0]), language="en"
        )
    assert invitation.email == "Nouvelle@example.org"
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    assert invitation.state == InvitationState.PENDING
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    [message] = mail.outbox
    assert message.to == ["Nouvelle@example.org"]
    assert "La Ruche" in message.subject and "invited" in message.subject
    assert link_token(message) == token and "/en/invitation/" in message.body


def test_the_e_mail_is_in_the_chosen_language(manager, venues, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_invite(inviter=manager, email="a@example.org", team=team_of(venues[0]), language="fr")
    [message] = mail.outbox
    assert "Vous êtes invité à rejoindre La Ruche" in message.subject
    assert "/invitation/" in message.body and "/en/" not in message.body


def test_the_expiry_follows_the_setting(settings, manager, venues):
    settings.ESSAIM_INVITATION_DAYS = 2
    invitation, _token = services.invitation_invite(inviter=manager, email="a@example.org", team=team_of(venues[0]))
    assert invitation.expires_at - invitation.created_at == timedelta(days=2)


@pytest.mark.parametrize("email", ["", "not an address", "a@b", "a\n@example.org"])
def test_a_bad_address_is_refused(manager, venues, email):
    with pytest.raises(InvalidInput):
        services.invitation_invite(inviter=manager, email=email, team=team_of(venues[0]))
    assert not Invitation.objects.exists()


def test_a_manager_cannot_invite_to_another_venue_nor_to_the_network_admins(manager, venues):
    with pytest.raises(PermissionDenied):
        services.invitation_invite(inviter=manager, email="a@example.org", team=team_of(venues[1]))
    with pytest.raises(PermissionDenied):
        services.invitation_invite(inviter=manager, email="a@example.org", role=InvitationRole.NETWORK_ADMIN)
    assert not Invitation.objects.exists()


def test_someone_who_manages_nothing_cannot_invite(make_user, venues):
    with pytest.raises(PermissionDenied):
        services.invitation_invite(inviter=make_user(), email="a@example.org", team=team_of(venues[0]))


def test_a_network_admin_invites_to_any_team_and_to_the_network_admins(network_admin, venues):
    services.invitation_invite(inviter=network_admin, email="a@example.org", team=team_of(venues[1]))
    invitation, _ = services.invitation_invite(
        inviter=network_admin, email="b@example.org", role=InvitationRole.NETWORK_ADMIN, team=team_of(venues[0])
    )
    assert invitation.team is None and invitation.team_label() == "Administrateurs du réseau"


def test_a_second_pending_invitation_and_a_member_are_refused(manager, venues):
    team = team_of(venues[0])
    services.invitation_invite(inviter=manager, email="a@example.org", team=team)
    with pytest.raises(Conflict):
        services.invitation_invite(inviter=manager, email="A@example.org", team=team)
    with pytest.raises(InvalidInput):
        services.invitation_invite(inviter=manager, email=manager.email.upper(), team=team)


def test_accepting_joins_the_team_once_and_records_the_address_verified(manager, venues, make_user):
    invitation, token = services.invitation_invite(inviter=manager, email="new@example.org", team=team_of(venues[0]))
    newcomer = make_user("newcomer", email="new@example.org")
    EmailAddress.objects.filter(user=newcomer).update(verified=False)

    accepted = services.invitation_accept(token=token, user=newcomer)
    assert accepted.state == InvitationState.ACCEPTED and accepted.accepted_by == newcomer
    assert user_manages_venue(newcomer, venues[0].pk) and not user_manages_venue(newcomer, venues[1].pk)
    assert EmailAddress.objects.get(user=newcomer).verified

    with pytest.raises(services.InvitationClosed) as refused:
        services.invitation_accept(token=token, user=newcomer)
    assert refused.value.status == 410 and refused.value.code == "invitation_accepted"
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None


def test_the_link_works_only_for_its_address(manager, venues, make_user):
    _invitation, token = services.invitation_invite(inviter=manager, email="new@example.org", team=team_of(venues[0]))
    someone_else = make_user("other", email="other@example.org")
    with pytest.raises(PermissionDenied) as refused:
        services.invitation_accept(token=token, user=someone_else)
    assert refused.value.code == "invitation_other_address" and "new@example.org" in refused.value.message
    assert not user_manages_venue(someone_else, venues[0].pk)
    # The address matches whatever its case.
    invited = make_user("invited", email="NEW@example.org")
    services.invitation_accept(token=token, user=invited)
    assert user_manages_venue(invited, venues[0].pk)


def test_an_unknown_token_is_refused(make_user):
    with pytest.raises(NotFound):
        services.invitation_accept(token="nope", user=make_user())
    with pytest.raises(NotFound):
        services.invitation_accept(token="x" * 500, user=make_user())


def test_a_revoked_invitation_is_refused_and_cannot_be_revoked_twice(manager, venues, make_user):
    invitation, token = services.invitation_invite(inviter=manager, email="new@example.org", team=team_of(venues[0]))
    services.invitation_revoke(invitation=invitation, actor=manager)
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.REVOKED
    with pytest.raises(services.InvitationClosed) as refused:
        services.invitation_accept(token=token, user=make_user(email="new@example.org"))
    assert refused.value.code == "invitation_revoked"
    with pytest.raises(services.InvitationClosed):
        services.invitation_revoke(invitation=invitation, actor=manager)


def test_a_manager_cannot_revoke_another_venues_invitation(network_admin, manager, venues):
    invitation, _ = services.invitation_invite(inviter=network_admin, email="a@example.org", team=team_of(venues[1]))
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(invitation=invitation, actor=manager)
    assert list(services.invitations_visible_to(manager)) == []
    assert list(services.invitations_visible_to(network_admin)) == [invitation]


def test_an_expired_invitation_is_refused_before_and_after_the_task(manager, venues, make_user):
    now = timezone.now()
    invitation, token = services.invitation_invite(
        inviter=manager, email="new@example.org", team=team_of(venues[0]), now=now - timedelta(days=8)
    )
    fresh, _ = services.invitation_invite(inviter=manager, email="fresh@example.org", team=team_of(venues[0]))
    newcomer = make_user(email="new@example.org")
    assert invitation.state == InvitationState.EXPIRED  # before any task ran
    with pytest.raises(services.InvitationClosed) as refused:
        services.invitation_accept(token=token, user=newcomer)
    assert refused.value.code == "invitation_expired"

    assert invitation_expire_all_task.delay().get() == 1
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationState.EXPIRED
    assert Invitation.objects.get(pk=fresh.pk).status == InvitationState.PENDING
    assert services.invitation_expire_all() == 0


def test_resending_gives_a_new_link_and_a_new_expiry_and_the_old_link_stops(
    manager, venues, make_user, django_capture_on_commit_callbacks
):
    invitation, old = services.invitation_invite(
        inviter=manager, email="new@example.org", team=team_of(venues[0]), now=timezone.now() - timedelta(days=8)
    )
    services.invitation_expire_all()
    with django_capture_on_commit_callbacks(execute=True):
        resent, new = services.invitation_resend(invitation=invitation, actor=manager)
    assert new != old and resent.state == InvitationState.PENDING
    assert link_token(mail.outbox[-1]) == new
    newcomer = make_user(email="new@example.org")
    with pytest.raises(NotFound):
        services.invitation_accept(token=old, user=newcomer)
    services.invitation_accept(token=new, user=newcomer)
    with pytest.raises(services.InvitationClosed):
        services.invitation_resend(invitation=invitation, actor=manager)


def test_a_network_admin_invitation_adds_to_the_group(network_admin, make_user):
    _invitation, token = services.invitation_invite(
        inviter=network_admin, email="admin2@example.org", role=InvitationRole.NETWORK_ADMIN
    )
    newcomer = make_user(email="admin2@example.org")
    services.invitation_accept(token=token, user=newcomer)
    assert newcomer.groups.filter(name=NETWORK_ADMINS).exists()
    assert Group.objects.get(name=NETWORK_ADMINS).user_set.filter(pk=newcomer.pk).exists()
