"""Domain errors: every service raises these, with a stable code and a translatable message.

One API exception handler (``core.api.exception_handler``) turns them into JSON
``{"detail": …, "code": …}`` with the status the subclass names; HTML views show the message.
"""


class DomainError(Exception):
    status = 400
    default_code = "invalid"

    def __init__(self, message, *, code: str | None = None, extra: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}


class InvalidInput(DomainError):
    status = 400
    default_code = "invalid"


class PermissionDenied(DomainError):
    status = 403
    default_code = "permission_denied"


class NotFound(DomainError):
    status = 404
    default_code = "not_found"


class Conflict(DomainError):
    status = 409
    default_code = "conflict"


class Unavailable(DomainError):
    """A service we depend on (Stripe) did not answer: nothing was changed, try again later."""

    status = 503
    default_code = "unavailable"


class Busy(DomainError):
    """A lock was not granted in time (``core.locking``): nothing was changed, try again shortly."""

    status = 503
    default_code = "busy"
    #: Seconds a client should wait before retrying (the ``Retry-After`` header).
    retry_after = 2
