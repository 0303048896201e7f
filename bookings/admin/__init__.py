"""The venue managers' side of the booking engine in the Wagtail admin (wired in ``bookings.wagtail_hooks``).

Who sees what: a manager works on the venues ``venues.permissions.venues_managed_by`` gives them
(all of them for network admins) and on nothing else. ``VenueScopedPermissionPolicy`` answers
Wagtail's permission questions from that, per object; every view also narrows its queryset to
those venues, so another venue's resource, closure or booking is a 404, whatever id is typed in
the URL.

Views stay thin: they read through querysets scoped as above, change resources and closures only
through ``bookings.inventory`` and bookings only through ``bookings.services``, offer the moves
``bookings.state_machine`` allows, and show a refused service's message as it is.

- ``resources``: resources and closures (model viewsets' views);
- ``booking_views``: the bookings list and its CSV, one booking, its actions and refunds;
- ``payment_panel``: what the booking page shows of its money;
- ``day``: who is in on a day, the occupancy report, the dashboard's panel;
- ``forms``: forms and list filters; ``reports``: the occupancy calculation;
- ``common``: local times and names as the admin shows them.

Django's admin autodiscovery imports this package too: keep it free of imports.
"""
