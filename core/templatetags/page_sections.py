"""``{% page_sections "venue_main" page %}``: the blocks higher apps add to a lower app's page.

Apps are layered (``core`` < ``venues`` < ``bookings`` < ``events``): a venue page shows what can
be booked there and its upcoming events, a booking's page a seat offered from a waitlist, yet
``venues`` and ``bookings`` must not know the apps above them. So the lower app's template names a
slot, and each higher app registers, in its ``sections`` module, a Wagtail hook named
``essaim_section_<slot>``: ``fn(context, obj) -> str`` that renders the app's own template with the
page's request (``render_to_string(..., request=context["request"])``). The blocks come out in the hooks' ``order``.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe
from wagtail import hooks

register = template.Library()

HOOK_PREFIX = "essaim_section_"


@register.simple_tag(takes_context=True)
def page_sections(context, slot: str, obj=None) -> SafeString:
    """Every block registered for ``slot``, given the page's context and its object (or None)."""
    return mark_safe("".join(section(context, obj) for section in hooks.get_hooks(HOOK_PREFIX + slot)))  # noqa: S308 - rendered templates
