from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _
from wagtail.signals import copy_for_translation_done, page_published, page_unpublished


class VenuesConfig(AppConfig):
    name = "venues"
    verbose_name = _("Venues")

    def ready(self):
        # Django's documented place to connect signals: the receivers' module imports the models,
        # which are loaded only now.
        from venues.signals import venue_gone, venue_published, venue_translated  # noqa: PLC0415

        page_published.connect(venue_published, dispatch_uid="venues.venue_published")
        page_unpublished.connect(venue_gone, dispatch_uid="venues.venue_unpublished")
        post_delete.connect(venue_gone, dispatch_uid="venues.venue_deleted")
        copy_for_translation_done.connect(venue_translated, dispatch_uid="venues.venue_translated")
