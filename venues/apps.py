from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenuesConfig(AppConfig):
    name = "venues"
    verbose_name = _("Venues")

    def ready(self):
        from wagtail.signals import page_published

        from venues.signals import venue_published

        page_published.connect(venue_published, dispatch_uid="venues.venue_published")
