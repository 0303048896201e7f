"""Money as integer minor units and its display, for every currency. No floats anywhere.

ISO 4217 gives each currency its number of decimals: most have 2, the CFA francs (XOF, XAF) and
a few others have none, the Tunisian dinar and some Gulf currencies have 3.
"""

from decimal import Decimal

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
