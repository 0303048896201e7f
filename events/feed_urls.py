"""Event feeds, included with the booking engine's under ``/feeds/`` (namespace ``feeds``)."""

urlpatterns: list = []
