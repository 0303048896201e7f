"""``manage.py peer_resume URL``: federate again with a suspended peer."""

from federation.management.commands._peer_command import PeerCommand
from federation.services.pairing import peer_resume


class Command(PeerCommand):
    help = "Resume a suspended peer."
    service = peer_resume
    done = "{name} ({url}) is active again."
