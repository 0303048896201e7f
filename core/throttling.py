"""DRF's throttles, counting clients by ``core.client_address.client_ident``, in one atomic step.

DRF's own ``get_ident`` believes any ``X-Forwarded-For`` unless ``NUM_PROXIES`` is set, so a
client could start a fresh allowance with every request. Every throttle in Essaim derives from
these (a test walks the URL patterns to make sure).

DRF keeps each client's history as a list it reads from the cache, then writes back: two round
trips a request, and requests that arrive together all read the same history and all pass. On
Redis (``core.redis_cache``) the same sliding window is one script, atomic and one round trip;
the local-memory cache of a single process keeps DRF's way.
"""

from rest_framework import throttling

from core.client_address import client_ident


class ClientIdentMixin:
    """The throttle's notion of "this machine" is the address we trust, not a header."""

    def get_ident(self, request):
        return client_ident(request)


class _AtomicWindow(throttling.SimpleRateThrottle):
    """``SimpleRateThrottle``'s check and count as one ``sliding_window_hit`` where the cache has it.
    Listed last among a throttle's bases, so that DRF's ``ScopedRateThrottle`` picks its rate first."""

    def allow_request(self, request, view):
        hit = getattr(self.cache, "sliding_window_hit", None)
        if hit is None or self.rate is None:
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        allowed, count, oldest = hit(self.key, self.now, self.duration, self.num_requests)
        # What ``wait()`` reads: as many entries as the window holds, the oldest last.
        self.history = [self.now] * (count - 1) + [oldest] if count else []
        return allowed or self.throttle_failure()


class AnonRateThrottle(ClientIdentMixin, throttling.AnonRateThrottle, _AtomicWindow):
    pass


class UserRateThrottle(ClientIdentMixin, throttling.UserRateThrottle, _AtomicWindow):
    pass


class ScopedRateThrottle(ClientIdentMixin, throttling.ScopedRateThrottle, _AtomicWindow):
    pass
