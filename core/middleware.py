"""A form or query that lacks a field a view reads by index is the client's error, not ours.

``request.POST["x"]`` raises ``MultiValueDictKeyError`` (a ``KeyError``) when ``x`` is missing;
Wagtail's page editor does so for a StreamField's ``<name>-count``, so a hand-made POST to
``/admin/pages/<id>/edit/`` answered 500. Such a request gets a 400 that names the field.
"""

from django.http import HttpResponseBadRequest
from django.utils.datastructures import MultiValueDictKeyError
from django.utils.html import escape
from django.utils.translation import gettext as _


class MissingFieldMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, MultiValueDictKeyError):
            field = exception.args[0] if exception.args else ""
            return HttpResponseBadRequest(escape(_("The request lacks the field %(field)s.") % {"field": field}))
        return None
