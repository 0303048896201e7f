"""A real OpenID Connect provider on loopback for the log-in tests: ``oidc-provider-mock`` (authlib
under Flask) served by werkzeug in a thread of the test process, at ``http://127.0.0.1:<port>``.

``proconnect=True`` makes it answer as ProConnect does: ProConnect's own scopes (``given_name``,
``usual_name``, ``siret``, ``uid``) are accepted and give their claims, and the user info comes as a
JWT signed with the provider's key (``application/jwt``), addressed to ``audience``."""

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import flask
import jwt
import werkzeug.serving
from oidc_provider_mock import User
from oidc_provider_mock import _app as mock_app
from oidc_provider_mock import _storage as mock_storage
from oidc_provider_mock import app as mock_flask_app

from sites.settings import oidc_origins

PROCONNECT_SCOPES = ("given_name", "usual_name", "siret", "uid")
# The mock's authlib warns of its own deprecated calls (inside the provider, not in Essaim's code).
MOCK_WARNINGS = [
    "ignore:get_jwt_config:DeprecationWarning",
    "ignore::authlib.deprecate.AuthlibDeprecationWarning",
]
CLIENT_ID = "essaim-test-client"
CLIENT_SECRET = "essaim-test-secret"  # noqa: S105 -- the mock accepts any secret


@contextmanager
def oidc_provider(users: dict[str, dict], *, proconnect: bool = False, monkeypatch=None) -> Iterator[str]:
    """Serve a provider knowing ``users`` (sub → claims); yield its issuer URL."""
    if proconnect:
        monkeypatch.setattr(
            mock_storage.Client, "SCOPES_SUPPORTED", (*mock_storage.Client.SCOPES_SUPPORTED, *PROCONNECT_SCOPES)
        )
        for scope in PROCONNECT_SCOPES:
            monkeypatch.setitem(mock_app._SCOPES_TO_CLAIMS, scope, [scope])
    app = mock_flask_app(
        require_nonce=True, user_claims=[User(sub=sub, claims=claims) for sub, claims in users.items()]
    )
    if proconnect:
        app.after_request(_signed_userinfo)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def _signed_userinfo(response: flask.Response) -> flask.Response:
    if flask.request.path != "/userinfo" or response.status_code != 200:  # noqa: PLR2004
        return response
    key = flask.g.oidc_provider_mock_storage.jwk
    claims = {**response.get_json(), "iss": flask.request.host_url.rstrip("/"), "aud": CLIENT_ID}
    private_key = jwt.algorithms.RSAAlgorithm.from_jwk(key.as_dict(is_private=True))
    token = jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": key.as_dict()["kid"]})
    return flask.Response(token, status=200, content_type="application/jwt")


def oidc_app(provider_id: str, name: str, server_url: str, **settings) -> dict:
    """One entry of ``SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]``, as sites/settings.py builds them."""
    return {
        "provider_id": provider_id,
        "name": name,
        "client_id": CLIENT_ID,
        "secret": CLIENT_SECRET,
        "settings": {"server_url": server_url, **settings},
    }


def configure(settings, *apps: dict) -> None:
    """Configure ``apps`` as sites/settings.py does from the environment: the providers, and their
    origins in the Content-Security-Policy's ``form-action`` (where the buttons' forms lead)."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {"provider_class": "accounts.oidc.provider.EssaimOIDCProvider", "APPS": list(apps)}
    }
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], *oidc_origins(list(apps))]
    settings.CONTENT_SECURITY_POLICY = policy
