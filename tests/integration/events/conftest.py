"""Event fixtures: event pages published through Wagtail's own path, at a fresh venue."""

from datetime import date, time, timedelta

import pytest

from tests.integration.payments.conftest import fake_stripe, stripe_on  # noqa: F401  (paid events)


def weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@pytest.fixture
def make_event(make_venue):
    """Publish an event page (a fresh venue unless given) and return ``(page, event)``."""
    from events import selectors
    from events.services import event_page_create

    def make(venue=None, *, changes=(), **fields):
        venue = venue or make_venue()
        start = weekday_on_or_after(date.today() + timedelta(days=8), 1)  # a Tuesday, over a week ahead
        defaults = {
            "title": "Apéro des entrepreneurs",
            "start_date": start,
            "start_time": time(18, 30),
            "end_time": time(20, 0),
            "capacity": 3,
        }
        page = event_page_create(venue=venue, changes=changes, **(defaults | fields))
        return page, selectors.event_for_page(page)

    return make
