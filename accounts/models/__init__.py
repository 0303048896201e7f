"""Accounts' models, one module per topic."""

from accounts.models.profiles import Profile, Project, ProjectStage

__all__ = ["Profile", "Project", "ProjectStage"]
