"""Content-Security-Policy: django-csp's middleware, with the nonce reachable from any template and
the one relaxation the Wagtail and Django admins need.

- The policy itself is ``CONTENT_SECURITY_POLICY`` in the settings: scripts come from this origin
  or carry the response's nonce, never ``'unsafe-inline'``.
- Wagtail 8 still writes a few inline ``<script>`` elements (inline panels, date pickers, the
  choosers' widgets). Its form widgets render without the request, so ``{% csp_nonce %}``
  (``core.templatetags.essaim_csp``) reads the nonce of the request being answered from a context
  variable this middleware sets; the overrides in ``core/templates/`` and
  ``nonce_wagtail_choosers`` put it on those scripts. The browser tests fail on any violation, so
  a Wagtail upgrade that adds another inline script shows there.
- The admins (``ESSAIM_CSP_ADMIN_PREFIXES``) set ``style`` attributes in their HTML, so their
  ``style-src`` allows inline styles, with no nonce or hash beside, or browsers would ignore it.
"""

from contextvars import ContextVar

from csp.constants import NONCE, UNSAFE_INLINE
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings
from django.utils.safestring import mark_safe
from wagtail.admin.widgets.chooser import BaseChooser

_nonce: ContextVar = ContextVar("essaim_csp_nonce", default=None)


def current_nonce() -> str:
    """The nonce of the response being rendered in this thread ('' outside a request). Reading it
    puts it in the response's header (django-csp's nonce is lazy: no inline script, no nonce)."""
    nonce = _nonce.get()
    return "" if nonce is None else str(nonce)


def admin_style_src() -> list[str]:
    """The admins' ``style-src``: the site's, less its nonce and hashes (browsers ignore
    ``'unsafe-inline'`` beside either), plus inline styles."""
    styles = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].get("style-src") or []
    kept = [source for source in styles if source is not NONCE and not str(source).startswith(("'sha", "'nonce-"))]
    return [*kept, UNSAFE_INLINE]


class CSPMiddleware(BaseCSPMiddleware):
    def process_request(self, request):
        super().process_request(request)
        _nonce.set(request.csp_nonce)

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        finally:
            _nonce.set(None)

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(tuple(settings.ESSAIM_CSP_ADMIN_PREFIXES)):
            parts.replace = {"style-src": admin_style_src(), **(parts.replace or {})}
        return parts


def _chooser_render(self, name, value, attrs=None, renderer=None):
    """``BaseChooser.render`` of Wagtail 8, whose inline script now carries the nonce."""
    try:
        id_ = attrs["id"]
    except (KeyError, TypeError) as e:
        raise TypeError("BaseChooser cannot be rendered without an 'id' attribute") from e
    value_data = self.get_value_data(value)
    widget_html = self.render_html(name, value_data, attrs)
    js = self.render_js_init(id_, name, value_data)
    # As Wagtail writes it: widget_html is rendered by its template, js is json.dumps of the id and options.
    return mark_safe(f'{widget_html}<script nonce="{current_nonce()}">{js}</script>')  # noqa: S308


def nonce_wagtail_choosers() -> None:
    """Put the nonce on the script every chooser widget (page, image, document, snippet) writes."""
    BaseChooser.render = _chooser_render
