"""Outside calendars in the Wagtail admin (wired in ``calendars.wagtail_hooks``): ``views`` (the
list with each calendar's state, fetch now, add, edit, delete) and ``forms``.

Django's admin autodiscovery imports this package too: keep it free of imports.
"""
