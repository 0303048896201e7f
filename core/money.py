"""Money as integer minor units and its display, for every currency. No floats anywhere.

ISO 4217 gives each currency its number of decimals: most have 2, the CFA francs (XOF, XAF) and
a few others have none, the Tunisian dinar and some Gulf currencies have 3.
"""

from decimal import Decimal

from babel import Locale
from babel.numbers import get_currency_symbol, parse_pattern
from django.utils import translation

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
    """The amount as CLDR writes it for ``language`` (Babel): ``12,50 €``, ``€12.50``,
    ``5 000 F CFA``, ``12,500 TND``; the decimals are the currency's own (``exponent``)."""
    currency = currency.upper()
    places = exponent(currency)
    locale = Locale.parse(translation.to_locale(language or "fr"))
    pattern = parse_pattern(locale.currency_formats["standard"])
    pattern.frac_prec = (places, places)
    text = pattern.apply(to_decimal(amount_minor, currency), locale, currency=currency, currency_digits=False)
    return _currency_spacing(text, get_currency_symbol(currency, locale))


def _currency_spacing(text: str, symbol: str) -> str:
    """CLDR's currency spacing, which Babel leaves out: a symbol ending (or starting) with a
    letter is kept apart from the digits by a no-break space (``TND\u00a012.500``, not ``TND12.500``)."""
    if text.startswith(symbol) and symbol[-1:].isalpha() and text[len(symbol) : len(symbol) + 1].isdigit():
        return f"{symbol}\u00a0{text[len(symbol) :]}"
    if text.startswith("-" + symbol) and symbol[-1:].isalpha():
        return f"-{symbol}\u00a0{text[len(symbol) + 1 :]}"
    return text
