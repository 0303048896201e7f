"""What the event and programme pages ask of the events app.

Wagtail serves these pages; the tags compute their context once per request (the pages' models
stay free of queries). Blocks on other apps' pages come through ``events.sections``.
"""

from django import template

from events import page_context

register = template.Library()


def _once(context, name: str, build):
    request = context["request"]
    cache = request.__dict__.setdefault("_events_tags", {})
    if name not in cache:
        cache[name] = build(request)
    return cache[name]


@register.simple_tag(takes_context=True)
def event_page_context(context):
    """``{% event_page_context as ev %}`` on an event page."""
    page = context["page"]
    return _once(context, f"event:{page.pk}", lambda request: page_context.event_page_context(request, page))


@register.simple_tag(takes_context=True)
def programme_page_context(context):
    """``{% programme_page_context as pg %}`` on a programme page."""
    page = context["page"]
    return _once(context, f"programme:{page.pk}", lambda request: page_context.programme_page_context(request, page))
