"""``Authorization: Token ess_…``: the named tokens of the account page (``accounts.models.ApiToken``).

Listed before DRF's ``TokenAuthentication`` (``core.api_language``'s, which applies the owner's
language, as this one does by inheriting it) in ``REST_FRAMEWORK``. Migration ``0003_mydata`` moved
DRF's tokens here (hashed, named "API"); an unknown key without our prefix is left to DRF's class,
for those ``core.services.auth_token_issue`` still writes (tests, scripts)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions

from accounts.services import tokens as token_services
from accounts.services.verification import remember_email_verified
from core.api_language import TokenAuthentication


class ApiTokenAuthentication(TokenAuthentication):
    """Refuses a revoked token, and any token of an inactive (or deleted, hence deactivated) person;
    records the use (at most once a minute, in the same statement as the read), refused or not."""

    def authenticate_credentials(self, key):
        # The person's profile comes along: the API answers in their language (``core.api_language``);
        # and whether their address is confirmed, which a booking asks.
        found = token_services.api_token_used(token_services.token_digest(key))
        if found is None:
            if not key.startswith(token_services.PREFIX):
                return None  # perhaps one of DRF's, written after migration 0003 moved the others here
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = found.token
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        remember_email_verified(token.user, has_address=found.has_address, has_confirmed=found.has_confirmed)
        return token.user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The named tokens in the OpenAPI schema, beside DRF's ``tokenAuth`` (the same header)."""

    target_class = ApiTokenAuthentication
    name = "namedTokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token ess_…`: a named token from the account page or `POST /api/v1/auth/token/`.",
        }
