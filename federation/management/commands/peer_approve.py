"""``manage.py peer_approve URL``: approve a node's waiting pairing request."""

from federation.management.commands._peer_command import PeerCommand
from federation.services.pairing import peer_approve


class Command(PeerCommand):
    help = "Approve another node's pairing request (compare the fingerprint with their admin first: peer_list)."
    service = peer_approve
    done = "Pairing with {name} ({url}) approved: {state} (key {fingerprint})."
