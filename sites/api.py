"""API plumbing shared by every app: pagination and the one exception handler.

Errors always come out as ``{"detail": <readable reason>, "code": <stable code>}``; DRF's field
errors keep their per-field messages under ``errors``.
"""

from rest_framework import exceptions, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sites.errors import DomainError


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            message = _first_message(value)
            return message if field in {"non_field_errors", "detail"} else f"{field}: {message}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": str(exc.message), "code": exc.code, **exc.extra}
        return Response(body, status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _first_message(exc.detail), "code": "invalid", "errors": exc.detail}
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {"detail": str(exc.detail), "code": codes if isinstance(codes, str) else "error"}
    return response


def public_endpoints_only(endpoints):
    """drf-spectacular hook: the schema documents ``/api/v1/`` and nothing of the admin's APIs."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
