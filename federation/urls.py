"""``/.well-known/essaim`` and ``/federation/v1/…`` (all signed but the node info)."""

from django.urls import path

from federation.api import holds, nodeinfo

app_name = "federation"

urlpatterns = [
    path(".well-known/essaim", nodeinfo.well_known, name="node-info"),
    path("federation/v1/holds", holds.hold_create, name="holds"),
    path("federation/v1/holds/<str:uid>/confirm", holds.hold_confirm, name="hold-confirm"),
    path("federation/v1/holds/<str:uid>/release", holds.hold_release, name="hold-release"),
    path("federation/v1/holds/<str:uid>/cancel", holds.hold_cancel, name="hold-cancel"),
]
