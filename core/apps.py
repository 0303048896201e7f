from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares: errors, API plumbing, locking, formatting, roles, the iCalendar writer."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"
