"""Public event pages under the language prefix (namespace ``events``): the agenda and registration.

``agenda/`` is the same word in French and English; the actions below it are translated like the
booking pages' paths. Route parameters stay outside the translated strings.
"""

from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from events import views

app_name = "events"

urlpatterns = [
    path("agenda/", views.agenda, name="agenda"),
    path("agenda/<int:pk>/<str:key>.ics", views.occurrence_ics, name="occurrence-ics"),
    path(format_lazy("agenda/<int:pk>/{}", _("register/")), views.register, name="register"),
    path(format_lazy("agenda/<int:pk>/{}", _("waitlist/")), views.waitlist_join, name="waitlist-join"),
    path(format_lazy("agenda/{}<int:pk>/{}", _("waitlist/"), _("leave/")), views.waitlist_leave, name="waitlist-leave"),
    path(
        format_lazy("agenda/{}<int:pk>/{}", _("waitlist/"), _("confirm/")),
        views.waitlist_accept,
        name="waitlist-accept",
    ),
    path(
        format_lazy("agenda/{}<int:pk>/{}", _("programmes/"), _("register/")),
        views.programme_register,
        name="programme-register",
    ),
]
