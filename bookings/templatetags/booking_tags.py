"""Template tags of the public booking pages: a venue's "Book here" section and labels."""

from django import template
from django.utils import translation

from bookings import presentation, selectors

register = template.Library()


@register.inclusion_tag("bookings/includes/book_here.html")
def book_here(facts):
    """The venue's bookable resources (they hang on its canonical page, ``facts``)."""
    language = translation.get_language()
    resources = selectors.resources_for_venue(venue=facts).select_related("photo")
    return {
        "cards": [
            {
                "resource": resource,
                "price": presentation.price_label(resource, language),
                "capacity": presentation.capacity_label(resource),
                "rules": presentation.rules_summary(resource),
            }
            for resource in resources
        ]
    }
