"""Money as CLDR writes it for each language (Babel), and the pages that show it: a Dakar price
is "5 000 F CFA" in French, never "XOF"; decimals are the currency's own."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core import money
from core.formatting import money_label
from tests.integration.support import build_site_tree, create_venue
from tests.support.factories import EventPageFactory

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        (5000, "XOF", "fr", f"5{NNBSP}000{NBSP}F{NNBSP}CFA"),
        (5000, "XOF", "en", f"F{NNBSP}CFA{NBSP}5,000"),
        (1250, "EUR", "en", "€12.50"),
        (1250, "EUR", "fr", f"12,50{NBSP}€"),
        (123450, "EUR", "fr", f"1{NNBSP}234,50{NBSP}€"),
        (12500, "TND", "fr", f"12,500{NBSP}TND"),
        (12500, "TND", "en", f"TND{NBSP}12.500"),  # CLDR's currency spacing: a letter never touches a digit
        (2500, "CAD", "en", "CA$25.00"),
        (0, "XAF", "fr", f"0{NBSP}FCFA"),
    ],
)
def test_format_money_follows_cldr(amount, currency, language, expected):
    assert money.format_money(amount, currency, language) == expected


def test_the_active_language_and_the_template_filter():
    template = Template("{% load essaim_format %}{{ amount|money:currency }}|{{ none|money:currency }}")
    with translation.override("fr"):
        assert money_label(5000, "XOF") == f"5{NNBSP}000{NBSP}F{NNBSP}CFA"
        assert template.render(Context({"amount": 5000, "currency": "XOF"})) == f"5{NNBSP}000{NBSP}F{NNBSP}CFA|"
    with translation.override("en"):
        assert template.render(Context({"amount": 1250, "currency": "EUR"})) == "€12.50|"


@pytest.mark.django_db
def test_a_dakar_event_page_shows_f_cfa(client):
    tree = build_site_tree()
    venue = create_venue(tree, title="Maison Teranga", slug="maison-teranga", timezone="Africa/Dakar")
    page = EventPageFactory(venue=venue, price=Decimal("5000"), currency="XOF")
    french = client.get(page.url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"5{NNBSP}000{NBSP}F{NNBSP}CFA" in french
    visible = re.sub(r"<script.*?</script>", "", french.split("<body", 1)[1], flags=re.S)
    assert "XOF" not in visible  # the structured data keeps the ISO code, as schema.org asks
