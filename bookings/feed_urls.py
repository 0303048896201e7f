"""iCalendar feeds, at fixed paths outside the language prefix (namespace ``feeds``)."""

from django.urls import path

from bookings import feeds

urlpatterns = [
    path("me/<str:secret>.ics", feeds.person_feed, name="me"),
    path("resources/<int:pk>.ics", feeds.resource_feed, name="resource"),
    path("resources/<int:pk>/freebusy.ics", feeds.resource_freebusy_feed, name="resource-freebusy"),
    # Not ``venues/<secret>.ics``: that is the events app's ``venues/<slug>.ics`` (a venue's public
    # agenda), which a secret-shaped pattern listed first would take over.
    path("venues/team/<str:secret>.ics", feeds.venue_team_feed, name="venue-team"),
]
