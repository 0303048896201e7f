"""Malformed admin and page requests are the client's error, not ours: a 400 that says why.

- ``request.POST["x"]`` raises ``MultiValueDictKeyError`` (a ``KeyError``) when ``x`` is missing;
  Wagtail's page editor does so for a StreamField's ``<name>-count``, so a hand-made POST to
  ``/admin/pages/<id>/edit/`` answered 500.
- Wagtail's admin actions redirect to ``next`` through Django's ``redirect()``, which takes a
  value with neither ``/`` nor ``.`` for a view name: ``next=2026-01-01T00:00`` raised
  ``NoReverseMatch``. Only that case is answered here (the ``next`` given is such a name);
  any other ``NoReverseMatch`` is our bug and stays a 500.
- A NUL character in the path or the query string (``%00``) is refused before any view runs:
  PostgreSQL cannot hold one in text, so ``/feeds/events.ics?city=%00`` or a slug with it raised
  ``DataError`` there (forms and DRF's fields already refuse it in bodies).
- Wagtail's admin API (the page chooser's) reads ``offset`` and ``id`` with a bare ``int()``: an
  offset past 64 bits was an ``IntegrityError``, ``find/?id=x`` a ``ValueError``. Under
  ``/admin/api/`` both must be whole numbers that fit in 64 bits.
"""

from django.http import HttpResponseBadRequest
from django.urls import NoReverseMatch
from django.utils.datastructures import MultiValueDictKeyError
from django.utils.html import escape
from django.utils.translation import gettext as _

from core.routes import MAX_ID

#: Query keys Wagtail's admin API turns into integers without a check.
ADMIN_API_INTEGERS = ("offset", "id")


def _next_is_not_a_url(request) -> bool:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return bool(target) and "/" not in target and "." not in target


class MalformedRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in key + "".join(values) for key, values in request.GET.lists()):
            return HttpResponseBadRequest(escape(_("The address holds a NUL character (%00).")))
        if request.path.startswith("/admin/api/"):
            for key in ADMIN_API_INTEGERS:
                value = request.GET.get(key)
                if value is not None and not (value.isdigit() and value.isascii() and int(value) <= MAX_ID):
                    return HttpResponseBadRequest(escape(_("%(key)s must be a whole number.") % {"key": key}))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, MultiValueDictKeyError):
            field = exception.args[0] if exception.args else ""
            return HttpResponseBadRequest(escape(_("The request lacks the field %(field)s.") % {"field": field}))
        if isinstance(exception, NoReverseMatch) and _next_is_not_a_url(request):
            return HttpResponseBadRequest(escape(_("next must be a path on this site, such as /admin/.")))
        return None
