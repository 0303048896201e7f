from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events and programmes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Importing these modules connects their receivers and hooks; in ready(), as Django documents
        # for signals, because the models they name are loaded by then.
        from bookings import display_names  # noqa: PLC0415
        from events import sections, selectors, signals  # noqa: F401, PLC0415

        # "My bookings" names an event's seats after the event, in the reader's language.
        display_names.register(selectors.seat_names)
