"""Admin wiring for outside calendars: "Outside calendars" in the Bookings menu (for venue
managers), and a link to a resource's calendars on the resources list and the resource's page."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets import Button

from bookings.admin.resources import RESOURCE_BUTTONS_HOOK
from bookings.wagtail_hooks import BOOKINGS_MENU_HOOK
from calendars.admin import views
from venues.permissions import manages_any_venue


class ManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return manages_any_venue(request.user)


class OutsideCalendarsViewSet(ViewSet):
    name = "outside_calendars"
    url_prefix = "calendars"
    icon = "calendar-alt"
    menu_label = _("Outside calendars")
    menu_item_class = ManagerMenuItem
    menu_hook = BOOKINGS_MENU_HOOK
    #: After "Closures" (the group numbers its own items 1, 2, 3…).
    menu_order = 4

    def get_urlpatterns(self):
        return [
            path("", views.CalendarIndexView.as_view(), name="index"),
            path("add/", views.CalendarCreateView.as_view(), name="add"),
            path("<int:pk>/", views.CalendarEditView.as_view(), name="edit"),
            path("<int:pk>/fetch/", views.CalendarFetchView.as_view(), name="fetch"),
            path("<int:pk>/delete/", views.CalendarDeleteView.as_view(), name="delete"),
        ]


@hooks.register("register_admin_viewset")
def register_outside_calendars():
    return OutsideCalendarsViewSet()


@hooks.register(RESOURCE_BUTTONS_HOOK)
def resource_calendars_button(resource):
    return Button(
        _("Outside calendars"),
        url=reverse("outside_calendars:index") + f"?resource={resource.pk}",
        icon_name="calendar-alt",
        priority=40,
    )
