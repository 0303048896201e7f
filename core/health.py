"""``/health/`` for the load balancer: can this web process reach the database, the cache and the
Celery broker? 200 when all three answer, 500 otherwise, as JSON (``?format=text`` or
``Accept: text/plain`` for text).

Built on django-health-check's checks (its database check, its base class and exceptions). The
view is ours and synchronous: the library's is an async view, which a WSGI server runs through
``async_to_sync`` on an event loop of its own for every probe, and which fails outright in a
thread that already runs a loop. The cache check is a synchronous twin of the library's. The
broker check is our own: the library's Celery check pings workers, and a web process whose
workers are down still serves pages, so a load balancer must not take it out of rotation for
that. Nothing here touches a session, a cookie or a rate limit.
"""

import dataclasses
import datetime
import logging
import uuid

from celery import current_app
from django.core.cache import InvalidCacheBackendError, caches
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.decorators.http import require_safe
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.exceptions import HealthCheckException, ServiceReturnedUnexpectedResult, ServiceUnavailable

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class Cache(HealthCheck):
    """A key written and read back (its own, so that processes probing at once do not race)."""

    alias: str = "default"

    def run(self) -> None:
        try:
            cache = caches[self.alias]
        except InvalidCacheBackendError as error:
            raise ServiceUnavailable("Cache alias does not exist") from error
        key, value = f"essaim:health:{uuid.uuid4().hex}", "itworks"
        try:
            cache.set(key, value, timeout=5)
            if cache.get(key) != value:
                raise ServiceUnavailable("Cache key does not match")
            cache.delete(key)
        except HealthCheckException:
            raise
        except Exception as error:  # the backend's own errors (redis, OSError)
            raise ServiceReturnedUnexpectedResult(f"Connection Error ({type(error).__name__})") from error


@dataclasses.dataclass
class CeleryBroker(HealthCheck):
    """The broker accepts a connection (tasks queued by this process would reach it). With eager
    tasks (no broker configured) there is nothing to reach."""

    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=3), repr=False)

    def run(self) -> None:
        if current_app.conf.task_always_eager:
            return
        try:
            with current_app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=self.timeout.total_seconds())
        except Exception as error:  # kombu raises the transport's own errors (redis, amqp, OSError)
            raise ServiceUnavailable(f"broker unreachable ({type(error).__name__})") from error


def _checks() -> tuple[HealthCheck, ...]:
    return (Database(), Cache(), CeleryBroker())


def _outcome(check: HealthCheck) -> str:
    """``"OK"``, or what failed in words that name no secret (the library's messages)."""
    try:
        check.run()
    except HealthCheckException as error:
        logger.warning("Health check %r failed", check, exc_info=True)
        return str(error)
    except Exception:
        logger.exception("Unexpected exception during health check %r", check)
        return str(HealthCheckException("unknown error"))
    return "OK"


def _wants_text(request) -> bool:
    asked = request.GET.get("format")
    if asked in ("text", "json"):
        return asked == "text"
    return request.accepts("text/plain") and not request.accepts("application/json")


@require_safe
def health(request):
    results = {repr(check): _outcome(check) for check in _checks()}
    status = 200 if all(outcome == "OK" for outcome in results.values()) else 500
    if _wants_text(request):
        lines = "".join(f"{name}: {outcome}\n" for name, outcome in results.items())
        response = HttpResponse(lines, content_type="text/plain; charset=utf-8", status=status)
    else:
        response = JsonResponse(results, status=status)
    patch_vary_headers(response, ["Accept"])
    add_never_cache_headers(response)
    return response
