"""Two-factor authentication for the people who run the network (allauth.mfa does the factors).

Staff are whoever can open an admin: Wagtail's (``wagtailadmin.access_admin``: venue managers,
hub editors, network admins) or Django's (``is_staff``). Three rules keep the second factor from
being skipped:

- the admins' own log-in pages lead to the public one, the only log-in that asks for the code
  (Wagtail's and Django's would open a session on a password alone);
- with ``ESSAIM_STAFF_2FA_REQUIRED`` on, the admins send staff without an authenticator to set one
  up; the public site (booking) stays open to them;
- a password alone gives no API token to someone with a second factor (``token_login_check``).
"""

import functools
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.errors import PermissionDenied

#: What counts as a second factor: recovery codes alone are a way back in, not a factor.
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def is_staff_member(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_staff or user.has_perm("wagtailadmin.access_admin"))
    )


def has_second_factor(user) -> bool:
    return bool(user.is_authenticated and is_mfa_enabled(user, types=SECOND_FACTORS))


def admin_requires_second_factor() -> bool:
    return bool(settings.ESSAIM_STAFF_2FA_REQUIRED)


def admin_refuses(user) -> bool:
    """Whether the admins turn ``user`` away until they set up a second factor."""
    return admin_requires_second_factor() and is_staff_member(user) and not has_second_factor(user)


def token_login_check(user) -> None:
    """A token made from a password alone would skip the second factor: named tokens instead."""
    if has_second_factor(user):
        raise PermissionDenied(
            _(
                "This account uses two-factor authentication: a password alone cannot create an API token. "
                "Create a named token on your account page instead."
            ),
            code="mfa_required",
        )


def _admin_paths() -> dict[str, str]:
    """Reversed once per URL configuration, script prefix and language: six ``reverse()`` calls on
    every request (this middleware sees them all) cost more than the rest of the check."""
    return _admin_paths_for(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, get_language())


@functools.lru_cache(maxsize=16)
def _admin_paths_for(_prefix: str, _urlconf, _language) -> dict[str, str]:
    return {
        "prefixes": (reverse("wagtailadmin_home"), reverse("admin:index")),
        "logins": (reverse("wagtailadmin_login"), reverse("admin:login")),
        "logouts": (reverse("wagtailadmin_logout"), reverse("admin:logout")),
    }


class StaffSecondFactorMiddleware:
    """Admin log-ins through allauth's; staff without a second factor out of the admins when required."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        paths = _admin_paths()
        if request.path in paths["logins"]:
            return self._to_public_login(request, home=paths["prefixes"][paths["logins"].index(request.path)])
        if (
            request.path.startswith(paths["prefixes"])
            and request.path not in paths["logouts"]
            and admin_refuses(request.user)
        ):
            messages.warning(
                request,
                _(
                    "The administration is open only to accounts protected by two-factor authentication. "
                    "Set up an authenticator app; you can then go back to the administration."
                ),
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _to_public_login(request, *, home: str):
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = home
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
