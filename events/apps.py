from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events and programmes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from events import signals  # noqa: F401  (connects page publication and seat release)
