"""How a log-in through an OpenID Connect provider becomes an Essaim account.

allauth links an existing account only through an address the provider asserts verified
(``SOCIALACCOUNT_EMAIL_AUTHENTICATION``). Any other log-in whose address belongs to an account
stops here with a page that says how to connect the provider from that account, instead of
allauth's sign-up form, which would only refuse the address once submitted."""

from allauth.account.internal.userkit import filter_users_by_email
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import get_language

from accounts.services import profiles as profile_services


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_auto_signup_allowed(self, request, sociallogin):
        for address in sociallogin.email_addresses:
            if filter_users_by_email(address.email):
                raise ImmediateHttpResponse(
                    render(
                        request,
                        "accounts/oidc/email_taken.html",
                        {"provider": sociallogin.provider, "email": address.email},
                        status=409,
                    )
                )
        return super().is_auto_signup_allowed(request, sociallogin)

    def save_user(self, request, sociallogin, form=None):
        """Names come from the claims (``populate_user``); the language is the page's, as the
        sign-up form would have offered it."""
        user = super().save_user(request, sociallogin, form=form)
        if form is None:
            language = (get_language() or settings.LANGUAGE_CODE)[:2]
            if language in dict(settings.LANGUAGES):
                profile_services.profile_update(user, language=language)
        return user
