"""Template tags for the site chrome."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Page

register = template.Library()


@register.inclusion_tag("cms/includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Links to this page in each language: the page's own translation when it is a Wagtail
    page (slugs differ between languages), else the same view under the language's prefix."""
    request = context.get("request")
    page = context.get("page")
    current = translation.get_language()
    query = request.GET.urlencode() if request else ""
    links = []
    if isinstance(page, Page):
        translations = {
            p.locale.language_code: p for p in page.get_translations(inclusive=True).live().select_related("locale")
        }
        for code, name in settings.LANGUAGES:
            target = translations.get(code)
            if target is not None:
                links.append(_link(code, name, target.get_url(request), query, current))
    elif request is not None:
        for code, name in settings.LANGUAGES:
            links.append(_link(code, name, translate_url(request.path, code), query, current))
    # A page that exists in one language only needs no switcher.
    return {"links": links if len(links) > 1 else []}


def _link(code: str, name: str, url: str, query: str, current: str) -> dict:
    return {"code": code, "name": name, "url": f"{url}?{query}" if query else url, "current": code == current}
