"""``{{ fragment|lang_attr }}``: ` lang="fr"` on an element whose text is not in the page's language.

``fragment`` is a ``core.localized.LocalText`` or a language code. Nothing is emitted when the
languages agree or the fragment's is unknown, so the attribute marks exactly the exceptions.
"""

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html

register = template.Library()


@register.filter
def lang_attr(fragment) -> str:
    language = getattr(fragment, "language", fragment)
    if not isinstance(language, str) or not language:
        return ""
    page = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    if language[:2] == page:
        return ""
    return format_html(' lang="{}"', language)
