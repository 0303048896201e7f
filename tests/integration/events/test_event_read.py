"""``events.selectors.event_get`` (one hand-written statement, read by every registration) gives
what its ORM twin gives: the live event, its venue (a Wagtail page, two tables) and its seats (a
resource, perhaps none), every field converted as the ORM converts it, all cached on the event."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import selectors
from events.models import Event
from tests.support.factories import EventPageFactory

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def _orm_twin(pk: int) -> Event | None:
    return Event.objects.filter(pk=pk, live=True).select_related("venue", "seats").first()


def test_the_statement_reads_what_the_orm_reads():
    page = EventPageFactory(capacity=12)
    event = selectors.event_for_page(page)
    expected = _orm_twin(event.pk)

    with CaptureQueriesContext(connection) as captured:
        found = selectors.event_get(pk=event.pk)
        venue, seats = found.venue, found.seats
        assert seats.venue is venue  # one object: a booking's answer names it without a query
    assert len(captured) == 1

    assert _fields(found) == _fields(expected)
    assert _fields(venue) == _fields(expected.venue)
    assert _fields(seats) == _fields(expected.seats)
    assert found.titles and found.start.tzinfo is not None and seats.created_at.tzinfo is not None
    assert not found._state.adding and found._state.db == "default"


def test_an_event_without_seats_has_none_cached():
    event = selectors.event_for_page(EventPageFactory())
    Event.objects.filter(pk=event.pk).update(seats=None)
    with CaptureQueriesContext(connection) as captured:
        found = selectors.event_get(pk=event.pk)
        assert found.seats is None
    assert len(captured) == 1
    assert _fields(found) == _fields(_orm_twin(event.pk))


@pytest.mark.parametrize("pk", [0, -1, 2**63, 987654])
def test_no_event_reads_none(pk):
    assert selectors.event_get(pk=pk) is None


def test_an_unpublished_event_reads_none():
    event = selectors.event_for_page(EventPageFactory())
    Event.objects.filter(pk=event.pk).update(live=False)
    assert selectors.event_get(pk=event.pk) is None
    assert _orm_twin(event.pk) is None
