"""Admin wiring for events and programmes.

* Dates on closures: after a publish, and when the editor opens, a manager is told which dates
  of the event (or of a programme's sessions) fall on days the venue is closed.
* "Registrations": a link in the page's header menu and in the page listings, to the view of
  seats, registrants and waitlists (``events.admin.registrations.RegistrationsView``).
* Programme moderation: a hub's team creates and edits programmes and submits them to Wagtail's
  moderation workflow; only holders of ``events.publish_programme`` (network admins) publish.
  ``ProgrammePermissionTester`` refuses the publish of an existing page; a *new* page's publish
  is decided by Wagtail on the parent's rights (the hub team may publish its venue page), so the
  button is taken out of the create view here and a forged publish is refused.
"""

from django.core.exceptions import PermissionDenied
from django.urls import include, path
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.menus.pages import PageMenuItem

from events.admin import registrations
from events.models import EventPage, ProgrammePage


def may_publish_programmes(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("events.publish_programme"))


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


# Programme moderation ---------------------------------------------------------------------------


def _creating_programme(request) -> bool:
    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match else {}
    return kwargs.get("content_type_app_name") == "events" and kwargs.get("content_type_model_name") == "programmepage"


@hooks.register("construct_page_action_menu")
def programme_publish_for_moderators_only(menu_items, request, context):
    page = context.get("page")
    is_programme = isinstance(page, ProgrammePage) if page is not None else _creating_programme(request)
    if is_programme and not may_publish_programmes(request.user):
        menu_items[:] = [item for item in menu_items if getattr(item, "name", "") != "action-publish"]


@hooks.register("before_create_page")
def refuse_programme_publish_on_create(request, parent_page, page_class):
    if (
        request.method == "POST"
        and issubclass(page_class, ProgrammePage)
        and request.POST.get("action-publish")
        and not may_publish_programmes(request.user)
    ):
        raise PermissionDenied
