"""Admin wiring for events and programmes.

* Dates on closures: after a publish, and when the editor opens, a manager is told which dates
  of the event (or of a programme's sessions) fall on days the venue is closed.
* "Registrations": a link in the page's header menu and in the page listings, to the view of
  seats, registrants and waitlists (``events.admin.registrations.RegistrationsView``).
* Programme moderation is the general approval rule (``ProgrammePage.approval_permission``,
  held by ``core.moderation`` and ``core.wagtail_hooks``): a hub's team submits, network admins
  publish.
"""

from django.urls import include, path
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.menus.pages import PageMenuItem

from events.admin import registrations
from events.models import EventPage, ProgrammePage

# Dates on closures --------------------------------------------------------------------------------


@hooks.register("after_publish_page")
def warn_about_closures_after_publish(request, page):
    if isinstance(page, EventPage | ProgrammePage):
        warning = registrations.closure_warning(page)
        if warning:
            messages.warning(request, warning)


@hooks.register("before_edit_page")
def warn_about_closures_in_editor(request, page):
    if request.method == "GET" and isinstance(page, EventPage | ProgrammePage) and page.live:
        warning = registrations.closure_warning(page)
        if warning:
            messages.warning(request, warning)


# The editor -------------------------------------------------------------------------------------

#: The seven weekday boxes of a weekly event in one row (a column of seven took a screen).
EDITOR_CSS = """<style>
#id_repeat_weekdays { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; }
#id_repeat_weekdays > div { margin: 0; }
</style>"""


@hooks.register("insert_global_admin_css")
def event_editor_css():
    return mark_safe(EDITOR_CSS)  # noqa: S308 (a constant)


# Registrations ----------------------------------------------------------------------------------


class RegistrationsButton(PageMenuItem):
    label = _("Registrations")
    icon_name = "group"
    url_name = "events_admin:registrations"

    def is_shown(self, user):
        return registrations.can_see_registrations(user, self.page)


@hooks.register("register_page_header_buttons")
def registrations_header_button(page, user, view_name, next_url=None):
    yield RegistrationsButton(page=page, priority=25)


@hooks.register("register_page_listing_more_buttons")
def registrations_listing_button(page, user, next_url=None):
    yield RegistrationsButton(page=page, priority=12)


@hooks.register("register_admin_urls")
def register_events_admin_urls():
    urls = [
        path("<int:page_id>/registrations/", registrations.RegistrationsView.as_view(), name="registrations"),
    ]
    return [path("events/", include((urls, "events_admin"), namespace="events_admin"))]
