from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import identity


class AccountsConfig(AppConfig):
    """People's accounts: sign-up and log-in (django-allauth), profiles and preferred language."""

    name = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The token API (core) lives below accounts: it learns of the second factor through its hook.
        from accounts.mfa import token_login_check  # noqa: PLC0415 — models are loaded only now
        from core.token_api import token_login_checks  # noqa: PLC0415 — imports core's API views

        if token_login_check not in token_login_checks:
            token_login_checks.append(token_login_check)

        # Bookings and events ask through core whether an address is confirmed and which language
        # a person chose; only this app can answer, and they may not import it.
        from accounts.services import verification  # noqa: PLC0415 - models are loaded only now

        identity.register(
            email_verified=verification.email_verified, preferred_language=verification.preferred_language
        )
