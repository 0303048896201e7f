"""What an operator reads about each peer (the admin's list and ``peer_list``): state, the key's
fingerprint, the sync's progress and its last trouble. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from federation.keys import fingerprint
from federation.models import Peer


@dataclass
class PeerRow:
    peer: Peer
    fingerprint: str

    @property
    def lag(self) -> int:
        return self.peer.lag


def key_fingerprint(public_pem: str) -> str:
    """The key's fingerprint, or "" for a key that cannot be read (never a 500 on the list)."""
    try:
        return fingerprint(public_pem) if public_pem else ""
    except (ValueError, TypeError):
        return ""


def peer_rows() -> list[PeerRow]:
    return [PeerRow(peer, key_fingerprint(peer.public_key)) for peer in Peer.objects.order_by("name", "url")]


def when(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else "—"
