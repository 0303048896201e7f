"""Work that follows a committed change (e-mails, invitations, Stripe calls, waitlist offers):
queued once the transaction commits, and never able to turn the committed change into an error
answer.

Without a broker Celery runs tasks eagerly, inside the request that made the change, and
propagates their errors (``CELERY_TASK_EAGER_PROPAGATES``): a booking saved as confirmed answered
500 because its confirmation e-mail could not be built. Here the failure is logged with its
traceback and swallowed; the change stands. A task keeps its own retry policy: eagerly, Celery
retries it in place before it fails here; with a broker, ``delay`` only publishes and the worker
retries (a publishing failure, the broker being down, is logged here the same way).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)


def after_commit(work: Callable, *args, using: str | None = None, **kwargs) -> None:
    """Once the current transaction commits (at once outside one): ``work.delay(*args, **kwargs)``
    for a Celery task, ``work(*args, **kwargs)`` for a plain function; a failure is logged, not raised."""
    name = getattr(work, "name", None) or getattr(work, "__qualname__", repr(work))

    def run() -> None:
        try:
            if hasattr(work, "delay"):
                work.delay(*args, **kwargs)
            else:
                work(*args, **kwargs)
        except Exception:
            logger.exception("after-commit work %s%r failed; the committed change stands", name, args)

    transaction.on_commit(run, using=using)
