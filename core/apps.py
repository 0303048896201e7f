from django.apps import AppConfig
from django.core import checks

from core import lookups
from core.client_address import check_trusted_proxies


class CoreConfig(AppConfig):
    """What every app shares: errors, API plumbing, locking, formatting, roles, the iCalendar writer."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        checks.register(check_trusted_proxies, checks.Tags.security)
        lookups.register()
        # Every page model is loaded by now, so the page types that need approval are known.
        from core.moderation import approval_rule_install  # noqa: PLC0415

        approval_rule_install()
