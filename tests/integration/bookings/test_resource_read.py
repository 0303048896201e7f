"""``bookings.selectors.resource_get`` (one hand-written statement, read by every booking) gives
what its ORM twin gives: the resource and its venue (a Wagtail page, two tables), every field
converted as the ORM converts it, the venue cached on the resource."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import selectors
from bookings.models import Resource

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.mark.parametrize(("kind", "capacity"), [("room", 1), ("desk_pool", 4)])
def test_the_statement_reads_what_the_orm_reads(make_venue, make_resource, kind, capacity):
    venue = make_venue(
        "totem",
        opening_hours=[(0, "09:00", "18:00")],
        timezone="Europe/Paris",
        accessibility="Step-free entrance.",
        origin_urls={"fr": "https://example.org/lieu/"},
    )
    resource = make_resource(
        venue, name="Salle Lovelace", kind=kind, capacity=capacity, max_per_day=2, price_minor=1250, seats=6
    )
    expected = Resource.objects.select_related("venue").get(pk=resource.pk)

    with CaptureQueriesContext(connection) as captured:
        found = selectors.resource_get(pk=resource.pk)
        venue_read = found.venue
    assert len(captured) == 1  # the venue came with the resource

    assert type(venue_read) is type(expected.venue)
    assert _fields(found) == _fields(expected)
    assert _fields(venue_read) == _fields(expected.venue)
    assert venue_read.live and venue_read.timezone == "Europe/Paris"
    assert found.created_at.tzinfo is not None and venue_read.first_published_at.tzinfo is not None
    assert not found._state.adding and found._state.db == "default"


@pytest.mark.parametrize("pk", [0, -1, 2**63, 987654])
def test_no_resource_reads_none(pk):
    assert selectors.resource_get(pk=pk) is None
