"""The invitation link's pages and the admin's Invitations page: what each person sees and may do."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from accounts.models import Invitation, InvitationState
from accounts.services import invitations as services
from tests.integration.accounts.conftest import team_of
from venues.permissions import user_manages_venue

pytestmark = pytest.mark.django_db
PASSWORD = "Sans-Souci-Rue-42"  # noqa: S105


@pytest.fixture
def invited(manager, venues):
    """A pending invitation to La Ruche and its token."""
    return services.invitation_invite(inviter=manager, email="nouvelle@example.org", team=team_of(venues[0]))


def signup_data(**extra):
    return {
        "email": "nouvelle@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "first_name": "Nina",
        "last_name": "Nouvelle",
        "language": "fr",
        **extra,
    }


def test_a_new_person_signs_up_from_the_link_accepts_and_edits_their_venue_only(client, invited, venues):
    _invitation, token = invited
    page = client.get(f"/invitation/{token}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "La Ruche" in text and "nouvelle@example.org" in text and "gestionnaire" in text
    assert f"/invitation/{token}/inscription/" in text and "/connexion/?next=" in text

    form = client.get(f"/invitation/{token}/inscription/")
    assert form.status_code == 200
    assert re.search(r'<input[^>]*name="email"[^>]*value="nouvelle@example.org"[^>]*disabled', form.content.decode())

    # The address is fixed: another one typed into the request is ignored.
    answer = client.post(f"/invitation/{token}/inscription/", signup_data(email="intrus@example.org"))
    assert answer.status_code == 302 and answer["Location"] == f"/invitation/{token}/"
    user = get_user_model().objects.get(email__iexact="nouvelle@example.org")
    assert not get_user_model().objects.filter(email="intrus@example.org").exists()
    assert EmailAddress.objects.get(user=user).verified  # the link proved the address

    confirm = client.get(f"/invitation/{token}/")
    assert "Accepter et rejoindre" in confirm.content.decode()
    accepted = client.post(f"/invitation/{token}/")
    assert accepted.status_code == 302 and accepted["Location"] == f"/admin/pages/{venues[0].pk}/edit/"
    assert client.get(accepted["Location"]).status_code == 200
    assert client.get(f"/admin/pages/{venues[1].pk}/edit/").status_code in (302, 403)
    assert user_manages_venue(user, venues[0].pk) and not user_manages_venue(user, venues[1].pk)

    again = client.get(f"/invitation/{token}/")
    assert again.status_code == 410 and "déjà été utilisée" in again.content.decode()


def test_the_pages_speak_english_under_en(client, invited):
    _invitation, token = invited
    page = client.get(f"/en/invitation/{token}/")
    assert page.status_code == 200 and "Join the team of La Ruche" in page.content.decode()
    assert f"/en/invitation/{token}/sign-up/" in page.content.decode()
    assert client.get(f"/en/invitation/{token}/sign-up/").status_code == 200


def test_an_existing_member_logs_in_and_comes_back(client, invited, make_user, venues):
    _invitation, token = invited
    member = make_user("nina", email="Nouvelle@example.org", password=PASSWORD)
    answer = client.post(f"/connexion/?next=/invitation/{token}/", {"login": "nina", "password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == f"/invitation/{token}/"
    assert client.post(f"/invitation/{token}/").status_code == 302
    assert user_manages_venue(member, venues[0].pk)


def test_logged_in_with_another_address_is_refused_clearly(client, invited, make_user, venues):
    _invitation, token = invited
    other = make_user("other", email="other@example.org")
    client.force_login(other)
    page = client.get(f"/invitation/{token}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "nouvelle@example.org" in text and "other@example.org" in text and "Déconnectez-vous" in text
    assert "Accepter et rejoindre" not in text
    refused = client.post(f"/invitation/{token}/")
    assert refused.status_code == 403 and "nouvelle@example.org" in refused.content.decode()
    assert not user_manages_venue(other, venues[0].pk)
    # Nor can they sign up through the link while logged in.
    assert client.get(f"/invitation/{token}/inscription/")["Location"] == f"/invitation/{token}/"


def test_an_anonymous_post_is_sent_to_log_in(client, invited):
    _invitation, token = invited
    answer = client.post(f"/invitation/{token}/")
    assert answer.status_code == 302 and answer["Location"].startswith("/connexion/?next=")
    assert Invitation.objects.get().state == InvitationState.PENDING


@pytest.mark.parametrize("path", ["/invitation/nope/", "/invitation/nope/inscription/", "/en/invitation/nope/"])
def test_an_unknown_link_is_a_404_page(client, path):
    page = client.get(path)
    assert page.status_code == 404 and "invitation" in page.content.decode().lower()


def test_revoked_and_expired_links_are_410_pages(client, invited, manager, venues):
    invitation, token = invited
    services.invitation_revoke(invitation=invitation, actor=manager)
    for path in (f"/invitation/{token}/", f"/invitation/{token}/inscription/"):
        page = client.get(path)
        assert page.status_code == 410 and "retirée" in page.content.decode()
    _old, old_token = services.invitation_invite(
        inviter=manager, email="tard@example.org", team=team_of(venues[0]), now=timezone.now() - timedelta(days=30)
    )
    page = client.get(f"/en/invitation/{old_token}/")
    assert page.status_code == 410 and "expired" in page.content.decode()
    assert (
        client.post(f"/invitation/{old_token}/inscription/", signup_data(email="tard@example.org")).status_code == 410
    )
    assert not get_user_model().objects.filter(email="tard@example.org").exists()


# The admin's Invitations page


def test_a_manager_invites_to_their_venue_only(client, manager, venues, django_capture_on_commit_callbacks):
    client.force_login(manager)
    page = client.get("/admin/invitations/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "La Ruche" in text and "Le Totem" not in text and "network_admins" not in text

    other_team = team_of(venues[1])
    refused = client.post(
        "/admin/invitations/", {"email": "x@example.org", "team": str(other_team.pk), "language": "en"}
    )
    assert refused.status_code == 400 and not Invitation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/admin/invitations/", {"email": "x@example.org", "team": str(team_of(venues[0]).pk), "language": "en"}
        )
    assert sent.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.team == team_of(venues[0]) and invitation.invited_by == manager and invitation.language == "en"
    assert mail.outbox[-1].to == ["x@example.org"] and "/en/invitation/" in mail.outbox[-1].body
    listing = client.get("/admin/invitations/").content.decode()
    assert 'data-invitation="x@example.org" data-state="pending"' in listing


def test_a_manager_sees_and_revokes_only_their_venues_invitations(client, manager, network_admin, venues):
    theirs, _ = services.invitation_invite(inviter=network_admin, email="a@example.org", team=team_of(venues[1]))
    mine, _ = services.invitation_invite(inviter=manager, email="b@example.org", team=team_of(venues[0]))
    client.force_login(manager)
    listing = client.get("/admin/invitations/").content.decode()
    assert "b@example.org" in listing and "a@example.org" not in listing
    assert client.post(f"/admin/invitations/{theirs.pk}/revoke/").status_code == 404
    assert Invitation.objects.get(pk=theirs.pk).state == InvitationState.PENDING
    assert client.post(f"/admin/invitations/{mine.pk}/revoke/").status_code == 302
    assert Invitation.objects.get(pk=mine.pk).state == InvitationState.REVOKED
    listing = client.get("/admin/invitations/").content.decode()
    assert 'data-invitation="b@example.org" data-state="revoked"' in listing
    assert client.get(f"/admin/invitations/{mine.pk}/revoke/").status_code == 405


def test_a_network_admin_sees_every_invitation_and_may_invite_network_admins(client, network_admin, manager, venues):
    services.invitation_invite(inviter=manager, email="b@example.org", team=team_of(venues[0]))
    client.force_login(network_admin)
    page = client.get("/admin/invitations/").content.decode()
    assert "b@example.org" in page and "Le Totem" in page and "network_admins" in page
    sent = client.post("/admin/invitations/", {"email": "boss@example.org", "team": "network_admins", "language": "fr"})
    assert sent.status_code == 302
    assert Invitation.objects.get(email="boss@example.org").team is None


def test_people_who_manage_nothing_have_no_invitations_page(client, make_user, invited):
    invitation, _ = invited
    client.force_login(make_user("nobody"))
    assert client.get("/admin/invitations/").status_code in (302, 403)
    assert client.post(f"/admin/invitations/{invitation.pk}/revoke/").status_code in (302, 403)
    assert Invitation.objects.get().state == InvitationState.PENDING


def test_a_venue_page_in_the_admin_links_to_inviting_to_its_team(client, manager, network_admin, venues):
    team = team_of(venues[0])
    client.force_login(manager)
    editor = client.get(f"/admin/pages/{venues[0].pk}/edit/").content.decode()
    assert f"/admin/invitations/?team={team.pk}" in editor
    form = client.get(f"/admin/invitations/?team={team.pk}").content.decode()
    assert re.search(rf'<option value="{team.pk}" selected>', form)
    client.force_login(network_admin)
    other = team_of(venues[1])
    assert f"/admin/invitations/?team={other.pk}" in client.get(f"/admin/pages/{venues[1].pk}/edit/").content.decode()
