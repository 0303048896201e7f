"""Admin wiring for venues: a team for each new venue, and the venue-team admin menu."""

from django.contrib import messages
from django.utils.translation import gettext as _
from wagtail import hooks

from venues import services, views
from venues.models import GeocodeStatus, VenueIndexPage, VenuePage


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
