"""The booker's node's pages for bookings on other nodes, under the language prefix (namespace
``federation_pages``)."""

from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from federation import remote_pages

app_name = "federation_pages"

urlpatterns = [
    path(
        format_lazy("{}{}<uuid:uid>/", _("bookings/"), _("elsewhere/")),
        remote_pages.remote_booking_detail,
        name="remote-booking",
    ),
    path(
        format_lazy("{}{}<uuid:uid>/<slug:action>/", _("bookings/"), _("elsewhere/")),
        remote_pages.remote_booking_action,
        name="remote-booking-action",
    ),
    path(
        format_lazy("{}{}<int:pk>/", _("bookings/"), _("register-elsewhere/")),
        remote_pages.remote_register,
        name="remote-register",
    ),
]
