"""``/.well-known/essaim`` and ``/federation/v1/…`` (all signed but the node info)."""

from django.urls import path

from federation.api import nodeinfo, notify

app_name = "federation"

urlpatterns = [
    path(".well-known/essaim", nodeinfo.well_known, name="node-info"),
    path("federation/v1/notify", notify.notify, name="notify"),
]
