"""``/health/`` for the load balancer: can this web process reach the database, the cache and the
Celery broker? 200 when all three answer, 500 otherwise, as JSON (``?format=text`` or
``Accept: text/plain`` for text).

Built on django-health-check's view and its database and cache checks. The broker check is our
own: the library's Celery check pings workers, and a web process whose workers are down still
serves pages, so a load balancer must not take it out of rotation for that. Nothing here touches a
session, a cookie or a rate limit.
"""

import dataclasses
import datetime

from celery import current_app
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


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


class HealthView(HealthCheckView):
    """The three checks, in parallel; JSON even for a browser (no template, no app to install)."""

    checks = (Database, Cache, CeleryBroker)

    def render_to_response(self, context, **response_kwargs):
        return self.render_to_response_json(response_kwargs.get("status", 200))
