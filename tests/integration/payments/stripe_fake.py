"""Stripe's servers, as far as Essaim talks to them, faked at the HTTP layer with ``responses``.

The stripe library really runs: it encodes the request, sends it through ``requests`` (which
``responses`` intercepts), and parses answers shaped like Stripe's documented objects (Checkout
Session, PaymentIntent with its expanded latest Charge, Refund, Event). Like Stripe, the fake
replays the first answer to a repeated ``Idempotency-Key`` and refuses to refund more than was
charged. Webhook payloads are signed the way Stripe signs them (HMAC-SHA256 over
``timestamp.payload`` with the endpoint's secret), so the application's real verification runs.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import requests
import responses

from bookings import services
from bookings.payments import services as payment_services

API = "https://api.stripe.com"
WEBHOOK_SECRET = "whsec_test_essaim"
SECRET_KEY = "sk_test_essaim"

_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}_test_{next(_ids):06d}"


def _form(request) -> dict:
    body = request.body or ""
    if isinstance(body, bytes):
        body = body.decode()
    return dict(parse_qsl(body, keep_blank_values=True))


def _error(status: int, message: str, code: str = "", kind: str = "invalid_request_error"):
    return status, {"Request-Id": _id("req")}, json.dumps({"error": {"type": kind, "code": code, "message": message}})


@dataclass
class FakeStripe:
    mock: responses.RequestsMock
    sessions: dict = field(default_factory=dict)
    intents: dict = field(default_factory=dict)
    refunds: dict = field(default_factory=dict)
    idempotent: dict = field(default_factory=dict)
    calls: list = field(default_factory=list)
    #: Set to an HTTP status (500, 503…) or "connection" to make every call fail like an outage.
    down: object = None

    def install(self) -> FakeStripe:
        self.mock.add_callback(responses.POST, f"{API}/v1/checkout/sessions", callback=self._session_create)
        self.mock.add_callback(
            responses.POST, re.compile(rf"{API}/v1/checkout/sessions/[^/]+/expire"), callback=self._session_expire
        )
        self.mock.add_callback(
            responses.GET, re.compile(rf"{API}/v1/checkout/sessions/[^/?]+"), callback=self._session_get
        )
        self.mock.add_callback(
            responses.GET, re.compile(rf"{API}/v1/payment_intents/[^/?]+"), callback=self._intent_get
        )
        self.mock.add_callback(responses.POST, f"{API}/v1/refunds", callback=self._refund_create)
        return self

    # The API --------------------------------------------------------------------------------

    def _guard(self, request):
        self.calls.append(
            (request.method, request.url.split("?")[0], request.headers.get("Idempotency-Key"), _form(request))
        )
        if self.down == "connection":
            raise requests.exceptions.ConnectionError("Stripe is unreachable")
        if self.down:
            return _error(int(self.down), "Stripe is having trouble", kind="api_error")
        key = request.headers.get("Idempotency-Key")
        if key and key in self.idempotent:
            status, body, params = self.idempotent[key]
            if params != (request.method, request.url.split("?")[0], _form(request)):
                # Stripe refuses a key reused with other parameters.
                return _error(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                    kind="idempotency_error",
                )
            return status, {"Idempotent-Replayed": "true"}, body
        return None

    def _remember(self, request, status: int, body: dict):
        text = json.dumps(body)
        key = request.headers.get("Idempotency-Key")
        if key:
            self.idempotent[key] = (status, text, (request.method, request.url.split("?")[0], _form(request)))
        return status, {"Request-Id": _id("req")}, text

    def _session_create(self, request):
        failed = self._guard(request)
        if failed:
            return failed
        form = _form(request)
        session_id = _id("cs")
        amount = int(form["line_items[0][price_data][unit_amount]"])
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount,
            "amount_total": amount,
            "cancel_url": form["cancel_url"],
            "client_reference_id": form.get("client_reference_id"),
            "created": int(time.time()),
            "currency": form["line_items[0][price_data][currency]"],
            "customer_email": form.get("customer_email"),
            "expires_at": int(form["expires_at"]),
            "livemode": False,
            "locale": form.get("locale"),
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "mode": "payment",
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": form["success_url"],
            "url": f"https://checkout.stripe.com/c/pay/{session_id}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
        }
        self.sessions[session_id] = session
        return self._remember(request, 200, session)

    def _session_get(self, request):
        failed = self._guard(request)
        if failed:
            return failed
        session_id = request.url.split("/v1/checkout/sessions/")[1].split("?")[0]
        session = self.sessions.get(session_id)
        if session is None:
            return _error(404, f"No such checkout.session: '{session_id}'", "resource_missing")
        return 200, {}, json.dumps(session)

    def _session_expire(self, request):
        failed = self._guard(request)
        if failed:
            return failed
        session_id = request.url.split("/v1/checkout/sessions/")[1].split("/")[0]
        session = self.sessions.get(session_id)
        if session is None or session["status"] != "open":
            return _error(400, 'Only Checkout Sessions with a status in ["open"] can be expired.')
        session["status"] = "expired"
        return 200, {}, json.dumps(session)

    def _intent_get(self, request):
        failed = self._guard(request)
        if failed:
            return failed
        intent_id = request.url.split("/v1/payment_intents/")[1].split("?")[0]
        intent = self.intents.get(intent_id)
        if intent is None:
            return _error(404, f"No such payment_intent: '{intent_id}'", "resource_missing")
        return 200, {}, json.dumps(intent)

    def _refund_create(self, request):
        failed = self._guard(request)
        if failed:
            return failed
        form = _form(request)
        intent = self.intents.get(form.get("payment_intent"))
        if intent is None:
            return self._remember(
                request, 400, {"error": {"type": "invalid_request_error", "message": "No such payment_intent"}}
            )
        charge = intent["latest_charge"]
        amount = int(form["amount"])
        if amount > charge["amount"] - charge["amount_refunded"]:
            body = {
                "error": {
                    "type": "invalid_request_error",
                    "code": "amount_too_large",
                    "message": f"Refund amount ({amount}) is greater than unrefunded amount on charge",
                }
            }
            return self._remember(request, 400, body)
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        refund = {
            "id": _id("re"),
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "created": int(time.time()),
            "currency": charge["currency"],
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "payment_intent": intent["id"],
            "reason": None,
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        return self._remember(request, 200, refund)

    # What happens on Stripe's side, and the events it sends --------------------------------

    def pay(self, session_id: str, *, payment_status: str = "paid") -> dict:
        """The booker pays on Checkout's page: the session completes; returns the event."""
        session = self.sessions[session_id]
        intent_id, charge_id = _id("pi"), _id("ch")
        self.intents[intent_id] = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": session["amount_total"],
            "currency": session["currency"],
            "metadata": session["metadata"],
            "status": "succeeded" if payment_status == "paid" else "processing",
            "latest_charge": {
                "id": charge_id,
                "object": "charge",
                "amount": session["amount_total"],
                "amount_refunded": 0,
                "currency": session["currency"],
                "paid": payment_status == "paid",
                "payment_intent": intent_id,
                "receipt_url": f"https://pay.stripe.com/receipts/payment/{charge_id}",
                "refunded": False,
                "status": "succeeded" if payment_status == "paid" else "pending",
            },
        }
        session.update(status="complete", payment_status=payment_status, payment_intent=intent_id)
        return self.event("checkout.session.completed", session)

    def expire(self, session_id: str) -> dict:
        session = self.sessions[session_id]
        session["status"] = "expired"
        return self.event("checkout.session.expired", session)

    def charge_of(self, session_id: str) -> dict:
        return self.intents[self.sessions[session_id]["payment_intent"]]["latest_charge"]

    def refund_in_dashboard(self, session_id: str, amount: int) -> dict:
        charge = self.charge_of(session_id)
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        return self.event("charge.refunded", charge)

    @staticmethod
    def event(kind: str, obj: dict) -> dict:
        return {
            "id": _id("evt"),
            "object": "event",
            "api_version": "2025-09-30.clover",
            "created": int(time.time()),
            "data": {"object": json.loads(json.dumps(obj))},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }

    def created_sessions(self) -> list:
        return [call for call in self.calls if call[0] == "POST" and call[1].endswith("/v1/checkout/sessions")]

    def refund_calls(self) -> list:
        return [call for call in self.calls if call[1].endswith("/v1/refunds")]


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe sends: ``t=<unix time>,v1=<hex HMAC-SHA256>``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def deliver(client, event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None, signature=None):
    """POST an event to the webhook endpoint as Stripe would."""
    payload = json.dumps(event).encode()
    header = signature if signature is not None else sign(payload, secret=secret, timestamp=timestamp)
    return client.post(
        "/payments/stripe/webhook/", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )


def place_and_checkout(*, user, request, return_urls=None, now=None):
    """Book, then open the Checkout Session as following the pay link does: ``(booking, payment)``."""

    booking = services.booking_create(user=user, request=request, now=now)
    if booking.status != "held" or booking.payment_state != "pending":
        return booking, None
    urls = return_urls or (lambda booking: ("https://essaim.test/ok", "https://essaim.test/ko"))
    return booking, payment_services.checkout_start(booking=booking, return_urls=urls, now=now)
