"""Payments of bookings: Stripe Checkout and webhooks (``services``), the money a booking has paid
and been refunded (``ledger``), the one module that talks to Stripe (``stripe_gateway``), signed
pay links (``pay_links``) and the pages and webhook endpoint (``views``)."""
