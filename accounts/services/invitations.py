"""Team invitations: invite by e-mail, resend, revoke, accept, expire.

Who may invite: a network admin to any venue's team and to the network admins; a venue manager
to the teams of the venues they manage, and nowhere else. The link's token is shown once (in the
e-mail) and stored only as its hash. Accepting checks everything again under a row lock, so a link
works once, and only for the account whose address it was sent to.
"""

import logging
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Invitation, InvitationRole, InvitationState
from accounts.models.invitations import token_hash
from core import text
from core.deferred import after_commit
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.roles import NETWORK_ADMINS, is_network_admin
from venues import services as venue_services
from venues.models import VenueTeam
from venues.permissions import venues_managed_by

logger = logging.getLogger(__name__)


class InvitationClosed(Conflict):
    """The invitation exists but can no longer be used (accepted, revoked or expired)."""

    status = 410
    default_code = "invitation_closed"


def teams_invitable_by(user) -> QuerySet[VenueTeam]:
    """The venue teams ``user`` may invite people to: all for a network admin, else their venues'."""
    keys = venues_managed_by(user).values("translation_key")
    return VenueTeam.objects.filter(translation_key__in=keys).select_related("group")


def invitations_visible_to(user) -> QuerySet[Invitation]:
    """The invitations ``user`` may see and revoke: those to the teams they may invite to, and the
    network admins' for network admins."""
    visible = Invitation.objects.select_related("team__group", "invited_by", "accepted_by")
    if is_network_admin(user):
        return visible
    return visible.filter(team__in=teams_invitable_by(user))


def can_invite(user, *, role: str, team: VenueTeam | None) -> bool:
    if role == InvitationRole.NETWORK_ADMIN:
        return team is None and is_network_admin(user)
    return team is not None and teams_invitable_by(user).filter(pk=team.pk).exists()


def invitation_find(token: str) -> Invitation | None:
    """The invitation a link's token opens, if any."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("team__group", "invited_by").filter(token_hash=token_hash(token)).first()


def invitation_link(token: str, *, language: str) -> str:
    """The absolute link of the acceptance page, in the invitation's language."""
    with translation.override(language):
        return settings.ESSAIM_NODE_URL + reverse("invitation_accept", kwargs={"token": token})


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(_("Enter a valid e-mail address."), code="invalid_email") from None
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def _is_member(email: str, *, role: str, team: VenueTeam | None) -> bool:
    if role == InvitationRole.NETWORK_ADMIN:
        groups = Group.objects.filter(name=NETWORK_ADMINS)
    else:
        groups = Group.objects.filter(pk=team.group_id)
    return groups.filter(user__email__iexact=email).exists()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


@transaction.atomic
def invitation_invite(
    *,
    inviter,
    email: str,
    role: str = InvitationRole.VENUE_TEAM,
    team: VenueTeam | None = None,
    language: str | None = None,
    now=None,
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``team`` (or to the network admins) and e-mail them the link, in
    ``language`` (the inviter's page language by default). Returns the invitation and its token."""
    now = now or timezone.now()
    email = _clean_email(email)
    if role not in InvitationRole.values:
        raise InvalidInput(_("Choose a team."), code="invalid_team")
    if role == InvitationRole.NETWORK_ADMIN:
        team = None
    if not can_invite(inviter, role=role, team=team):
        raise PermissionDenied(_("You may not invite people to this team."), code="team_not_managed")
    if _is_member(email, role=role, team=team):
        raise InvalidInput(_("%(email)s is already in this team.") % {"email": email}, code="already_member")
    pending = Invitation.objects.filter(
        email__iexact=email, role=role, team=team, status=InvitationState.PENDING, expires_at__gt=now
    )
    if pending.exists():
        raise Conflict(
            _("%(email)s already has a pending invitation to this team: resend it instead.") % {"email": email},
            code="already_invited",
        )
    codes = {code for code, _name in settings.LANGUAGES}
    if language not in codes:
        language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
        language = language if language in codes else settings.LANGUAGE_CODE
    token, hashed = _new_token()
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        team=team,
        language=language,
        invited_by=inviter,
        token_hash=hashed,
        created_at=now,
        expires_at=now + timedelta(days=settings.ESSAIM_INVITATION_DAYS),
    )
    logger.info("invitation %s to %s by user %s", invitation.pk, invitation.team_label(), inviter.pk)
    # The token lives only in this closure and the e-mail: never in the database or a broker.
    after_commit(invitation_email_send, invitation.pk, token)
    return invitation, token


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor, now=None) -> tuple[Invitation, str]:
    """Send a pending (or lapsed) invitation again with a new link and a new expiry; the old link stops."""
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not can_invite(actor, role=invitation.role, team=invitation.team):
        raise PermissionDenied(_("You may not invite people to this team."), code="team_not_managed")
    if invitation.status not in (InvitationState.PENDING, InvitationState.EXPIRED):
        raise InvitationClosed(_("This invitation was accepted or revoked: it cannot be sent again."))
    token, invitation.token_hash = _new_token()
    invitation.status = InvitationState.PENDING
    invitation.expires_at = now + timedelta(days=settings.ESSAIM_INVITATION_DAYS)
    invitation.save(update_fields=["token_hash", "status", "expires_at"])
    after_commit(invitation_email_send, invitation.pk, token)
    return invitation, token


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor, now=None) -> Invitation:
    """Revoke a pending invitation: its link stops working at once."""
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not can_invite(actor, role=invitation.role, team=invitation.team):
        raise PermissionDenied(_("You may not manage the invitations of this team."), code="team_not_managed")
    if invitation.status != InvitationState.PENDING:
        raise InvitationClosed(_("Only a pending invitation can be revoked."))
    invitation.status = InvitationState.REVOKED
    invitation.revoked_at = now
    invitation.save(update_fields=["status", "revoked_at"])
    logger.info("invitation %s revoked by user %s", invitation.pk, actor.pk)
    return invitation


def closed_message(state: str) -> str:
    return {
        InvitationState.ACCEPTED: _("This invitation has already been used."),
        InvitationState.REVOKED: _("This invitation was withdrawn by the team."),
        InvitationState.EXPIRED: _("This invitation has expired. Ask the person who invited you to send it again."),
    }.get(state, _("This invitation cannot be used."))


def address_matches(user, invitation: Invitation) -> bool:
    """Whether one of ``user``'s addresses is the invited one (case-insensitive)."""
    if (user.email or "").lower() == invitation.email.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email).exists()


@transaction.atomic
def invitation_accept(*, token: str, user, now=None) -> Invitation:
    """``user`` joins the team the link's invitation grants: once, and only if the invitation was
    sent to one of their addresses. Holding the link proves they own that address, so it is
    recorded as verified (as when they sign up from the link)."""
    now = now or timezone.now()
    found = invitation_find(token)
    if found is None:
        raise NotFound(_("This invitation link is not valid."), code="invitation_unknown")
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("team__group").get(pk=found.pk)
    state = invitation.state_at(now)
    if state != InvitationState.PENDING:
        raise InvitationClosed(closed_message(state), code=f"invitation_{state}")
    if not user.is_authenticated or not address_matches(user, invitation):
        raise PermissionDenied(
            _("This invitation is for %(email)s, not for the account you are logged in with.")
            % {"email": invitation.email},
            code="invitation_other_address",
        )
    address, _created = EmailAddress.objects.get_or_create(
        user=user, email__iexact=invitation.email, defaults={"email": invitation.email}
    )
    if not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    if invitation.role == InvitationRole.NETWORK_ADMIN:
        user.groups.add(Group.objects.get(name=NETWORK_ADMINS))
    else:
        venue = invitation.team.venue
        if venue is None:
            raise InvitationClosed(_("The venue of this invitation no longer exists."), code="invitation_venue_gone")
        venue_services.venue_manager_assign(venue=venue.specific, user=user)
    invitation.status = InvitationState.ACCEPTED
    invitation.accepted_by = user
    invitation.accepted_at = now
    invitation.save(update_fields=["status", "accepted_by", "accepted_at"])
    logger.info("invitation %s accepted by user %s", invitation.pk, user.pk)
    return invitation


def invitation_expire_all(*, now=None) -> int:
    """Record pending invitations past their expiry as expired (they are refused before that anyway)."""
    now = now or timezone.now()
    return Invitation.objects.filter(status=InvitationState.PENDING, expires_at__lte=now).update(
        status=InvitationState.EXPIRED
    )


def invitation_email_send(invitation_id: int, token: str) -> bool:
    """E-mail the link, in the invitation's language."""
    invitation = Invitation.objects.select_related("team__group", "invited_by").get(pk=invitation_id)
    with translation.override(invitation.language):
        inviter = invitation.invited_by
        context = {
            "invitation": invitation,
            "team": invitation.team_label(),
            "inviter": (inviter.get_full_name() or inviter.get_username()) if inviter else settings.ESSAIM_NODE_NAME,
            "link": invitation_link(token, language=invitation.language),
            "node_name": settings.ESSAIM_NODE_NAME,
            "expires_at": invitation.expires_at,
        }
        subject = _("[%(node)s] You are invited to join %(team)s") % {
            "node": settings.ESSAIM_NODE_NAME,
            "team": context["team"],
        }
        body = text.multi_line(render_to_string("accounts/invitations/email.txt", context))
        message = EmailMultiAlternatives(
            subject=text.one_line(subject), body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[invitation.email]
        )
    return message.send() > 0
