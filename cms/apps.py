from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site")

    def ready(self):
        # The cached public pages' invalidations name models of every app below; connected once
        # they are loaded, as Django documents for signals.
        from cms import signals  # noqa: PLC0415

        signals.connect()
