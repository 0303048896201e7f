"""iCalendar feeds, at fixed paths outside the language prefix (namespace ``feeds``)."""

from django.urls import path

from bookings import feeds

urlpatterns = [
    path("me/<str:secret>.ics", feeds.person_feed, name="me"),
    path("resources/<int:pk>.ics", feeds.resource_feed, name="resource"),
]
