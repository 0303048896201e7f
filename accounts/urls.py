"""Account pages under the language prefix: log-in and sign-up at translated paths (``/connexion/``,
``/inscription/``; ``/en/log-in/``, ``/en/sign-up/``), the rest of allauth's pages under ``account/``."""

from allauth.account import views as account_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.views import invitations as invitation_views
from accounts.views import language, mydata, profile, tokens, verification

invitation_urls = [
    path("<str:token>/", invitation_views.InvitationAcceptView.as_view(), name="invitation_accept"),
    path(_("<str:token>/sign-up/"), invitation_views.InvitationSignupView.as_view(), name="invitation_signup"),
]

# The translated paths come last: of two routes with one name, Django reverses the last.
urlpatterns = [
    # The account page, tokens and personal data (before allauth's ``account/`` prefix).
    path(_("account/profile/"), profile.profile, name="account_profile"),
    path(_("account/projects/<int:pk>/"), profile.project_change, name="account_project"),
    path(_("account/tokens/"), tokens.tokens, name="account_tokens"),
    path(_("account/tokens/<int:pk>/revoke/"), tokens.token_revoke, name="account_token_revoke"),
    path(_("account/my-data/"), mydata.data, name="account_data"),
    path(_("account/my-data/export.<str:fmt>"), mydata.export_download, name="account_export"),
    path(_("account/delete/"), mydata.delete, name="account_delete"),
    path(_("privacy/"), mydata.privacy, name="privacy"),
    # Before allauth's own under the same prefix.
    path(_("account/language/"), language.language_choose, name="account_language"),
    path(_("account/confirm-first/"), verification.confirm_first, name="account_confirm_first"),
    path(_("account/"), include("allauth.urls")),
    path(_("log-in/"), account_views.login, name="account_login"),
    path(_("sign-up/"), account_views.signup, name="account_signup"),
    path(_("invitation/"), include(invitation_urls)),
]
