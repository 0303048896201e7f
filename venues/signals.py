"""Receivers of Wagtail's publish signal: thin, each calls services."""

from venues import services
from venues.models import VenuePage


def venue_published(sender, instance, **kwargs):
    """Every publish of a venue (admin, translation sync, demo loader) keeps its team and map
    position current; geocoding runs in a task after the commit, so the save never waits. A peer's
    mirrored venue gets neither a team nor geocoding: nobody here edits it."""
    if isinstance(instance, VenuePage) and instance.origin:
        services.venue_map_cache_clear()
    elif isinstance(instance, VenuePage):
        services.venue_team_ensure(venue=instance)
        services.venue_geocode_request(venue=instance)
        services.venue_map_cache_clear()


def venue_gone(sender, instance, **kwargs):
    """Unpublished or deleted: the network map must not show it any more."""
    if isinstance(instance, VenuePage):
        services.venue_map_cache_clear()


def venue_translated(sender, source_obj, target_obj, **kwargs):
    """A venue copied into another language (wagtail-localize's *Translate*, a draft): its team
    edits the new page at once, as it edits the source."""
    if isinstance(source_obj, VenuePage) and not source_obj.origin:
        services.venue_team_ensure(venue=source_obj.specific)
