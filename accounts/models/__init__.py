"""Accounts' models, one module per topic."""

from accounts.models.invitations import Invitation, InvitationRole, InvitationState  # noqa: F401
from accounts.models.profiles import Profile, Project, ProjectStage
from accounts.models.tokens import ApiToken

__all__ = ["ApiToken", "Profile", "Project", "ProjectStage"]
