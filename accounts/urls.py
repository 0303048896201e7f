"""Account pages under the language prefix: log-in and sign-up at translated paths (``/connexion/``,
``/inscription/``; ``/en/log-in/``, ``/en/sign-up/``), the rest of allauth's pages under ``account/``."""

from allauth.account import views as account_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.views import language, verification

# The translated paths come last: of two routes with one name, Django reverses the last.
urlpatterns = [
    # Before allauth's own under the same prefix.
    path(_("account/language/"), language.language_choose, name="account_language"),
    path(_("account/confirm-first/"), verification.confirm_first, name="account_confirm_first"),
    path(_("account/"), include("allauth.urls")),
    path(_("log-in/"), account_views.login, name="account_login"),
    path(_("sign-up/"), account_views.signup, name="account_signup"),
]
