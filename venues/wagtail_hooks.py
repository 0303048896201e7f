"""Admin wiring for venues: a team for each new venue, and the venue-team admin menu."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from venues import services, views
from venues.admin_forms import VenueTeamForm
from venues.models import GeocodeStatus, MirrorIndexPage, VenueIndexPage, VenuePage, VenueTeam


@hooks.register("after_create_page")
def create_venue_team(request, page):
    if isinstance(page.specific, VenuePage):
        services.venue_team_ensure(venue=page.specific)


@hooks.register("before_serve_page")
def serve_directory(page, request, serve_args, serve_kwargs):
    """The directory page renders the search form and results (a view, not page logic)."""
    if isinstance(page, VenueIndexPage):
        return views.directory(request, page)
    return None


@hooks.register("after_publish_page")
def report_geocoding(request, page):
    """Tell the editor at once when the address could not be placed on the map (the page is
    saved and published all the same; the reason also stays in the Location tab)."""
    specific = page.specific
    if not isinstance(specific, VenuePage):
        return
    status, message = VenuePage.objects.filter(pk=page.pk).values_list("geocode_status", "geocode_message").get()
    if status in (GeocodeStatus.NOT_FOUND, GeocodeStatus.FAILED):
        messages.warning(
            request, _("The page is published, but its address is not on the map: %(reason)s") % {"reason": message}
        )
    elif status == GeocodeStatus.PENDING:
        messages.info(request, _("The address will be placed on the map in a moment."))


class VenueTeamViewSet(ModelViewSet):
    """Network admins choose each venue's managers here (Settings › Venue teams)."""

    model = VenueTeam
    icon = "group"
    menu_label = _l("Venue teams")
    add_to_settings_menu = True
    list_display = ["venue_title", "manager_names"]
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return VenueTeamForm


class VenueTeamPermissionPolicy(ModelPermissionPolicy):
    """Teams come and go with their venues: the admin only changes who is in them."""

    def user_has_permission(self, user, action):
        if action in {"add", "delete"}:
            return False
        return super().user_has_permission(user, action)


@hooks.register("register_admin_viewset")
def register_venue_teams():
    return VenueTeamViewSet("venue_teams")


register_permission_policy(VenueTeam, VenueTeamPermissionPolicy(VenueTeam))


def _mirrored(page) -> bool:
    """A peer's venue or the container of a peer's venues (``MirrorPermissionTester`` refuses the
    same; these hooks also guard the views that ask a plain ``Page`` for its permissions)."""
    specific = page.specific_deferred if hasattr(page, "specific_deferred") else page
    return isinstance(specific, MirrorIndexPage) or bool(getattr(specific, "origin", ""))


def _refuse_mirror(request, page, *args, **kwargs):
    if page is not None and _mirrored(page):
        raise PermissionDenied(_("This venue is mirrored from another node: change it there."))
    return None


for _hook in (
    "before_edit_page",
    "before_delete_page",
    "before_copy_page",
    "before_unpublish_page",
    "before_convert_alias_page",
):
    hooks.register(_hook, _refuse_mirror)


@hooks.register("before_move_page")
def refuse_mirror_move(request, page, destination=None):
    for candidate in (page, destination):
        _refuse_mirror(request, candidate)


@hooks.register("before_create_page")
def refuse_mirror_child(request, parent_page, page_class):
    return _refuse_mirror(request, parent_page)


@hooks.register("construct_page_chooser_queryset")
def own_pages_only(pages, request):
    """Page choosers (a programme session's venue, a link) offer our own pages: a peer's mirrored
    venues are its node's, read-only here, and may vanish with the next sync."""
    mirrored = Q()
    for path in MirrorIndexPage.objects.values_list("path", flat=True):
        mirrored |= Q(path__startswith=path)
    return pages.exclude(mirrored) if mirrored else pages
