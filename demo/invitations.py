"""The demo's pending invitation: someone asked to join the team of the ``manager``'s venue, so the
invitation flow can be tried from the e-mail printed on the console or from the admin's list.

Idempotent: while a pending invitation to that address and team is there, loading again adds none.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Locale

from accounts.models import Invitation, InvitationState
from accounts.services import invitations as invitation_services
from demo import dataset
from venues.models import VenuePage, VenueTeam

#: Who is invited, by which demo account.
INVITED_EMAIL = "nouvelle.gestionnaire@essaim.localhost"
INVITER = "manager"


@dataclass
class InvitationReport:
    link: str | None = None
    existing: bool = False


def load_invitation_demo(data: dataset.DemoSet | None = None) -> InvitationReport:
    """Invite ``INVITED_EMAIL`` to the manager's venue unless a pending invitation is already there;
    the link is in the report (and in the e-mail) only when it is made: only its hash is stored."""
    inviter = get_user_model().objects.filter(username=INVITER).first()
    slug = (data or dataset.current()).accounts[INVITER]["manages"]
    venue = VenuePage.objects.filter(slug=slug, locale=Locale.get_default()).first()
    if inviter is None or venue is None:
        return InvitationReport()
    team = VenueTeam.objects.filter(translation_key=venue.translation_key).first()
    pending = Invitation.objects.filter(
        email__iexact=INVITED_EMAIL, team=team, status=InvitationState.PENDING, expires_at__gt=timezone.now()
    )
    if team is None or pending.exists() or team.group.user_set.filter(email__iexact=INVITED_EMAIL).exists():
        return InvitationReport(existing=team is not None)
    invitation, token = invitation_services.invitation_invite(
        inviter=inviter, email=INVITED_EMAIL, team=team, language=settings.LANGUAGE_CODE
    )
    return InvitationReport(link=invitation_services.invitation_link(token, language=invitation.language))
