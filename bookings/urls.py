"""The public booking pages, under the language prefix (namespace ``bookings``).

Path prefixes are translated (French ``reservations/`` and ``reserver/`` once the catalogue has
them), so they never collide with page slugs such as ``/lieux/`` or ``/en/venues/``; route
parameters stay outside the translated strings.
"""

from django.urls import path, register_converter
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bookings.payments import views as payment_views
from bookings.views import booking, mine, search


class ReferenceConverter:
    """A booking reference: eight hexadecimal digits (``new_reference``)."""

    regex = "[0-9A-Fa-f]{8,12}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")

app_name = "bookings"

urlpatterns = [
    path(_("book/"), search.search_free, name="search"),
    path(format_lazy("{}<int:pk>/", _("book/")), booking.resource_book, name="resource"),
    path(_("bookings/"), mine.my_bookings, name="mine"),
    path(format_lazy("{}{}", _("bookings/"), _("calendar/new-address/")), mine.feed_regenerate, name="feed-regenerate"),
    path(format_lazy("{}<reference:reference>/", _("bookings/")), mine.booking_detail, name="detail"),
    path(format_lazy("{}<reference:reference>/{}", _("bookings/"), _("cancel/")), mine.booking_cancel, name="cancel"),
    path(
        format_lazy("{}<reference:reference>/{}", _("bookings/"), _("paid/")),
        payment_views.payment_return,
        name="payment-return",
    ),
    path(
        format_lazy("{}<reference:reference>/{}", _("bookings/"), _("payment-cancelled/")),
        payment_views.payment_cancelled,
        name="payment-cancelled",
    ),
]
