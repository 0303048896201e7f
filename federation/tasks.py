"""Thin Celery wrappers over the federation's services."""

from celery import shared_task

from federation import outbox
from federation.models import Peer, PeerState


@shared_task(acks_late=True, ignore_result=True)
def outbox_published():
    """After a commit that wrote outbox entries: stamp their positions, then nudge every active
    peer (a task each, so one slow peer delays no other)."""
    outbox.nudge_taken()
    outbox.stamp()  # a reader may have stamped them first: nudge all the same
    for peer_id in Peer.objects.filter(state=PeerState.ACTIVE).values_list("pk", flat=True):
        notify_peer_task.delay(peer_id)


@shared_task(acks_late=True, ignore_result=True)
def notify_peer_task(peer_id: int) -> bool:
    """Tell a peer to pull from us now; failures are recorded on the peer, never raised."""
    from federation.services.sync import notify_peer  # noqa: PLC0415 (services import the outbox, which imports us)

    peer = Peer.objects.filter(pk=peer_id, state=PeerState.ACTIVE).first()
    return notify_peer(peer) if peer else False


@shared_task(acks_late=True, ignore_result=True)
def sync_peer_task(peer_id: int) -> str:
    """Pull one peer's change feed (nudged, or from ``sync_peers_task``)."""
    from federation.services.sync import sync_peer_by_id  # noqa: PLC0415

    result = sync_peer_by_id(peer_id)
    if result is None:
        return "not active"
    return result.error or f"applied {result.applied}"


@shared_task(acks_late=True, ignore_result=True)
def sync_peers_task() -> int:
    """Beat, every minute: a sync task for each active peer whose backoff has passed."""
    from federation.services.sync import peers_due  # noqa: PLC0415

    ids = list(peers_due().values_list("pk", flat=True))
    for peer_id in ids:
        sync_peer_task.delay(peer_id)
    return len(ids)


@shared_task(acks_late=True, ignore_result=True)
def remote_bookings_retry_task():
    """Ask again for remote holds whose answer was lost (same key: never a second booking)."""
    from federation.services import remote_bookings  # noqa: PLC0415

    return remote_bookings.remote_retry_all()
