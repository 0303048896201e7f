"""Invitations to a team: a venue's managers (a hub is a social business centre's team) or the
network admins. The link carries a secret token; only its hash is stored, so a copy of the
database opens no team."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from venues.models import VenueTeam


class InvitationRole(models.TextChoices):
    VENUE_TEAM = "venue_team", _("Venue team")
    NETWORK_ADMIN = "network_admin", _("Network admins")


class InvitationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", pgettext_lazy("invitation", "Revoked")
    EXPIRED = "expired", _("Expired")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """One person invited by e-mail to one team.

    ``status`` is what was recorded; ``state_at`` is what holds now: a pending invitation past its
    expiry is expired even before the periodic task records it, so nothing depends on a worker.
    """

    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=InvitationRole.choices)
    team = models.ForeignKey(
        VenueTeam,
        verbose_name=_("venue team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    language = models.CharField(_("language of the e-mail"), max_length=8, choices=settings.LANGUAGES)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("state"), max_length=16, choices=InvitationState.choices, default=InvitationState.PENDING
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("accepted by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(pgettext_lazy("invitation", "revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                name="invitation_team_matches_role",
                condition=models.Q(role="venue_team", team__isnull=False)
                | models.Q(role="network_admin", team__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self):
        return f"{self.email} → {self.team_label()}"

    def team_label(self) -> str:
        if self.role == InvitationRole.NETWORK_ADMIN:
            return str(InvitationRole.NETWORK_ADMIN.label)
        return self.team.venue_title() if self.team_id else "—"

    def state_at(self, now) -> str:
        if self.status == InvitationState.PENDING and self.expires_at <= now:
            return InvitationState.EXPIRED
        return self.status

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())

    def state_label(self) -> str:
        return str(InvitationState(self.state).label)
