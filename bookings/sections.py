"""What the booking engine adds to a venue's page: "Book here", the venue's bookable resources.

Registered as a page section (``core.templatetags.page_sections``): ``venues`` sits below
``bookings`` and its template only names the slot.
"""

from django.template.loader import render_to_string
from django.utils import translation
from wagtail import hooks

from bookings import presentation, selectors


@hooks.register("essaim_section_venue_main", order=10)
def book_here(context, facts) -> str:
    """The venue's bookable resources (they hang on its canonical page, ``facts``)."""
    language = translation.get_language()
    resources = selectors.resources_for_venue(venue=facts).select_related("photo")
    cards = [
        {
            "resource": resource,
            "price": presentation.price_label(resource, language),
            "capacity": presentation.capacity_label(resource),
            "rules": presentation.rules_summary(resource),
        }
        for resource in resources
    ]
    return render_to_string("bookings/includes/book_here.html", {"cards": cards}, request=context.get("request"))
