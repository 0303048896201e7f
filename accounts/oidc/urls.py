"""The provider's routes, as allauth's ``openid_connect`` names them, over this package's views.

``/compte/oidc/<provider_id>/login/`` (POST) starts the log-in; ``…/login/callback/`` is the redirect
URI to register at the provider. An unconfigured ``provider_id`` is a 404."""

from allauth.socialaccount import app_settings
from django.urls import include, path

from accounts.oidc import views

urlpatterns = [
    path(
        "<slug:provider_id>/",
        include(
            [
                path("login/", views.login, name="openid_connect_login"),
                path("login/callback/", views.callback, name="openid_connect_callback"),
            ]
        ),
    )
]

if app_settings.OPENID_CONNECT_URL_PREFIX:
    urlpatterns = [path(f"{app_settings.OPENID_CONNECT_URL_PREFIX}/", include(urlpatterns))]
