"""The venue managers' side of events in the Wagtail admin (wired in ``events.wagtail_hooks``).

- ``forms``: the event page editor's form (its dates are checked there);
- ``registrations``: who registered for an event or a programme, its waitlist, the CSV, and the
  warning about dates that fall on the venue's closures.

Django's admin autodiscovery imports this package too, and ``events.models`` imports ``forms``:
keep it free of imports.
"""
