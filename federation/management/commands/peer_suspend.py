"""``manage.py peer_suspend URL``: stop federating with a peer for now (resume with peer_resume)."""

from federation.management.commands._peer_command import PeerCommand
from federation.services.pairing import peer_suspend


class Command(PeerCommand):
    help = "Suspend a peer: its signed requests are refused and it is not synchronised until resumed."
    service = peer_suspend
    done = "{name} ({url}) is suspended."
