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
- A response that used no nonce and has no policy of its own (every API answer, most redirects)
  gets headers built once per process: django-csp builds the policy anew for each response, from a
  deep copy of its parts (``dataclasses.asdict``): 0.29 → 0.25 ms of CPU for a bare Django view.
"""

import http.client
from contextvars import ContextVar

from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, UNSAFE_INLINE
from csp.middleware import CheckableLazyObject, PolicyParts
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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
            if getattr(request, "_csp_nonce", None) is None and not any(
                hasattr(response, name) for name in _OWN_POLICY
            ):
                return self._process_plain(request, response)
            return super().process_response(request, response)
        finally:
            _nonce.set(None)

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if _admin(request):
            parts.replace = {"style-src": admin_style_src(), **(parts.replace or {})}
        return parts

    def _process_plain(self, request, response):
        """django-csp's ``process_response`` for a response without nonce or policy of its own,
        step for step, with the headers built once per process (``_plain_policy``)."""
        if settings.DEBUG and response.status_code in (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND):
            return response
        for report_only, header, exempt, setting in _HEADERS:
            policy = _plain_policy(report_only, _admin(request))
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if (
                policy
                and getattr(response, exempt, False) is False
                and header not in response
                and not request.path_info.startswith(tuple(prefixes))
            ):
                response[header] = policy
        # As django-csp: the nonce cannot be asked for once the header is written.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


#: What a view or decorator sets on a response to give it a policy of its own (django-csp's names).
_OWN_POLICY = tuple(f"_csp_{kind}{ro}" for kind in ("config", "update", "replace") for ro in ("", "_ro"))
_HEADERS = (
    (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
    (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
)
_PLAIN: dict[tuple[bool, bool], str] = {}


def _admin(request) -> bool:
    return request.path_info.startswith(tuple(settings.ESSAIM_CSP_ADMIN_PREFIXES))


def _plain_policy(report_only: bool, admin: bool) -> str:
    """The policy django-csp builds for a response without nonce or policy of its own."""
    key = (report_only, admin)
    if key not in _PLAIN:
        replace = {"style-src": admin_style_src()} if admin else None
        _PLAIN[key] = build_policy(replace=replace, report_only=report_only)
    return _PLAIN[key]


@receiver(setting_changed)
def _policy_changed(setting, **kwargs):
    if setting in {"CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY", "ESSAIM_CSP_ADMIN_PREFIXES"}:
        _PLAIN.clear()


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
