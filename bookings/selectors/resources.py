"""Which resources can be booked, and finding one."""

from django.db.models import QuerySet

from bookings.models import Resource
from venues.models import VenuePage


def resources_bookable() -> QuerySet[Resource]:
    """Our own active resources on live venues."""
    return (
        Resource.objects.filter(is_active=True, origin="", venue__live=True)
        .exclude(kind="event_seats")
        .select_related("venue")
    )


def resources_listed() -> QuerySet[Resource]:
    """Active resources on live venues, ours and the peers' mirrored ones (``origin`` set), for
    what people browse and search: the resources API, availability, "when, not where". Booking a
    mirror here is refused (``remote_resource``): it goes to its owner."""
    return Resource.objects.filter(is_active=True, venue__live=True).exclude(kind="event_seats").select_related("venue")


def resources_for_venue(*, venue: VenuePage) -> QuerySet[Resource]:
    """A venue's bookable resources: ours, or a peer's mirrored ones on its mirrored venue (booked
    from here through that node)."""
    return resources_listed().filter(venue_id=venue.id)


def resource_get(*, pk: int) -> Resource | None:
    if not 0 < pk < 2**63:
        return None
    return Resource.objects.select_related("venue").filter(pk=pk).first()


def resource_for_feed(*, pk: int) -> Resource | None:
    if not 0 < pk < 2**63:
        return None
    return resources_bookable().filter(pk=pk).first()
