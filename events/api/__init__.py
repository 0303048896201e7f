"""``/api/v1/events/``, registrations, waitlists and programmes: the agenda and its seats over HTTP.

The list has one item per **occurrence** (an agenda row): a repeating event appears once per
date, each with its own ``occurrence`` key (the iCalendar ``RECURRENCE-ID`` in UTC,
``YYYYMMDDTHHMMSSZ``) that the registration and waitlist calls take, and its own remaining
seats. Seats of a whole page are counted in one grouped query.

``serializers``, ``common`` (what the views share: the event asked for, its date, agenda
items), ``events`` (the agenda, an event, a programme), ``registrations``, ``waitlist``, ``language``
(the ``lang`` parameter), ``urls``.

Thin views, as in ``bookings.api``: check the input, call one selector or service, render.
Times go out in the venue's zone with their offset, prices as decimal strings. A registration is
a booking, answered with the bookings API's own serializer (``payment_url``, ``held`` /
``confirmed``), and cancelled with ``POST /api/v1/bookings/{id}/cancel/``. POSTs and DELETEs
honour ``Idempotency-Key`` and share the ``booking`` rate. ``/api/v1/`` is outside the language
prefixes, so the language (titles, links, messages) is the ``lang`` query parameter, French by
default. The online link of an online event is never public: registrants get it by e-mail.
"""
