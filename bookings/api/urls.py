"""``/api/v1/`` paths of the booking engine (included by ``sites.urls`` in the ``api`` namespace)."""

from django.urls import path

from bookings.api import bookings, resources

urlpatterns = [
    path("resources/", resources.ResourceListApi.as_view(), name="resource-list"),
    path("resources/<int:pk>/", resources.ResourceDetailApi.as_view(), name="resource-detail"),
    path("resources/<int:pk>/availability/", resources.ResourceAvailabilityApi.as_view(), name="resource-availability"),
    path("availability/", resources.NetworkAvailabilityApi.as_view(), name="availability"),
    path("bookings/", bookings.BookingListApi.as_view(), name="booking-list"),
    path("bookings/<int:pk>/", bookings.BookingDetailApi.as_view(), name="booking-detail"),
    path("bookings/<int:pk>/cancel/", bookings.BookingCancelApi.as_view(), name="booking-cancel"),
    path("bookings/<uuid:uid>/cancel/", bookings.RemoteBookingCancelApi.as_view(), name="remote-booking-cancel"),
]
