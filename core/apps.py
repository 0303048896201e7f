from django.apps import AppConfig

from core import lookups


class CoreConfig(AppConfig):
    """What every app shares: errors, API plumbing, locking, formatting, roles, the iCalendar writer."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        lookups.register()
