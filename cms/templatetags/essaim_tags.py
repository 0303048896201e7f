"""Template tags for the site chrome."""

from django import template
from django.conf import settings
from django.utils import translation
from wagtail.models import Page

register = template.Library()


@register.inclusion_tag("cms/includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Links to this page in each language: the page's own translation when it is a Wagtail
    page (slugs differ between languages), else the same path through Django's set_language."""
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
            if target is None:
                continue
            url = target.get_url(request)
            links.append(
                {"code": code, "name": name, "url": f"{url}?{query}" if query else url, "current": code == current}
            )
        return {"links": links, "form": False, "request": request, "current": current}
    return {"links": [], "form": True, "request": request, "current": current, "languages": settings.LANGUAGES}
