"""The home page lists events: the events fixtures."""

from tests.integration.events.conftest import make_event  # noqa: F401
