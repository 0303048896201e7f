"""Money in minor units: currencies' decimals, booking amounts, display."""

from decimal import Decimal

import pytest

from bookings import pricing
from core import money


@pytest.mark.parametrize(
    ("minor", "currency", "decimal"),
    [(1250, "EUR", "12.50"), (1500, "XOF", "1500"), (12500, "TND", "12.500"), (99, "cad", "0.99"), (0, "USD", "0.00")],
)
def test_minor_units_round_trip(minor, currency, decimal):
    assert money.to_decimal(minor, currency) == Decimal(decimal)
    assert str(money.to_decimal(minor, currency)) == decimal
    assert money.to_minor(decimal, currency) == minor


def test_more_decimals_than_the_currency_has_are_refused():
    with pytest.raises(ValueError, match="decimals"):
        money.to_minor("12.505", "EUR")
    with pytest.raises(ValueError, match="decimals"):
        money.to_minor("10.5", "XOF")


@pytest.mark.parametrize(
    ("unit", "minutes", "preset", "quantity", "amount"),
    [
        ("hour", 90, "", 1, 1500),  # 10.00 an hour for 1 h 30
        ("hour", 50, "", 1, 833),  # rounded half up to the cent
        ("day", 240, "morning", 1, 500),  # a half-day costs half a day
        ("day", 540, "day", 2, 2000),
        ("half_day", 540, "day", 1, 2000),
        ("half_day", 240, "afternoon", 3, 3000),
        ("booking", 30, "", 2, 2000),
    ],
)
def test_booking_amount(unit, minutes, preset, quantity, amount):
    assert (
        pricing.booking_amount(price_minor=1000, pricing_unit=unit, minutes=minutes, quantity=quantity, preset=preset)
        == amount
    )


def test_display_in_french_and_english():
    assert money.format_money(123450, "EUR", "fr") == "1\u202f234,50\u00a0€"
    assert money.format_money(123450, "EUR", "en") == "€1,234.50"
    assert money.format_money(5000, "XOF", "fr") == "5\u202f000\u00a0F\u202fCFA"
    assert money.format_money(12500, "TND", "en") == "TND\u00a012.500"
