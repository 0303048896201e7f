"""Stripe switched on with test keys, its servers faked at the HTTP layer."""

import pytest
import responses

from tests.integration.payments.stripe_fake import SECRET_KEY, WEBHOOK_SECRET, FakeStripe


@pytest.fixture
def stripe_on(settings):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_WEBHOOK_TOLERANCE = 300
    settings.STRIPE_MAX_NETWORK_RETRIES = 0  # an outage answers at once instead of after Stripe's back-off


@pytest.fixture
def fake_stripe(stripe_on):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeStripe(mock).install()
