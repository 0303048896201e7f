"""DRF's throttles, counting clients by ``core.client_address.client_ident``.

DRF's own ``get_ident`` believes any ``X-Forwarded-For`` unless ``NUM_PROXIES`` is set, so a
client could start a fresh allowance with every request. Every throttle in Essaim derives from
these (a test walks the URL patterns to make sure).
"""

from rest_framework import throttling

from core.client_address import client_ident


class ClientIdentMixin:
    """The throttle's notion of "this machine" is the address we trust, not a header."""

    def get_ident(self, request):
        return client_ident(request)


class AnonRateThrottle(ClientIdentMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientIdentMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(ClientIdentMixin, throttling.ScopedRateThrottle):
    pass
