from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = _("Federation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import origins  # noqa: PLC0415
        from federation import names, signals  # noqa: F401, PLC0415 (the outbox producers)

        origins.register(names=names.peer_names)
