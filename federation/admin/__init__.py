"""The Wagtail admin's "Federation" screens (wired in ``federation/wagtail_hooks.py``)."""
