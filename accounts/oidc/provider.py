"""The OpenID Connect provider class: nonce on every authorisation request, ProConnect's claims."""

from allauth.account.models import EmailAddress
from allauth.core.internal.datakit import parse_bool_safely
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider, _pick_data
from django.utils import translation

from accounts.oidc.views import EssaimOIDCAdapter, nonce_issue


class EssaimOIDCProvider(OpenIDConnectProvider):
    """allauth's provider with a nonce (ProConnect requires one; it binds the ID token to this
    browser's session), the page's language kept for the callback, and ProConnect's
    ``usual_name`` as the family name."""

    oauth2_adapter_class = EssaimOIDCAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params["nonce"] = nonce_issue(request)
        kwargs["language"] = translation.get_language()
        return super().redirect(request, process, next_url, data, auth_params=auth_params, **kwargs)

    def extract_common_fields(self, data):
        fields = super().extract_common_fields(data)
        claims = _pick_data(data)
        if not fields.get("last_name") and claims.get("usual_name"):
            fields["last_name"] = claims["usual_name"]
        return fields

    def extract_email_addresses(self, data):
        """The address counts as verified when the provider says so in ``email_verified``, or when
        the operator vouches for the provider (``verified_email``: ProConnect's addresses are the
        professionals' own, checked by their organisation)."""
        email = _pick_data(data).get("email")
        if not email:
            return []
        verified = parse_bool_safely(_pick_data(data).get("email_verified")) or get_adapter().is_email_verified(
            self, email
        )
        return [EmailAddress(email=email, verified=verified, primary=True)]
