"""``/api/v1/resources/``, availability and ``/api/v1/bookings/``: the booking engine over HTTP.

``serializers`` (input and output), ``resources`` (resources and availability), ``bookings``
(the caller's bookings), ``urls``.

Thin views: check the input, call one selector or service, render. Times go out in the venue's
time zone with their UTC offset; prices and amounts as decimal strings in the currency's units
("12.50", "1500" for XOF). A broken rule is a 400 whose ``code`` names it, a lost race a 409
``no_room``. POSTs honour ``Idempotency-Key`` (``core.idempotency``) and are throttled per
person (scope ``booking``).
"""
