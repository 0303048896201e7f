"""Events API routes, included under ``/api/v1/`` (namespace ``api``)."""

from django.urls import path

from events.api import events, registrations, waitlist

urlpatterns = [
    path("events/", events.EventListApi.as_view(), name="event-list"),
    path("events/<int:pk>/", events.EventDetailApi.as_view(), name="event-detail"),
    path("events/<int:pk>/registrations/", registrations.EventRegistrationApi.as_view(), name="event-registrations"),
    path("events/<int:pk>/waitlist/", waitlist.EventWaitlistApi.as_view(), name="event-waitlist"),
    path("waitlist/", waitlist.WaitlistListApi.as_view(), name="waitlist-list"),
    path("waitlist/<int:pk>/", waitlist.WaitlistEntryApi.as_view(), name="waitlist-entry"),
    path("waitlist/<int:pk>/accept/", waitlist.WaitlistAcceptApi.as_view(), name="waitlist-accept"),
    path("programmes/<int:pk>/", events.ProgrammeDetailApi.as_view(), name="programme-detail"),
    path(
        "programmes/<int:pk>/registrations/",
        registrations.ProgrammeRegistrationApi.as_view(),
        name="programme-registrations",
    ),
]
