"""What the events app adds to lower apps' pages (``core.templatetags.page_sections``): a venue's
upcoming events, a seat offered from the waitlist on its booking's page, and the visitor's
waitlist places in "My bookings". ``venues`` and ``bookings`` sit below ``events``: their
templates only name the slots.
"""

from django.template.loader import render_to_string
from wagtail import hooks

from events import page_context


def _render(template_name: str, context, values: dict) -> str:
    return render_to_string(template_name, values, request=context.get("request"))


@hooks.register("essaim_section_venue_main", order=20)
def venue_events(context, venue) -> str:
    """The venue's next five dates and its feed (after "Book here")."""
    upcoming = page_context.venue_events(context["request"], venue)
    return _render("events/includes/venue_events.html", context, {"upcoming": upcoming})


@hooks.register("essaim_section_booking_detail")
def waitlist_offer(context, booking) -> str:
    """The waitlist offer this held booking is, if any: confirm the seat before it goes on."""
    offer = page_context.offer_for_booking(booking)
    return _render("events/includes/waitlist_offer.html", context, {"offer": offer}) if offer else ""


@hooks.register("essaim_section_my_bookings")
def my_waitlist(context, _obj) -> str:
    """The visitor's waitlist places and the seats held for them."""
    places = page_context.my_waitlist(context["request"])
    return _render("events/includes/my_waitlist.html", context, {"places": places}) if places else ""
