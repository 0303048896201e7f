"""Accounts' models, one module per topic."""

from accounts.models.invitations import Invitation, InvitationRole, InvitationState  # noqa: F401
from accounts.models.profiles import Profile, Project, ProjectStage

__all__ = ["Profile", "Project", "ProjectStage"]
