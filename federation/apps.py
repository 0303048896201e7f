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
        self._ride_with_bookings()
        self._fill_booking_registry()

    @staticmethod
    def _ride_with_bookings():
        """A new booking's outbox entries are written by the booking's own statement."""
        from bookings.services import booking_insert  # noqa: PLC0415
        from federation import producers  # noqa: PLC0415

        booking_insert.register_companion(producers.booking_rider)

    @staticmethod
    def _fill_booking_registry():
        """Bookings on other nodes in the booking engine's pages, feed and admin (a registry it
        owns); importing the pages also registers the "My bookings" section."""
        from bookings import remote  # noqa: PLC0415
        from federation import remote_api, remote_pages  # noqa: PLC0415

        remote.register(
            place=remote_pages.place,
            feed_entries=remote_pages.feed_entries,
            booker_label=remote_pages.booker_label,
            payment_return_url=remote_pages.payment_return_url,
            api_place=remote_api.place,
            api_rows=remote_api.rows,
            api_cancel=remote_api.cancel,
            register_url=remote_pages.register_url,
        )
