"""The events API's language: the ``lang`` query parameter, as ``/api/v1/`` has no language prefix."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from core.errors import InvalidInput

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]

LANG_PARAMETER = OpenApiParameter(
    name="lang",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.QUERY,
    required=False,
    enum=LANGUAGE_CODES,
    description=(
        "Language of titles, links and messages. Without it: the caller's chosen language, then "
        f"Accept-Language, then {settings.LANGUAGE_CODE}."
    ),
)


class LanguageMixin:
    """Run the view in the ``lang`` query parameter's language (``/api/`` has no language prefix)
    and refuse an unknown one."""

    def dispatch(self, request, *args, **kwargs):
        # Without a valid ``lang``, the language core.api_language chose (the person's, then
        # Accept-Language, then French) stays.
        code = request.GET.get("lang", "")
        with translation.override(code if code in LANGUAGE_CODES else translation.get_language()):
            response = super().dispatch(request, *args, **kwargs)
            response.headers.setdefault("Content-Language", translation.get_language())
            return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        code = request.query_params.get("lang")
        if code is not None and code not in LANGUAGE_CODES:
            raise InvalidInput(
                _("lang: use one of %(codes)s.") % {"codes": ", ".join(LANGUAGE_CODES)}, code="unknown_language"
            )
