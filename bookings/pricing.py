"""The price of a booking, in the currency's minor units (``core.money``). No floats anywhere."""

from decimal import ROUND_HALF_UP, Decimal


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
