"""Log-in and callback views over an adapter that checks the nonce and reads signed user info."""

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal import jwtkit, statekit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.http import Http404
from django.utils import translation
from django.utils.crypto import constant_time_compare, get_random_string

NONCES_SESSION_KEY = "essaim_oidc_nonces"
NONCES_KEPT = 10  # log-ins under way at once in one browser (allauth keeps as many states)


def nonce_issue(request) -> str:
    """A fresh nonce for one authorisation request, kept in the session until its callback."""
    nonce = get_random_string(48)
    nonces = [*request.session.get(NONCES_SESSION_KEY, []), nonce][-NONCES_KEPT:]
    request.session[NONCES_SESSION_KEY] = nonces
    return nonce


def nonce_spend(request, nonce: str) -> bool:
    """Whether this session issued ``nonce`` and had not yet spent it; it is spent either way."""
    nonces = request.session.get(NONCES_SESSION_KEY, [])
    issued = any(constant_time_compare(nonce, candidate) for candidate in nonces)
    if issued:
        request.session[NONCES_SESSION_KEY] = [candidate for candidate in nonces if candidate != nonce]
    return issued


class EssaimOIDCAdapter(OpenIDConnectOAuth2Adapter):
    """The ID token must carry the nonce sent with this session's authorisation request and, when
    the app asks for ``acr_values`` (ProConnect's ``eidas1``), one of those levels; the user info
    must be about the same subject; a user-info answer signed as a JWT (OpenID Connect
    Core 5.3.2, what ProConnect sends) is checked against the provider's published keys."""

    def complete_login(self, request, app, token, **kwargs):
        id_token_str = kwargs["response"].get("id_token")
        if not id_token_str:
            raise OAuth2Error("The provider sent no ID token.")
        id_token = self._decode_id_token(app, id_token_str)
        if not nonce_spend(request, str(id_token.get("nonce", ""))):
            raise OAuth2Error("The ID token's nonce is not one this session sent.")
        wanted_acr = (app.settings.get("auth_params") or {}).get("acr_values", "").split()
        if wanted_acr and id_token.get("acr") not in wanted_acr:
            raise OAuth2Error("The provider did not authenticate the person at the level asked for (acr).")
        data = {"id_token": id_token}
        if app.settings.get("fetch_userinfo", True):
            userinfo = self._fetch_user_info(token.token)
            if str(userinfo.get("sub")) != str(id_token.get("sub")):
                raise OAuth2Error("The user info is about another subject than the ID token.")
            data["userinfo"] = userinfo
        return self.get_provider().sociallogin_from_response(request, data)

    def get_callback_url(self, request, app):
        """One redirect URI whatever the page's language (the provider only accepts the ones
        registered with it): the default language's, ``/compte/oidc/<id>/login/callback/``."""
        with translation.override(settings.LANGUAGE_CODE):
            return super().get_callback_url(request, app)

    def _fetch_user_info(self, access_token: str) -> dict:
        headers = {"Authorization": f"Bearer {access_token}"}
        with get_adapter().get_requests_session() as session:
            response = session.get(self.profile_url, headers=headers)
            response.raise_for_status()
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/jwt":
            return response.json()
        return jwtkit.verify_and_decode(
            credential=response.text.strip(),
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=self.get_provider().app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
        )


@login_not_required
def login(request, provider_id):
    try:
        return OAuth2LoginView.adapter_view(EssaimOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as exc:
        raise Http404 from exc


@login_not_required
def callback(request, provider_id):
    """The provider's answer, handled in the language of the page the log-in started from (kept
    in allauth's state beside ``next``): the pages shown and a new account's language follow it."""
    stashed = statekit.get_states(request).get(request.GET.get("state", ""))
    language = stashed[0].get("language") if stashed else None
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language
    try:
        return OAuth2CallbackView.adapter_view(EssaimOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as exc:
        raise Http404 from exc
