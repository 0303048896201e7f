"""The Content-Security-Policy header on the pages, the Wagtail admin and the API docs, and every
inline script they write carrying the response's nonce (the browser tests check that nothing is
refused; these check the header and the markup without a browser)."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from events.models import EventPage
from sites.settings import tile_source
from tests.support.factories import EventFactory
from venues.services import venue_manager_assign

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)([^>]*)>", re.IGNORECASE)


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";"))}


def assert_inline_scripts_carry_the_nonce(response) -> int:
    policy = directives(response)
    assert "'unsafe-inline'" not in policy["script-src"]
    attributes = INLINE_SCRIPT.findall(response.content.decode())
    nonces = {source[len("'nonce-") : -1] for source in policy["script-src"] if source.startswith("'nonce-")}
    for attrs in attributes:
        found = re.search(r'nonce="([^"]+)"', attrs)
        assert found and found.group(1) in nonces, f"an inline script without the response's nonce: <script{attrs}>"
    return len(attributes)


@pytest.mark.django_db
def test_public_page_has_a_strict_policy(client, site_tree):
    response = client.get("/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'" and "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["frame-ancestors"] == ["'self'"]
    assert policy["form-action"] == ["'self'", "https://checkout.stripe.com"]
    assert "https://tile.openstreetmap.org" in policy["img-src"]  # the default map tiles, and only those
    assert assert_inline_scripts_carry_the_nonce(response) == 0


@pytest.mark.django_db
def test_admin_inline_scripts_carry_the_nonce(client, make_venue, make_user):
    """Wagtail writes inline scripts for inline panels, choosers and date pickers: each has the nonce."""
    venue = make_venue(title="La Ruche")
    event = EventFactory(venue=venue)
    manager = make_user()
    venue_manager_assign(venue=venue, user=manager)
    client.force_login(manager)

    login = client.get("/admin/login/")
    assert "Content-Security-Policy" in login.headers
    for page_id in (venue.pk, EventPage.objects.get(pk=event.page_id).pk):
        response = client.get(f"/admin/pages/{page_id}/edit/")
        assert response.status_code == 200
        assert assert_inline_scripts_carry_the_nonce(response) > 0
        # Wagtail injects <style> elements at run time: inline styles, alone (a nonce or a hash beside
        # 'unsafe-inline' would make browsers ignore it). Scripts never need it.
        styles = directives(response)["style-src"]
        assert "'unsafe-inline'" in styles and not [s for s in styles if s.startswith(("'sha", "'nonce-"))]


def test_api_docs_are_served_from_our_static_files(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html), "the docs load something from another host"
    assert assert_inline_scripts_carry_the_nonce(response) == 1
    assert "'unsafe-inline'" not in directives(response)["style-src"]


def test_the_error_page_style_is_allowed_by_its_hash(settings):
    """The 500 page renders without a request (no nonce): the policy names its <style> by hash."""
    template = Path(__file__).resolve().parents[3] / "cms" / "templates" / "500.html"
    [style] = re.findall(r"<style>(.*?)</style>", template.read_text(), re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    assert "style=" not in template.read_text()


@pytest.mark.parametrize(
    ("template", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", ["https://tile.openstreetmap.org"]),
        ("https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png", ["https://*.tile.openstreetmap.fr"]),
        ("/tiles/{z}/{x}/{y}.png", []),
    ],
)
def test_tile_source(template, source):
    assert tile_source(template) == source


@pytest.mark.parametrize("template", ["https://tiles.{region}.example/{z}/{x}/{y}.png", "ftp://tiles.example/{z}.png"])
def test_tile_source_refuses_what_a_policy_cannot_name(template):
    with pytest.raises(ImproperlyConfigured):
        tile_source(template)
