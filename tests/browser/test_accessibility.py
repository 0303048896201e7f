"""Accessibility (issue 16, item 10): axe-core finds no serious or critical violation on the key pages
in both languages and both widths; axe itself catches a known violation; the focus outline has 3:1
contrast against what surrounds it; a failed log-in's error reads as an error, not as a link.

Every browser test is checked by axe (``axe_violations`` in conftest.py); these tests name the key
pages explicitly and check the checker."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.support import ENTREPRENEUR

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _key_pages(language: str) -> list[str]:
    with translation.override(language):
        prefix = "" if language == "fr" else "/en"
        return [
            f"{prefix}/",
            reverse("events:agenda"),
            reverse("bookings:search"),
            reverse("account_login"),
            reverse("account_signup"),
            reverse("privacy"),
            reverse("open-data-page"),
        ]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_key_pages_have_no_serious_violation(make_context, axe_violations, network, language, size):
    page = make_context(viewport=SIZES[size]).new_page()
    paths = _key_pages(language)
    venue = network["ruche"]
    paths.insert(1, venue.get_parent().url if language == "fr" else "/en/venues/")
    if language == "fr":
        paths.insert(2, venue.url)
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        axe_violations.check(page)  # now, rather than only at teardown: the failure names this test
    assert list(axe_violations) == [], "\n".join(axe_violations)


_BROKEN = """<!DOCTYPE html><html lang="fr"><head><title>Test</title></head><body><main>
<h1>Une page cassée exprès</h1><img src="/static/none.png"><form><input type="text" name="q"></form>
</main></body></html>"""


def test_axe_catches_a_known_violation(page, live_server, axe_violations):
    """The check runs in the page on load, and again on demand after the page changed."""
    page.route(f"{live_server.url}/axe-self-test/", lambda route: route.fulfill(body=_BROKEN, content_type="text/html"))
    page.goto("/axe-self-test/")
    assert page.evaluate("() => window.essaimAxeChanged().then(() => true)")  # the load check has ended
    found = "\n".join(axe_violations)
    assert "image-alt (critical) on /axe-self-test/ at 'img'" in found, found
    assert "label (critical) on /axe-self-test/ at 'input'" in found, found

    # A change after the load: a button without a name, caught by the next check.
    page.evaluate("() => document.querySelector('main').append(document.createElement('button'))")
    axe_violations.check(page)
    assert re.search(r"button-name \(critical\) on /axe-self-test/ at 'button'", "\n".join(axe_violations))
    axe_violations.clear()  # caught as expected: this test's own teardown has nothing left to fail on


def _rgb(css: str) -> tuple[float, float, float]:
    return tuple(float(x) for x in re.findall(r"[\d.]+", css)[:3])


def _luminance(rgb) -> float:
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


_FOCUS_STYLE = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  let p = e.parentElement, bg = 'rgba(0, 0, 0, 0)';
  while (p && (bg = getComputedStyle(p).backgroundColor) === 'rgba(0, 0, 0, 0)') { p = p.parentElement; }
  return {tag: e.tagName, outline: s.outlineColor, width: parseFloat(s.outlineWidth), style: s.outlineStyle,
          shadow: s.boxShadow, background: p ? bg : 'rgb(255, 255, 255)', own: s.backgroundColor};
}"""


@pytest.mark.parametrize("path", ["/", "/connexion/"])
def test_focus_outline_has_three_to_one_contrast(page, network, path):
    page.goto(path)
    checked = 0
    for _ in range(12):  # the skip link, the brand, the header's links, the page's fields and buttons
        page.keyboard.press("Tab")
        style = page.evaluate(_FOCUS_STYLE)
        assert style["style"] != "none" and style["width"] >= 2, style
        outline = _rgb(style["outline"])
        # The outline's neighbours: the page around it, and inside it the ring (box-shadow), else
        # the element's own fill, else the page again.
        if style["shadow"] != "none":
            inside = _rgb(style["shadow"])
        elif not style["own"].startswith("rgba(0, 0, 0, 0)"):
            inside = _rgb(style["own"])
        else:
            inside = _rgb(style["background"])
        assert _contrast(outline, _rgb(style["background"])) >= 3, style
        assert _contrast(outline, inside) >= 3, style
        checked += 1
    assert checked == 12


@pytest.mark.parametrize(("path", "language"), [("/connexion/", "fr"), ("/en/log-in/", "en")])
def test_failed_log_in_error_is_red_and_bold_not_a_link(page, entrepreneur, path, language, shot):
    page.goto(path)
    page.locator("#id_login").fill(ENTREPRENEUR)
    page.locator("#id_password").fill("not-the-password")
    page.locator("#id_password").press("Enter")
    error = page.locator(".error-summary li").first
    expect(error).to_contain_text({"fr": "incorrect", "en": "not correct"}[language])
    style = error.evaluate(
        """e => { const s = getComputedStyle(e);
                  return {line: s.textDecorationLine, color: s.color, weight: parseInt(s.fontWeight)}; }"""
    )
    assert style["line"] == "none"
    assert error.locator("a").count() == 0
    assert _rgb(style["color"]) == (164, 22, 26), style  # --danger
    assert style["weight"] >= 700, style
    shot(page)
