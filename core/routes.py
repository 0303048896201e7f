"""Integer ids in URLs stay within what the database stores.

Primary keys are 64-bit signed integers. Django's ``<int:…>`` converter accepts any number of
digits, and a lookup through a relation (a page's ``page_ptr``, a foreign key) does not get
Django's own overflow guard: ``/agenda/programmes/99999999999999999999/inscription/`` raised
``OverflowError`` on SQLite and ``DataError`` on PostgreSQL, a 500. ``bound_int_routes`` gives
every ``<int:…>`` of the URLconf, ours and Wagtail's alike, a converter that refuses such a
number, so the path matches nothing and the answer is a 404. Overriding Django's ``int``
converter by name is deprecated (refused from Django 6), hence the walk over the patterns.

Wagtail's image and document choosers take ``<str:pk>`` although those models' ids are integers:
junk there raised ``ValueError`` (a 500); ``INTEGER_PK_ROUTES`` gets the same bounded converter.
"""

from django.urls import URLPattern, URLResolver
from django.urls.converters import IntConverter

#: The largest id a row can have (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class BoundedIntConverter(IntConverter):
    """``<int:…>`` up to ``MAX_ID``; a larger number is no match (``ValueError``), hence a 404."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise ValueError(f"{value} is beyond {MAX_ID}")
        return number


_BOUNDED = BoundedIntConverter()
#: Named routes (``namespace:name``) whose ``<str:pk>`` is an integer id.
INTEGER_PK_ROUTES = {"wagtailimages_chooser:chosen", "wagtaildocs_chooser:chosen"}


def bound_int_routes(patterns, namespace: str = "") -> None:
    """Swap the converter of every ``<int:…>`` under ``patterns`` (included URLconfs too)."""
    for entry in patterns:
        converters = getattr(entry.pattern, "converters", None) or {}
        integer_pk = isinstance(entry, URLPattern) and f"{namespace}:{entry.name}" in INTEGER_PK_ROUTES
        for name, converter in converters.items():
            if type(converter) is IntConverter or (integer_pk and name == "pk"):
                converters[name] = _BOUNDED
        if isinstance(entry, URLResolver):
            bound_int_routes(entry.url_patterns, ":".join(filter(None, [namespace, entry.namespace])))
        elif not isinstance(entry, URLPattern):
            raise TypeError(f"Unexpected URL entry {entry!r}")
