"""Events API routes, included under ``/api/v1/`` (namespace ``api``)."""

from django.urls import path

from events import api

urlpatterns = [
    path("events/", api.EventListApi.as_view(), name="event-list"),
    path("events/<int:pk>/", api.EventDetailApi.as_view(), name="event-detail"),
    path("events/<int:pk>/registrations/", api.EventRegistrationApi.as_view(), name="event-registrations"),
    path("events/<int:pk>/waitlist/", api.EventWaitlistApi.as_view(), name="event-waitlist"),
    path("waitlist/", api.WaitlistListApi.as_view(), name="waitlist-list"),
    path("waitlist/<int:pk>/", api.WaitlistEntryApi.as_view(), name="waitlist-entry"),
    path("waitlist/<int:pk>/accept/", api.WaitlistAcceptApi.as_view(), name="waitlist-accept"),
    path("programmes/<int:pk>/", api.ProgrammeDetailApi.as_view(), name="programme-detail"),
    path(
        "programmes/<int:pk>/registrations/",
        api.ProgrammeRegistrationApi.as_view(),
        name="programme-registrations",
    ),
]
