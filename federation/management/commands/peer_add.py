"""``manage.py peer_add URL``: read the node's info and send it a pairing request."""

from federation.management.commands._peer_command import PeerCommand
from federation.services.pairing import peer_add


class Command(PeerCommand):
    help = "Ask another Essaim node to pair: read its /.well-known/essaim, record it and send a signed request."
    service = peer_add
    done = (
        "Pairing requested with {name} ({url}).\n"
        "  their key's fingerprint: {fingerprint}\n"
        "  state here: {state}; there: {their_state}\n"
        "Their admin must approve it (peer_approve on their side)."
    )
    already = "Paired with {name} ({url}): it had already approved this key (fingerprint {fingerprint})."
    pending = (
        "{name} ({url}) had asked to pair too: check the fingerprint {fingerprint} with their admin,\n"
        "then approve it here (peer_approve {url})."
    )

    def message(self, peer) -> str:
        return {"active": self.already, "pending": self.pending}.get(peer.state, self.done)
