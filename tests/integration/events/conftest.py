"""Event fixtures: event pages published through Wagtail's own path, at a fresh venue."""

import pytest

from events import selectors
from tests.integration.payments.conftest import fake_stripe, stripe_on  # noqa: F401  (paid events)
from tests.support.factories import EventPageFactory, weekday_on_or_after  # noqa: F401  (tests import it from here)


@pytest.fixture
def make_event(make_venue):
    """Publish an event page (a fresh venue unless given) and return ``(page, event)``: a Tuesday
    evening over a week ahead, three seats, unless ``fields`` say otherwise."""

    def make(venue=None, *, changes=(), **fields):
        page = EventPageFactory(venue=venue or make_venue(), changes=changes, **fields)
        return page, selectors.event_for_page(page)

    return make
