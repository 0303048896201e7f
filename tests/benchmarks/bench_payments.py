"""Stripe webhooks: what one delivery costs, first time and redelivered.

Run with ``make bench`` (or ``.venv/bin/python -m pytest tests/benchmarks/bench_payments.py -m
benchmark -s``); set ``DATABASE_URL`` for PostgreSQL. Stripe's API is the HTTP-layer fake of the
payment tests (no network); deliveries are signed and verified for real; Celery is eager, so a
delivery's time includes applying the event (confirming the booking, queuing its e-mail) and
fetching the receipt from the fake. Prints medians and p90s; asserts the outcomes, never timings.

Rows:

* **signature check alone** — ``stripe.WebhookSignature.verify_header`` on a Checkout event.
* **first delivery** — ``POST /payments/stripe/webhook/``: verify, store the event, apply it
  (``checkout.session.completed`` → the held booking is confirmed), answer 200.
* **redelivery** — the same event again: verified, found stored, nothing applied.
* **pay link** — ``GET /payments/checkout/<token>/`` with the session already open (no call to
  Stripe): what the booker's click costs us before Stripe's page.
"""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import responses
import stripe
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bookings import services
from bookings.models import Booking, BookingStatus, StripeEvent
from bookings.payments import pay_links
from tests.benchmarks.support import db_label, load_average, ms_since, print_table, quiet_task_logs, summary
from tests.integration.payments.stripe_fake import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    FakeStripe,
    deliver,
    place_and_checkout,
    sign,
)

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db(transaction=True)]

N = 200
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris


def test_webhook_costs(make_resource, django_user_model, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = SECRET_KEY, WEBHOOK_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    with (
        time_machine.travel(NOW, tick=True),
        quiet_task_logs(),
        responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
    ):
        fake = FakeStripe(mock).install()
        pool = make_resource(name="Open space", kind="desk_pool", capacity=N, price_minor=1500, pricing_unit="booking")
        start = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
        placed = []
        for n in range(N):
            user = django_user_model.objects.create_user(f"payer{n}", f"payer{n}@example.org")
            placed.append(
                place_and_checkout(user=user, request=services.BookingRequest(pool, start, start + timedelta(hours=2)))
            )
        events = [fake.pay(payment.session_id) for _booking, payment in placed]
        client = Client()

        payload = json.dumps(events[0]).encode()
        header = sign(payload)
        verify = []
        for _ in range(N):
            began = time.perf_counter_ns()
            stripe.WebhookSignature.verify_header(payload.decode(), header, WEBHOOK_SECRET, 300)
            verify.append(ms_since(began))

        first, queries = [], []
        for event in events:
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter_ns()
                assert deliver(client, event).status_code == 200
                first.append(ms_since(began))
            queries.append(len(captured))
        again = []
        for event in events:
            began = time.perf_counter_ns()
            assert deliver(client, event).status_code == 200
            again.append(ms_since(began))

        opened = []
        held = []
        for n in range(N // 4):
            user = django_user_model.objects.create_user(f"late{n}", f"late{n}@example.org")
            booking, _payment = place_and_checkout(
                user=user,
                request=services.BookingRequest(pool, start + timedelta(days=1), start + timedelta(days=1, hours=2)),
            )
            held.append(booking)
        for booking in held:
            began = time.perf_counter_ns()
            assert client.get(pay_links.pay_path(booking)).status_code == 302
            opened.append(ms_since(began))

    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == N
    assert StripeEvent.objects.count() == N and not StripeEvent.objects.filter(processed_at__isnull=True).exists()
    rows = []
    for name, samples in (
        ("signature check alone", verify),
        ("first delivery (verify, store, apply)", first),
        ("redelivery (verify, found, skipped)", again),
        ("pay link, session open", opened),
    ):
        stats = summary(samples)
        rows.append([name, stats["median"], stats["p90"], stats["count"]])
    print_table(
        f"Stripe webhooks — {db_label()}, load {load_average()}",
        ["what", "median ms", "p90 ms", "n"],
        rows,
        note=f"queries per first delivery: median {sorted(queries)[len(queries) // 2]}",
    )
