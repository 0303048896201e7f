"""The edge of the world: every call to Stripe's servers, and the check of a webhook's signature.

Nothing here touches our database. Callers get plain dicts shaped like Stripe's objects, and one
error, ``PaymentUnavailable``, whatever went wrong on the way (network, bad key, Stripe's refusal):
the services then leave our data as it was. Requests go through the ``requests`` HTTP client, with
Stripe's own retries (safe: every write carries an idempotency key).

Amounts: we keep ISO 4217 minor units; Stripe expects its own "smallest unit", which differs for
a few currencies (see ``to_stripe_amount``).
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

import stripe
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core import money
from core.errors import InvalidInput, Unavailable

#: Stripe takes these zero-decimal currencies as two-decimal amounts ending in 00.
TWO_DECIMAL_ON_STRIPE = {"ISK"}
#: Checkout Sessions live between 30 minutes and 24 hours (Stripe's limits on ``expires_at``).
SESSION_MIN_SECONDS = 30 * 60
SESSION_MAX_SECONDS = 24 * 3600


class PaymentUnavailable(Unavailable):
    default_code = "payment_unavailable"


class PaymentRefused(InvalidInput):
    """Stripe answered and said no (a refund of a disputed charge, an amount it will not take)."""

    default_code = "payment_refused"


def enabled() -> bool:
    """Online payment is on when a secret key is configured; without one, priced bookings are paid at the venue."""
    return bool(settings.STRIPE_SECRET_KEY)


def _client() -> stripe.StripeClient:
    return _client_for(settings.STRIPE_SECRET_KEY, settings.STRIPE_MAX_NETWORK_RETRIES)


@lru_cache(maxsize=4)
def _client_for(key: str, retries: int) -> stripe.StripeClient:
    """One client per key: its HTTP session keeps the connection to Stripe open between calls."""
    return stripe.StripeClient(key, http_client=stripe.RequestsClient(timeout=20), max_network_retries=retries)


def to_stripe_amount(amount_minor: int, currency: str) -> int:
    """ISO minor units → Stripe's amount. ISK is sent with two zero decimals; the three-decimal
    currencies must end in 0 on Stripe, so they are rounded up to the next ten (never under-charged)."""
    currency = currency.upper()
    if currency in TWO_DECIMAL_ON_STRIPE:
        return amount_minor * 100
    if money.exponent(currency) == 3:
        return -(-amount_minor // 10) * 10
    return amount_minor


def from_stripe_amount(amount: int, currency: str) -> int:
    """Stripe's amount → ISO minor units (the inverse of ``to_stripe_amount`` on the amounts it produces)."""
    if currency.upper() in TWO_DECIMAL_ON_STRIPE:
        return amount // 100
    return amount


def _plain(obj) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _unavailable(error: Exception) -> PaymentUnavailable:
    return PaymentUnavailable(
        _("Online payment is unavailable right now. Nothing was charged; please try again in a moment."),
        extra={"provider_error": getattr(error, "code", None) or type(error).__name__},
    )


def checkout_create(
    *,
    reference: str,
    booking_id: int,
    description: str,
    amount_minor: int,
    currency: str,
    customer_email: str,
    locale: str,
    success_url: str,
    cancel_url: str,
    expires_at: datetime,
    idempotency_key: str,
) -> dict:
    """A Checkout Session in payment mode for one line: the booking. The booking's id and reference
    ride in the session's and the PaymentIntent's metadata, so every later event leads back to it."""
    metadata = {"booking": str(booking_id), "reference": reference}
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": to_stripe_amount(amount_minor, currency),
                    "product_data": {"name": description[:250]},
                },
            }
        ],
        "client_reference_id": reference,
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata, "description": description[:250]},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(expires_at.timestamp()),
        "locale": locale if locale in ("fr", "en") else "auto",
    }
    if customer_email:
        params["customer_email"] = customer_email
    try:
        session = _client().v1.checkout.sessions.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.StripeError as error:
        raise _unavailable(error) from error
    return _plain(session)


def checkout_retrieve(session_id: str) -> dict:
    try:
        return _plain(_client().v1.checkout.sessions.retrieve(session_id))
    except stripe.StripeError as error:
        raise _unavailable(error) from error


def checkout_expire(session_id: str) -> dict | None:
    """Close an open session so it can no longer be paid; ``None`` when it was already closed."""
    try:
        return _plain(_client().v1.checkout.sessions.expire(session_id))
    except stripe.InvalidRequestError:
        return None  # already complete or expired: Stripe refuses, and there is nothing left to close
    except stripe.StripeError as error:
        raise _unavailable(error) from error


def payment_intent_charge(payment_intent_id: str) -> dict:
    """The PaymentIntent's latest charge (its id and receipt URL), or ``{}`` when it has none yet."""
    try:
        intent = _client().v1.payment_intents.retrieve(payment_intent_id, params={"expand": ["latest_charge"]})
    except stripe.StripeError as error:
        raise _unavailable(error) from error
    charge = _plain(intent).get("latest_charge")
    return charge if isinstance(charge, dict) else {}


def refund_create(*, payment_intent_id: str, amount_minor: int, currency: str, idempotency_key: str, metadata: dict):
    """Refund part or all of a PaymentIntent's charge. Stripe itself refuses more than was charged."""
    if money.exponent(currency) == 3 and amount_minor % 10:
        raise PaymentRefused(_("Refunds in this currency go by tens of its smallest unit."), code="refund_amount_step")
    params = {
        "payment_intent": payment_intent_id,
        "amount": to_stripe_amount(amount_minor, currency),
        "metadata": {key: str(value) for key, value in metadata.items()},
    }
    try:
        refund = _client().v1.refunds.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.InvalidRequestError as error:
        raise PaymentRefused(error.user_message or str(error), code="refund_refused") from error
    except stripe.StripeError as error:
        raise _unavailable(error) from error
    return _plain(refund)


def event_verify(payload: bytes, signature: str) -> dict:
    """Check the ``Stripe-Signature`` header with the library's own scheme (HMAC-SHA256 of
    ``timestamp.payload``, within the tolerance window) and return the event as a dict."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise InvalidInput(_("Webhooks are not configured on this node."), code="webhook_not_configured")
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, signature, secret, settings.STRIPE_WEBHOOK_TOLERANCE)
        event = json.loads(text)
    except stripe.SignatureVerificationError:
        raise InvalidInput(_("The Stripe signature does not match."), code="bad_signature") from None
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(_("The webhook body is not JSON."), code="bad_payload") from None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("data"), dict):
        raise InvalidInput(_("The webhook body is not a Stripe event."), code="bad_payload")
    return event
