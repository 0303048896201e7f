"""Project-wide state changes that belong to no app: API tokens."""

from rest_framework.authtoken.models import Token


def auth_token_issue(*, user) -> Token:
    """The user's API token, created on first use."""
    token, _created = Token.objects.get_or_create(user=user)
    return token
