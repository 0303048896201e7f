"""The per-person ``booking`` rate: one allowance shared by the booking pages, the payment pages,
the events' registration pages and the API (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``)."""

from rest_framework.permissions import SAFE_METHODS

from core.throttling import ScopedRateThrottle, UserRateThrottle


class BookingRate(UserRateThrottle):
    """The pages' side of the ``booking`` rate (the API's is ``BookingWriteThrottle``), same bucket."""

    scope = "booking"


def over_rate(request) -> bool:
    """Whether this request (a page's POST) goes over the person's ``booking`` rate; counts it if not."""
    return not BookingRate().allow_request(request, None)


class BookingWriteThrottle(ScopedRateThrottle):
    """The ``booking`` rate (per person) on the API's writes; reading one's bookings is not rationed."""

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
