from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares: errors, API plumbing, locking, formatting, roles, the iCalendar writer."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every page model is loaded by now, so the page types that need approval are known.
        from core.moderation import approval_rule_install  # noqa: PLC0415

        approval_rule_install()
