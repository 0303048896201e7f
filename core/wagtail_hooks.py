"""Loaded by Wagtail with every app's hooks, once the apps are ready: the chooser widgets' inline
script gets the CSP nonce (``core.csp``)."""

from core.csp import nonce_wagtail_choosers

nonce_wagtail_choosers()
