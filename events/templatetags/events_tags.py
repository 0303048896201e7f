"""What event and programme pages, venue pages and the booking pages ask of the events app.

Wagtail serves the event and programme pages; these tags compute their context once per request
(the pages' models stay free of queries), and add the waitlist to "My bookings" and to a
booking's page without changing the booking views.
"""

from django import template

from events import views

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
    return _once(context, f"event:{page.pk}", lambda request: views.event_page_context(request, page))


@register.simple_tag(takes_context=True)
def programme_page_context(context):
    """``{% programme_page_context as pg %}`` on a programme page."""
    page = context["page"]
    return _once(context, f"programme:{page.pk}", lambda request: views.programme_page_context(request, page))


@register.simple_tag(takes_context=True)
def venue_events(context, venue):
    """``{% venue_events page as upcoming %}``: a venue's next five dates and its feed."""
    return _once(context, f"venue:{venue.pk}", lambda request: views.venue_events(request, venue))


@register.simple_tag(takes_context=True)
def my_waitlist(context):
    """``{% my_waitlist as places %}``: the visitor's waitlist places and seats held for them."""
    return _once(context, "my_waitlist", views.my_waitlist)


@register.simple_tag
def waitlist_offer(booking):
    """``{% waitlist_offer booking as offer %}``: the waitlist offer this held booking is, if any."""
    return views.offer_for_booking(booking)
