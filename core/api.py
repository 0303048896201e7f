"""API plumbing shared by every app: input parsing (instants, validation), pagination, the error
shape and the one exception handler.

Errors always come out as ``{"detail": <readable reason>, "code": <stable code>}``; DRF's field
errors keep their per-field messages under ``errors``.
"""

import io
import itertools
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError, InvalidInput
from core.windows import FIRST_DAY, FIRST_YEAR, LAST_DAY, LAST_YEAR

#: The OpenAPI shape of a price or an amount: a decimal string in the currency's units.
DECIMAL_STRING = {"type": "string", "format": "decimal", "pattern": r"^[0-9]+(\.[0-9]+)?$", "example": "12.50"}


def local_iso(value: datetime | None, tz: ZoneInfo) -> str | None:
    return None if value is None else value.astimezone(tz).isoformat()


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_instant(value) -> datetime:
    """An ISO 8601 date and time with its UTC offset, as UTC; ``ValidationError`` otherwise."""
    invalid = serializers.ValidationError(
        _("Not a date and time: use ISO 8601 with an offset, e.g. 2026-03-05T09:00:00+01:00."),
        code="invalid_datetime",
    )
    if not isinstance(value, str) or len(value) > 64:
        raise invalid
    text = value.strip()
    parsed = _parse_iso(text)
    if parsed is None and " " in text:
        # An unencoded "+01:00" in a query string arrives as " 01:00".
        head, _space, offset = text.rpartition(" ")
        parsed = _parse_iso(f"{head}+{offset}")
    if parsed is None:
        raise invalid
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise serializers.ValidationError(
            _("Give times with their UTC offset, e.g. 2026-03-05T09:00:00+01:00."), code="naive_datetime"
        )
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise serializers.ValidationError(
            _("Give a date and time between %(first)s and %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY},
            code="out_of_range",
        )
    return parsed.astimezone(UTC)


@extend_schema_field(OpenApiTypes.DATETIME)
class InstantField(serializers.Field):
    """An ISO 8601 instant with its offset; naive or unreadable ones are refused with their code."""

    def to_internal_value(self, data):
        return parse_instant(data)

    def to_representation(self, value):
        return value.isoformat()


#: Input errors that name a rule keep their code; any other malformed input is ``invalid``.
RULE_CODES = {"invalid_datetime", "naive_datetime", "end_before_start", "window_too_long", "out_of_range"}


def _first_error(errors, field: str = ""):
    if isinstance(errors, dict):
        name, value = next(iter(errors.items()))
        return _first_error(value, name)
    if isinstance(errors, list):
        return _first_error(errors[0], field)
    return field, errors


def validated(serializer: serializers.Serializer) -> dict:
    """The serializer's data, or a 400: ``code`` names the rule for dates and windows."""
    if serializer.is_valid():
        return serializer.validated_data
    field, error = _first_error(serializer.errors)
    if getattr(error, "code", None) in RULE_CODES:
        message = str(error) if field == api_settings.NON_FIELD_ERRORS_KEY else f"{field}: {error}"
        raise InvalidInput(message, code=error.code, extra={"errors": serializer.errors})
    raise serializers.ValidationError(serializer.errors)


#: Deeper JSON is refused before it is parsed: Python's parser (and whatever walks the result)
#: recurses once a level, so 1,000 levels in a 2 KB body ended in a RecursionError (a 500).
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in ``text`` (brackets inside strings do not count)."""
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    steps = (1 if bracket in "[{" else -1 for bracket in brackets)
    return max(itertools.accumulate(steps, initial=0))


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser behind two bounds: the body's size (Django's
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``, which DRF's stream reading does not apply) and the depth of
    nesting (``MAX_JSON_DEPTH``); either gives a clear 413 or 400, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if stream is None:
            raw = b""
        else:
            raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(_("The request body is over %(n)s bytes.") % {"n": limit})
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as error:
            raise exceptions.ParseError(_("The JSON body is not valid %(charset)s.") % {"charset": encoding}) from error
        if json_depth(text) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                _("The JSON body nests deeper than %(n)s levels.") % {"n": MAX_JSON_DEPTH}, code="too_deep"
            )
        return super().parse(io.BytesIO(raw), media_type, parser_context)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.JSONField(required=False, help_text="Per-field messages of malformed input")
    remaining = serializers.IntegerField(required=False, help_text="With no_room: units still free")


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500

    def get_schema_operation_parameters(self, view):
        """``limit`` and ``offset`` with their range: a larger limit is cut to ``max_limit``."""
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0},
        }
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], **bounds.get(parameter["name"], {})}
        return parameters


class RangedIntegerField(serializers.IntegerField):
    """An integer whose range the service checks with its own error code (``quantity_invalid``,
    ``bad_quantity``…): the OpenAPI schema states the range, no validator is added, so the answer
    keeps the rule's code."""

    def __init__(self, *, range_min: int | None = None, range_max: int | None = None, **kwargs):
        super().__init__(**kwargs)
        bounds = {"minimum": range_min, "maximum": range_max}
        schema = {"type": "integer", **{key: value for key, value in bounds.items() if value is not None}}
        if range_max is not None and range_max > 2**31 - 1:
            schema["format"] = "int64"
        set_override(self, "field", schema)


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            message = _first_message(value)
            return message if field in {"non_field_errors", "detail"} else f"{field}: {message}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):  # Django's own bound on a body read before the parser
        exc = PayloadTooLarge(_("The request body is over %(n)s bytes.") % {"n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    if isinstance(exc, DomainError):
        body = {"detail": str(exc.message), "code": exc.code, **exc.extra}
        retry_after = getattr(exc, "retry_after", None)
        return Response(body, status=exc.status, headers={"Retry-After": str(retry_after)} if retry_after else None)
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


def not_found(request, exception):
    """The site's 404 (``handler404``): under ``/api/`` the API's error shape, not an HTML page —
    a path that matches no route (an id beyond 64 bits, a typo) is still a JSON answer."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(_("Not found.")), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def public_endpoints_only(endpoints):
    """drf-spectacular hook: the schema documents ``/api/v1/`` and nothing of the admin's APIs."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
