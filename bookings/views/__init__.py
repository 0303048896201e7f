"""The entrepreneur's booking pages: a resource's day and its booking form, the confirmation,
"My bookings" with cancellation and the personal calendar feed, the "when, not where" search,
and the log-in / log-out pages: ``booking`` (a resource's day and its form), ``mine`` (a
booking's page, "My bookings", cancelling, the calendar feed), ``search`` and ``auth``.

Thin views: they parse the request with ``bookings.forms``, call one selector or service, and
render. Booking rules live in ``services`` and ``availability``; their errors come back here as
``InvalidInput`` / ``Conflict`` and are shown next to the field they concern.
"""
