"""``GET /.well-known/essaim``: who this node is and how to verify what it signs."""

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from federation.keys import node_identity

API_VERSION = "1"


def node_info() -> dict:
    identity = node_identity()
    base = settings.ESSAIM_NODE_URL
    return {
        "software": "essaim",
        "software_version": settings.ESSAIM_VERSION,
        "api_version": API_VERSION,
        "name": settings.ESSAIM_NODE_NAME,
        "url": base,
        "key_id": identity.key_id,
        "public_key": identity.public_pem,
        "key_algorithm": "ed25519",
        "fingerprint": identity.fingerprint,
        "endpoints": {
            "changes": f"{base}/federation/v1/changes",
            "objects": f"{base}/federation/v1/objects/",
            "notify": f"{base}/federation/v1/notify",
            "holds": f"{base}/federation/v1/holds",
            "pair": f"{base}/federation/v1/pair",
        },
    }


@require_GET
@cache_control(max_age=300, public=True)
def well_known(request):
    return JsonResponse(node_info(), json_dumps_params={"ensure_ascii": False})
