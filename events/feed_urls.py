"""Event feeds, included with the booking engine's under ``/feeds/`` (namespace ``feeds``)."""

from django.urls import path

from events import feeds

urlpatterns = [
    path("events.ics", feeds.events_feed, name="events"),
    path("venues/<str:slug>.ics", feeds.venue_feed, name="venue"),
    path("programmes/<str:slug>.ics", feeds.programme_feed, name="programme"),
]
