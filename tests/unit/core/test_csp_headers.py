"""``core.csp``: a response without nonce or policy of its own gets, from headers built once, the
very headers django-csp builds for it each time; anything else still goes django-csp's way."""

import pytest
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse, JsonResponse
from django.test import RequestFactory, override_settings

from core.csp import CSPMiddleware

HEADER = "Content-Security-Policy"


def _answer(path: str, *, touch_nonce: bool = False, middleware_class=None, **attributes):
    """``path`` answered through the middleware: (request, response)."""
    request = RequestFactory().get(path)
    response = JsonResponse({"ok": True}) if path.startswith("/api/") else HttpResponse("<p>ok</p>")
    for name, value in attributes.items():
        setattr(response, name, value)
    middleware = CSPMiddleware(lambda request: response)
    middleware.process_request(request)
    if touch_nonce:
        str(request.csp_nonce)
    if middleware_class is None:
        return request, middleware.process_response(request, response)
    return request, middleware_class.process_response(middleware, request, response)


@pytest.mark.parametrize("path", ["/api/v1/bookings/", "/fr/lieux/", "/admin/login/", "/django-admin/"])
def test_without_a_nonce_the_headers_are_django_csp_s(path):
    _request, ours = _answer(path)
    _request, theirs = _answer(path, middleware_class=DjangoCSPMiddleware)
    assert ours[HEADER] == theirs[HEADER]
    assert "nonce-" not in ours[HEADER]
    again = _answer(path)[1]  # from the headers built once
    assert again[HEADER] == theirs[HEADER]


def test_the_admins_keep_their_inline_styles():
    _request, response = _answer("/admin/pages/")
    style = next(part for part in response[HEADER].split("; ") if part.startswith("style-src"))
    assert "'unsafe-inline'" in style


def test_a_response_that_used_the_nonce_names_it():
    request, response = _answer("/fr/lieux/", touch_nonce=True)
    assert f"'nonce-{request._csp_nonce}'" in response[HEADER]
    assert _answer("/fr/lieux/")[1][HEADER] != response[HEADER]


def test_a_response_with_a_policy_of_its_own_keeps_it():
    _request, response = _answer("/fr/lieux/", _csp_update={"img-src": ["https://tiles.example.org"]})
    assert "https://tiles.example.org" in response[HEADER]
    assert "https://tiles.example.org" not in _answer("/fr/lieux/")[1][HEADER]


def test_an_exempt_response_has_no_header():
    _request, response = _answer("/api/v1/bookings/", _csp_exempt=True)
    assert HEADER not in response


def test_a_changed_policy_is_built_anew():
    before = _answer("/api/v1/bookings/")[1][HEADER]
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert _answer("/api/v1/bookings/")[1][HEADER] == "default-src 'none'"
    assert _answer("/api/v1/bookings/")[1][HEADER] == before


def test_the_nonce_cannot_be_asked_for_once_the_header_is_written():
    request, _response = _answer("/api/v1/bookings/")
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
