"""``POST /api/v1/auth/token/`` as the public contract has it (``{username, password}`` → ``{token}``),
handing out a named token: each call makes a new one named "API", listed on the account page, where
its owner sees when it was last used and revokes it."""

from accounts.services import tokens as token_services
from core.token_api import TokenApi


class LoginTokenApi(TokenApi):
    def issue(self, user) -> str:
        _token, secret = token_services.api_token_create(user=user, name=token_services.LOGIN_TOKEN_NAME)
        return secret
