"""Which resources can be booked, and finding one."""

from django.db import connection
from django.db.models import QuerySet
from wagtail.models import Page

from bookings.models import Resource
from core.prepared import prepared_cursor
from core.raw_models import ModelColumns
from venues.models import VenuePage

_RESOURCE = ModelColumns(Resource, "r")
_VENUE = ModelColumns(VenuePage, "v", parents={Page: "p"})
_STATEMENTS: dict[str, str] = {}


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
    """The resource with its venue, as ``select_related("venue")`` would give them, in one
    hand-written statement: every booking reads it, and the ORM spent about 1 ms of CPU compiling
    the join of 83 columns (``core.raw_models``; ``test_resource_read.py`` holds it to that query)."""
    if not 0 < pk < 2**63:
        return None
    with prepared_cursor() as cursor:
        cursor.execute(_resource_statement(), [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    resource = _RESOURCE.take(row, 0)
    resource.venue = _VENUE.take(row, _RESOURCE.width)
    return resource


def _resource_statement() -> str:
    """Written once per database vendor (the quoting differs)."""
    if connection.vendor not in _STATEMENTS:
        _STATEMENTS[connection.vendor] = (
            f"SELECT {_RESOURCE.sql()}, {_VENUE.sql()} FROM {_RESOURCE.table()} "  # noqa: S608 — names from our models, values as parameters
            f"{_VENUE.join(_RESOURCE.column('venue'))} WHERE {_RESOURCE.column('pk')} = %s"
        )
    return _STATEMENTS[connection.vendor]


def resource_for_feed(*, pk: int) -> Resource | None:
    if not 0 < pk < 2**63:
        return None
    return resources_bookable().filter(pk=pk).first()
