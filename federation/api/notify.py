"""``POST /federation/v1/notify``: a peer tells us its feed has news; we pull it soon (202)."""

from django.views.decorators.http import require_POST

from core.deferred import after_commit
from federation.api.signed import signed
from federation.tasks import sync_peer_task


@require_POST
@signed()
def notify(request, peer):
    after_commit(sync_peer_task, peer.pk)
    return 202, {"status": "scheduled"}
