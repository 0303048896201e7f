"""Money as integer minor units: prices, amounts and their display. No floats anywhere.

ISO 4217 gives each currency its number of decimals: most have 2, the CFA francs (XOF, XAF) and
a few others have none, the Tunisian dinar and some Gulf currencies have 3.
"""

from decimal import ROUND_HALF_UP, Decimal

ZERO_DECIMAL = {
    "BIF",
    "CLP",
    "DJF",
    "GNF",
    "ISK",
    "JPY",
    "KMF",
    "KRW",
    "MGA",  # ISO gives it 2 decimals (iraimbilanja) nobody uses; Stripe and price lists count whole ariary
    "PYG",
    "RWF",
    "UGX",
    "VND",
    "VUV",
    "XAF",
    "XOF",
    "XPF",
}
THREE_DECIMAL = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}


def exponent(currency: str) -> int:
    currency = currency.upper()
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def to_decimal(amount_minor: int, currency: str) -> Decimal:
    """``1250, "EUR"`` → ``Decimal("12.50")``; ``1250, "XOF"`` → ``Decimal("1250")``."""
    places = exponent(currency)
    return (Decimal(amount_minor) / (Decimal(10) ** places)).quantize(Decimal(1).scaleb(-places))


def to_minor(amount: Decimal | str, currency: str) -> int:
    """``"12.50", "EUR"`` → ``1250``; refuses more decimals than the currency has."""
    places = exponent(currency)
    value = Decimal(str(amount))
    minor = value.scaleb(places)
    if minor != minor.to_integral_value():
        raise ValueError(f"{currency} has {places} decimals")
    return int(minor)


def booking_amount(*, price_minor: int, pricing_unit: str, minutes: float, quantity: int, preset: str = "") -> int:
    """The price of a booking in minor units, rounded half up to the currency's smallest unit.

    Per hour: by the minute. Per day: a half-day costs half. Per half-day: a whole day costs two.
    Per booking: flat. Multiplied by the quantity (desks in a pool, seats).
    """
    price = Decimal(price_minor)
    if pricing_unit == "hour":
        amount = price * Decimal(str(minutes)) / 60
    elif pricing_unit == "day":
        amount = price / 2 if preset in ("morning", "afternoon") else price * max(1, round(minutes / (24 * 60)) or 1)
    elif pricing_unit == "half_day":
        amount = price * (2 if preset == "day" else 1)
    else:
        amount = price
    return int((amount * quantity).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_money(amount_minor: int, currency: str, language: str = "fr") -> str:
    """``12,50 €`` in French, ``€12.50`` in English; other currencies carry their code."""
    value = to_decimal(amount_minor, currency)
    places = exponent(currency)
    whole, _, fraction = f"{value:,.{places}f}".partition(".")
    symbol = {"EUR": "€", "USD": "$", "CAD": "$ CA" if language == "fr" else "CA$"}.get(currency, currency)
    if language == "fr":
        number = whole.replace(",", "\u202f") + ("," + fraction if fraction else "")
        return f"{number}\u00a0{symbol}"
    number = whole + ("." + fraction if fraction else "")
    return f"{symbol}{number}" if symbol in ("€", "$", "CA$") else f"{number} {symbol}"
