"""Pairing: how two nodes come to trust each other's keys, and how either side suspends, resumes or
revokes that trust.

The states (``PeerState``) are ours; what the other side decided about us is ``their_state``.
A adds B (A: requested) → B hears it (B: pending) → B's admin approves (B: active) and tells A
(A: active). Both adding each other at once ends the same way: each side approves the other's
request and no row is doubled (a peer is its URL). Revoked is final: only ``peer_add`` pairs again.

Every call to the other node is made after our own change is committed (never inside a
transaction); when it fails the change stands here and ``PairingResult.problem`` says so."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, NotFound
from federation import remote_node
from federation.api.nodeinfo import node_info
from federation.models import Peer, PeerState

logger = logging.getLogger("essaim.federation")

PAIR_PATH = "/federation/v1/pair"
ACCEPT_PATH = "/federation/v1/pair/accept"
STATE_PATH = "/federation/v1/pair/state"

#: The states a peer may announce about us through ``/pair/state``.
ANNOUNCED_STATES = (PeerState.ACTIVE, PeerState.SUSPENDED, PeerState.REVOKED)


@dataclass
class PairingResult:
    peer: Peer
    #: Why the other node was not told (empty when it was).
    problem: str = ""


def peer_get(url: str) -> Peer:
    base = remote_node.normalise_url(url)
    peer = Peer.objects.filter(url=base).first()
    if peer is None:
        raise NotFound(_("No peer node at %(url)s.") % {"url": base}, code="peer_not_found")
    return peer


def _refuse_self(base: str) -> None:
    if base == remote_node.normalise_url(settings.ESSAIM_NODE_URL):
        raise DomainError(_("%(url)s is this node's own address.") % {"url": base}, code="own_address")


def _apply_info(peer: Peer, info: remote_node.NodeInfo) -> None:
    peer.name, peer.key_id, peer.public_key = info.name, info.key_id, info.public_key
    peer.api_version, peer.software_version = info.api_version, info.software_version


def peer_add(*, url: str) -> PairingResult:
    """Read the node's info (through the SSRF guard), record it as a peer we asked for, and send it
    our signed pairing request. A peer already active or suspended is refused (unless it revoked
    us); a revoked one starts over; one whose own request waits for us stays pending (approve it).
    A node that still holds us active with this key answers so, and the pairing is active at once."""
    base = remote_node.normalise_url(url)
    _refuse_self(base)
    info = remote_node.node_info_fetch(base)
    with transaction.atomic():
        peer = Peer.objects.select_for_update().filter(url=base).first()
        if peer and peer.state in (PeerState.ACTIVE, PeerState.SUSPENDED) and peer.their_state != PeerState.REVOKED:
            raise Conflict(
                _("%(url)s is already paired (%(state)s).") % {"url": base, "state": peer.get_state_display()},
                code="already_paired",
            )
        if peer is None:
            peer = Peer(url=base)
        if peer.state != PeerState.PENDING:
            peer.state, peer.their_state = PeerState.REQUESTED, ""
        _apply_info(peer, info)
        peer.save()
    logger.info("pairing requested with %s (%s)", base, info.key_id)
    return _send(peer, PAIR_PATH, node_info(), on_answer=_pair_answered)


def _pair_answered(peer: Peer, data: dict) -> None:
    """Their answer to our request says how they hold us: pending (their admin will decide), active
    (they had already approved this key) or suspended."""
    theirs = data.get("state")
    if theirs not in PeerState.values:
        return
    peer.their_state = theirs
    fields = ["their_state", "updated_at"]
    if theirs == PeerState.ACTIVE and peer.state == PeerState.REQUESTED:
        peer.state = PeerState.ACTIVE
        fields.append("state")
    peer.save(update_fields=fields)


@transaction.atomic
def pair_received(*, info: remote_node.NodeInfo) -> Peer:
    """A node asked to pair (its signature and published key already checked). A new node, or one
    we asked ourselves, waits for our admin's approval; one already paired with the same key stays
    as it is; a new key needs approval again; a revoked node stays revoked."""
    _refuse_self(info.url)
    peer = Peer.objects.select_for_update().filter(url=info.url).first()
    if peer is None:
        peer = Peer(url=info.url, state=PeerState.PENDING)
    elif peer.state == PeerState.REVOKED:
        return peer
    elif peer.state in (PeerState.ACTIVE, PeerState.SUSPENDED) and remote_node.same_key(
        peer.public_key, info.public_key
    ):
        peer.their_state = PeerState.ACTIVE if peer.state == PeerState.ACTIVE else PeerState.REQUESTED
        peer.save(update_fields=["their_state", "updated_at"])
        return peer
    else:
        peer.state = PeerState.PENDING
    peer.their_state = PeerState.REQUESTED
    _apply_info(peer, info)
    peer.save()
    logger.info("pairing request from %s (%s): %s", info.url, info.key_id, peer.state)
    return peer


def peer_approve(*, url: str) -> PairingResult:
    """Our admin approves a waiting request: the peer is active here, and we tell it so."""
    with transaction.atomic():
        peer = _locked(url)
        if peer.state != PeerState.PENDING:
            raise Conflict(
                _("%(url)s has no request waiting for approval (%(state)s).")
                % {"url": peer.url, "state": peer.get_state_display()},
                code="not_pending",
            )
        peer.state = PeerState.ACTIVE
        peer.save(update_fields=["state", "updated_at"])
    logger.info("pairing with %s approved", peer.url)
    return _send(peer, ACCEPT_PATH, {"url": settings.ESSAIM_NODE_URL}, on_answer=_state_answered)


@transaction.atomic
def accept_received(*, peer: Peer) -> Peer:
    """The peer approved our request: requested → active. If its request also waits for our own
    admin (both asked at once), ours stays pending and only their state is recorded."""
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    if peer.state == PeerState.REQUESTED:
        peer.state = PeerState.ACTIVE
    peer.their_state = PeerState.ACTIVE
    peer.save(update_fields=["state", "their_state", "updated_at"])
    return peer


def peer_suspend(*, url: str) -> PairingResult:
    return _change_state(url, PeerState.SUSPENDED, allowed_from=(PeerState.ACTIVE,))


def peer_resume(*, url: str) -> PairingResult:
    return _change_state(url, PeerState.ACTIVE, allowed_from=(PeerState.SUSPENDED,))


def peer_revoke(*, url: str) -> PairingResult:
    """Revoke for good (a waiting request is refused the same way)."""
    return _change_state(
        url,
        PeerState.REVOKED,
        allowed_from=(PeerState.REQUESTED, PeerState.PENDING, PeerState.ACTIVE, PeerState.SUSPENDED),
    )


def _change_state(url: str, state: str, *, allowed_from) -> PairingResult:
    with transaction.atomic():
        peer = _locked(url)
        if peer.state not in allowed_from:
            raise Conflict(
                _("%(url)s cannot go from %(from)s to %(to)s.")
                % {"url": peer.url, "from": peer.get_state_display(), "to": PeerState(state).label},
                code="bad_transition",
            )
        peer.state = state
        peer.save(update_fields=["state", "updated_at"])
    logger.info("peer %s is now %s", peer.url, state)
    return _send(peer, STATE_PATH, {"url": settings.ESSAIM_NODE_URL, "state": state}, on_answer=_state_answered)


@transaction.atomic
def state_received(*, peer: Peer, state: str) -> Peer:
    """The peer suspended, resumed or revoked us: recorded as ``their_state`` (ours is unchanged)."""
    if state not in ANNOUNCED_STATES:
        raise DomainError(_("Unknown state %(state)r.") % {"state": state}, code="bad_state")
    Peer.objects.filter(pk=peer.pk).update(their_state=state)
    peer.their_state = state
    return peer


def _state_answered(peer: Peer, data: dict) -> None:
    theirs = data.get("state")
    if theirs in PeerState.values and theirs != peer.their_state:
        peer.their_state = theirs
        peer.save(update_fields=["their_state", "updated_at"])


def _locked(url: str) -> Peer:
    base = remote_node.normalise_url(url)
    peer = Peer.objects.select_for_update().filter(url=base).first()
    if peer is None:
        raise NotFound(_("No peer node at %(url)s.") % {"url": base}, code="peer_not_found")
    return peer


def _send(peer: Peer, path: str, data: dict, *, on_answer) -> PairingResult:
    """Tell the peer (after our commit). A refusal or a network failure is returned, not raised: our
    own change stands and the admin reads why the other side does not know yet."""
    try:
        answer = remote_node.signed_post(peer.url, path, data, key_id=peer.key_id, public_key=peer.public_key)
    except DomainError as exc:
        logger.warning("could not tell %s (%s): %s", peer.url, path, exc)
        return PairingResult(peer, problem=str(exc.message))
    if answer.status >= 300:
        detail = str(answer.data.get("detail") or "")
        problem = _("%(url)s answered %(status)s: %(detail)s") % {
            "url": peer.url,
            "status": answer.status,
            "detail": detail or answer.data.get("code", ""),
        }
        if answer.data.get("code") == "peer_revoked":
            Peer.objects.filter(pk=peer.pk).update(their_state=PeerState.REVOKED)
            peer.their_state = PeerState.REVOKED
        logger.warning("%s refused %s: %s", peer.url, path, answer.data)
        return PairingResult(peer, problem=problem)
    on_answer(peer, answer.data)
    return PairingResult(peer)
