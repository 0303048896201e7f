"""Admin wiring for venues: a team for each new venue, and the venue-team admin menu."""

from wagtail import hooks

from venues import services, views
from venues.models import VenueIndexPage, VenuePage


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
