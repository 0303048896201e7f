from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self):
        # Registers the venue page's "Book here" section (a Wagtail hook); in ready(), once the models are loaded.
        from bookings import sections  # noqa: F401, PLC0415
