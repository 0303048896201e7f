"""``/.well-known/essaim`` and ``/federation/v1/…`` (all signed but the node info)."""

from django.urls import path

from federation.api import changes, holds, nodeinfo, notify, pairing

app_name = "federation"

urlpatterns = [
    path(".well-known/essaim", nodeinfo.well_known, name="node-info"),
    path("federation/v1/changes", changes.changes, name="changes"),
    path("federation/v1/objects/<str:kind>/<uuid:uid>", changes.objects, name="object"),
    path("federation/v1/notify", notify.notify, name="notify"),
    path("federation/v1/pair", pairing.pair, name="pair"),
    path("federation/v1/pair/accept", pairing.accept, name="pair-accept"),
    path("federation/v1/pair/state", pairing.state, name="pair-state"),
    path("federation/v1/holds", holds.hold_create, name="holds"),
    path("federation/v1/holds/<str:uid>/confirm", holds.hold_confirm, name="hold-confirm"),
    path("federation/v1/holds/<str:uid>/release", holds.hold_release, name="hold-release"),
    path("federation/v1/holds/<str:uid>/cancel", holds.hold_cancel, name="hold-cancel"),
]
