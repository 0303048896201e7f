"""Money to and from Stripe, and refund shares: integers only, never more than was paid."""

from hypothesis import given
from hypothesis import strategies as st

from bookings.payments import ledger
from bookings.payments.stripe_gateway import from_stripe_amount, to_stripe_amount
from core import money

CURRENCIES = ["EUR", "CAD", "USD", "MAD", "XOF", "XAF", "TND", "KWD", "ISK", "JPY", "MGA"]


def test_stripe_amounts_of_our_currencies():
    assert to_stripe_amount(1250, "EUR") == 1250  # €12.50 in cents on both sides
    assert to_stripe_amount(5000, "XOF") == 5000  # zero-decimal on both sides
    assert to_stripe_amount(12345, "TND") == 12350  # three decimals, the last one 0 on Stripe: rounded up
    assert to_stripe_amount(1500, "ISK") == 150000  # zero-decimal, but Stripe wants two zero decimals
    assert from_stripe_amount(150000, "ISK") == 1500
    assert money.exponent("MGA") == 0 and to_stripe_amount(20000, "MGA") == 20000  # whole ariary, as Stripe


@given(amount=st.integers(min_value=0, max_value=10**9), currency=st.sampled_from(CURRENCIES))
def test_stripe_never_charges_less_and_comes_back_to_what_was_charged(amount, currency):
    on_stripe = to_stripe_amount(amount, currency)
    charged = from_stripe_amount(on_stripe, currency)
    assert isinstance(on_stripe, int) and charged >= amount
    assert charged - amount < (10 if money.exponent(currency) == 3 else 1)
    assert to_stripe_amount(charged, currency) == on_stripe


@given(
    amount=st.integers(min_value=0, max_value=10**9),
    percent=st.integers(min_value=-5, max_value=150),
    currency=st.sampled_from(CURRENCIES),
)
def test_a_share_is_an_integer_never_above_the_amount(amount, percent, currency):
    share = ledger.share_minor(amount, percent, currency)
    assert isinstance(share, int) and 0 <= share <= amount
    if money.exponent(currency) == 3:
        assert share % 10 == 0
    if 0 <= percent <= 100 and money.exponent(currency) != 3:
        assert share == amount * percent // 100


def test_shares_of_familiar_amounts():
    assert ledger.share_minor(1250, 50, "EUR") == 625
    assert ledger.share_minor(1255, 50, "EUR") == 627  # rounded down: a refund never exceeds the share
    assert ledger.share_minor(5000, 30, "XOF") == 1500
    assert ledger.share_minor(12350, 50, "TND") == 6170
