"""``manage.py peer_revoke URL``: end a pairing for good (or refuse a waiting request)."""

from federation.management.commands._peer_command import PeerCommand
from federation.services.pairing import peer_revoke


class Command(PeerCommand):
    help = "Revoke a peer for good; pairing again takes peer_add on both sides."
    service = peer_revoke
    done = "{name} ({url}) is revoked."
