"""Talking to a node before (or while) it is a peer: its normalised address, its node info read
through the outbound-fetch guard, and a signed POST whose signed answer is checked.

Pairing needs these before a ``Peer`` row is trusted; the sync's client (``federation.client``)
talks to peers already paired."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.utils.translation import gettext as _

from core import outbound
from core.errors import DomainError
from federation import signing
from federation.api.nodeinfo import API_VERSION

WELL_KNOWN = "/.well-known/essaim"
#: A node info document is a few kilobytes; a pairing answer far less.
NODE_INFO_MAX_BYTES = 64 * 1024
ANSWER_MAX_BYTES = 64 * 1024
TIMEOUT = 10.0


class NodeUnreachable(DomainError):
    """The other node could not be read or did not answer as an Essaim node does."""

    status = 502
    default_code = "node_unreachable"


@dataclass(frozen=True)
class NodeInfo:
    url: str
    name: str
    key_id: str
    public_key: str
    api_version: str
    software_version: str


@dataclass(frozen=True)
class SignedAnswer:
    status: int
    data: dict


def normalise_url(url: str) -> str:
    """``https://Node.example/`` → ``https://node.example``: lower-case scheme and host, no default
    port, no trailing slash, no query; a pasted ``/.well-known/essaim`` is dropped. Without a
    scheme, https is assumed."""
    text = (url or "").strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    try:
        host, port = (parts.hostname or ""), parts.port
    except ValueError:
        host, port = "", None
    if scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise DomainError(_("“%(url)s” is not a node address (https://…).") % {"url": url}, code="bad_url")
    if parts.query or parts.fragment:
        raise DomainError(_("A node address has no query or fragment: “%(url)s”.") % {"url": url}, code="bad_url")
    if ":" in host:
        host = f"[{host}]"
    if port and port != (443 if scheme == "https" else 80):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    if path.endswith(WELL_KNOWN):
        path = path[: -len(WELL_KNOWN)]
    return urlunsplit((scheme, host, path, "", ""))


def _fetch(url: str, **kwargs) -> outbound.Answer:
    try:
        return outbound.fetch(url, timeout=TIMEOUT, max_redirects=0, **kwargs)
    except outbound.FetchRefused as exc:
        raise NodeUnreachable(_("%(url)s: %(reason)s") % {"url": url, "reason": exc}, code=exc.code) from exc


def node_info_fetch(base_url: str) -> NodeInfo:
    """Read and check ``<base_url>/.well-known/essaim``: an Essaim node of our API version that
    names ``base_url`` as its own address and publishes an Ed25519 key."""
    answer = _fetch(base_url + WELL_KNOWN, headers={"Accept": "application/json"}, max_bytes=NODE_INFO_MAX_BYTES)
    if answer.status != 200:
        raise NodeUnreachable(
            _("%(url)s answered %(status)s, not its node info.") % {"url": base_url, "status": answer.status}
        )
    try:
        data = json.loads(answer.body)
    except ValueError as exc:
        raise NodeUnreachable(_("%(url)s does not publish an Essaim node info.") % {"url": base_url}) from exc
    if not isinstance(data, dict) or data.get("software") != "essaim":
        raise NodeUnreachable(_("%(url)s does not publish an Essaim node info.") % {"url": base_url})
    fields = {name: data.get(name) for name in ("url", "name", "key_id", "public_key", "api_version")}
    if not all(isinstance(value, str) and value for value in fields.values()):
        raise NodeUnreachable(_("The node info of %(url)s lacks its address, name or key.") % {"url": base_url})
    try:
        claimed = normalise_url(fields["url"])
    except DomainError:
        claimed = fields["url"]
    if claimed != base_url:
        raise NodeUnreachable(
            _("The node at %(url)s says its address is %(claimed)s: pair with that address.")
            % {"url": base_url, "claimed": fields["url"]},
            code="url_mismatch",
        )
    if fields["api_version"] != API_VERSION:
        raise NodeUnreachable(
            _("%(url)s speaks federation API version %(theirs)s; this node speaks version %(ours)s.")
            % {"url": base_url, "theirs": fields["api_version"], "ours": API_VERSION},
            code="api_version",
        )
    if not is_ed25519_pem(fields["public_key"]):
        raise NodeUnreachable(_("%(url)s publishes a key that is not Ed25519.") % {"url": base_url}, code="bad_key")
    return NodeInfo(
        url=base_url,
        name=fields["name"][:200],
        key_id=fields["key_id"][:200],
        public_key=fields["public_key"].strip() + "\n",
        api_version=fields["api_version"][:20],
        software_version=str(data.get("software_version") or "")[:40],
    )


def is_ed25519_pem(pem) -> bool:
    try:
        return isinstance(serialization.load_pem_public_key(str(pem).encode()), ed25519.Ed25519PublicKey)
    except (ValueError, TypeError):
        return False


def same_key(first: str, second: str) -> bool:
    return (first or "").strip() == (second or "").strip()


def signed_post(base_url: str, path: str, data: dict, *, key_id: str, public_key: str) -> SignedAnswer:
    """POST ``data`` as JSON, signed with this node's key (with an ``Idempotency-Key``), and check
    the answer is signed by ``key_id`` for this very request. Never call it inside a transaction."""
    url = base_url + path
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": str(uuid.uuid4())}
    headers, nonce = signing.sign_request("POST", url, body=body, headers=headers)
    answer = _fetch(url, method="POST", headers=headers, body=body, max_bytes=ANSWER_MAX_BYTES)
    try:
        signing.verify_answer(answer.status, answer.headers, answer.body, {key_id: public_key}, request_nonce=nonce)
    except signing.SignatureRejected as exc:
        raise NodeUnreachable(
            _("%(url)s answered %(status)s without a valid signature (%(reason)s).")
            % {"url": url, "status": answer.status, "reason": exc},
            code="bad_signature",
        ) from exc
    try:
        payload = json.loads(answer.body)
    except ValueError:
        payload = {}
    return SignedAnswer(answer.status, payload if isinstance(payload, dict) else {})
