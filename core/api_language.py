"""The API's language: ``/api/`` has no language prefix, so ``LocaleMiddleware`` answered it in
French whatever the caller. Here, in order: the ``lang`` query parameter (where a view takes one),
the authenticated person's chosen language (``core.identity``), ``Accept-Language``, French.

Session users are known to the middleware; token users only once DRF has authenticated them, so
``TokenAuthentication`` here applies the person's language as soon as it knows who they are. A
booking made through the API is stored in the language active then (``booking.language``).
"""

from django.conf import settings
from django.utils import translation
from rest_framework import authentication

from core import identity

API_PREFIX = "/api/"
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def _asked(request) -> str | None:
    code = request.GET.get("lang", "")
    return code if code in LANGUAGE_CODES else None


def _accepted(request) -> str:
    """``Accept-Language`` only: the API ignores the language cookie the pages set."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for accepted, _quality in translation.trans_real.parse_accept_lang_header(header):
        if accepted == "*":
            break
        code = accepted.split("-")[0].lower()
        if code in LANGUAGE_CODES:
            return code
    return settings.LANGUAGE_CODE


def api_language(request, user=None) -> str:
    return _asked(request) or identity.preferred_language(user) or _accepted(request)


class ApiLanguageMiddleware:
    """After ``AuthenticationMiddleware``: activates the API request's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            code = api_language(request, getattr(request, "user", None))
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, then the person's language (unless ``lang`` names one)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and _asked(request) is None:
            chosen = identity.preferred_language(result[0])
            if chosen:
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
        return result
