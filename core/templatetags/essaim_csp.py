"""``nonce="{% csp_nonce %}"``: the response's CSP nonce, also where a template has no request
(Wagtail's form widgets); see ``core.csp``."""

from django import template

from core.csp import current_nonce

register = template.Library()


@register.simple_tag
def csp_nonce() -> str:
    return current_nonce()
