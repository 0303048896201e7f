"""``/api/v1/`` paths of the booking engine (included by ``sites.urls`` in the ``api`` namespace)."""

from django.urls import path

from bookings import api

urlpatterns = [
    path("resources/", api.ResourceListApi.as_view(), name="resource-list"),
    path("resources/<int:pk>/", api.ResourceDetailApi.as_view(), name="resource-detail"),
    path("resources/<int:pk>/availability/", api.ResourceAvailabilityApi.as_view(), name="resource-availability"),
    path("availability/", api.NetworkAvailabilityApi.as_view(), name="availability"),
    path("bookings/", api.BookingListApi.as_view(), name="booking-list"),
    path("bookings/<int:pk>/", api.BookingDetailApi.as_view(), name="booking-detail"),
    path("bookings/<int:pk>/cancel/", api.BookingCancelApi.as_view(), name="booking-cancel"),
]
