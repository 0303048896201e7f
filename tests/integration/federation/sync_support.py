"""A fake peer node for the sync tests: a tiny loopback HTTP server that serves a change feed and
objects by id, answers signed with its own Ed25519 key (or unsigned, or badly signed, on demand),
and records what it was asked. Plus builders of wire-shaped data (``federation.wire``)."""

from __future__ import annotations

import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import http_message_signatures as hms
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from http_message_signatures.algorithms import ED25519

from federation import signing
from federation.models import Peer, PeerState


class _Key(hms.HTTPSignatureKeyResolver):
    def __init__(self, key):
        self.key = key

    def resolve_private_key(self, key_id):
        return self.key

    def resolve_public_key(self, key_id):  # pragma: no cover
        return None


def public_pem(key: ed25519.Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign_answer_with(key, key_id: str, status: int, body: bytes, request_nonce: str) -> dict:
    """What ``signing.sign_answer`` does, with another node's key."""
    message = signing.AnswerMessage(status, {"Content-Type": "application/json", "Essaim-Request-Nonce": request_nonce})
    hms.HTTPMessageSigner(signature_algorithm=ED25519, key_resolver=_Key(key)).sign(
        message,
        key_id=key_id,
        nonce=signing.new_nonce(),
        label=signing.LABEL,
        tag=signing.TAG,
        covered_component_ids=["@status", "essaim-request-nonce"],
        body=body,
    )
    return message.headers


def sign_request_with(key, key_id: str, method: str, url: str, body: bytes = b"", headers=None) -> dict:
    """What ``signing.sign_request`` does, with another node's key (a peer calling us)."""
    message = signing.Message(method, url, dict(headers or {}))
    hms.HTTPMessageSigner(signature_algorithm=ED25519, key_resolver=_Key(key)).sign(
        message,
        key_id=key_id,
        nonce=signing.new_nonce(),
        label=signing.LABEL,
        tag=signing.TAG,
        covered_component_ids=["@method", "@target-uri"],
        body=body or None,
    )
    return message.headers


class FakePeer:
    """``changes``: the feed (dicts with position, kind, uid, deleted, data); ``objects``:
    ``(kind, uid) → data`` for ``/objects``. ``mode``: ``signed`` (default), ``unsigned``,
    ``bad_signature``, ``down`` (503, signed), ``gone`` (connection refused)."""

    def __init__(self):
        self.key = ed25519.Ed25519PrivateKey.generate()
        self.public_pem = public_pem(self.key)
        self.changes: list[dict] = []
        self.objects: dict[tuple[str, str], dict] = {}
        self.mode = "signed"
        self.requests: list[tuple[str, str]] = []
        self.page_override: dict | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake._handle(self)

            def do_POST(self):
                fake._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.key_id = f"{self.url}#fake"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # -- the feed --------------------------------------------------------------------------

    def add(self, kind: str, uid, data: dict | None = None, *, deleted: bool = False) -> dict:
        entry = {
            "position": len(self.changes) + 1,
            "kind": kind,
            "uid": str(uid),
            "deleted": deleted,
            "data": {} if deleted else data,
            "at": "2026-01-01T00:00:00+00:00",
        }
        self.changes.append(entry)
        return entry

    def page(self, after: int, limit: int) -> dict:
        if self.page_override is not None:
            return self.page_override
        rest = [c for c in self.changes if c["position"] > after]
        head = len(self.changes)
        chunk = rest[:limit]
        more = len(rest) > limit
        nxt = chunk[-1]["position"] if more else max(after, head)
        return {"changes": chunk, "next": nxt, "head": head, "more": more}

    # -- HTTP -------------------------------------------------------------------------------

    def _handle(self, handler):
        parts = urlsplit(handler.path)
        self.requests.append((handler.command, handler.path))
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(length)
        if "Signature" not in handler.headers:
            return self._send(handler, 401, {"detail": "unsigned", "code": "bad_signature"}, "")
        match = re.search(r'nonce="([^"]+)"', handler.headers.get("Signature-Input", ""))
        nonce = match.group(1) if match else ""
        if self.mode == "down":
            return self._send(handler, 503, {"detail": "Down for maintenance."}, nonce)
        if parts.path == "/federation/v1/changes":
            query = parse_qs(parts.query)
            after, limit = int(query.get("after", ["0"])[0]), int(query.get("limit", ["200"])[0])
            return self._send(handler, 200, self.page(after, min(limit, 500)), nonce)
        found = re.match(r"^/federation/v1/objects/(\w+)/([0-9a-f-]+)$", parts.path)
        if found:
            data = self.objects.get((found.group(1), found.group(2)))
            if data is None:
                return self._send(handler, 404, {"detail": "Not found.", "code": "not_found"}, nonce)
            body = {"kind": found.group(1), "uid": found.group(2), "deleted": False, "data": data}
            return self._send(handler, 200, body, nonce)
        if parts.path == "/federation/v1/notify":
            return self._send(handler, 202, {"status": "scheduled"}, nonce)
        return self._send(handler, 404, {"detail": "Not found."}, nonce)

    def _send(self, handler, status: int, data: dict, nonce: str):
        body = json.dumps(data).encode()
        headers = {"Content-Type": "application/json"}
        if nonce and self.mode in ("signed", "down"):
            headers = sign_answer_with(self.key, self.key_id, status, body, nonce)
        elif nonce and self.mode == "bad_signature":
            other = ed25519.Ed25519PrivateKey.generate()
            headers = sign_answer_with(other, self.key_id, status, body, nonce)
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@pytest.fixture
def fake_peer(settings):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.0/8"]
    fake = FakePeer()
    yield fake
    fake.close()


@pytest.fixture
def peer(fake_peer, site_tree):
    return Peer.objects.create(
        url=fake_peer.url,
        name="Partner node",
        key_id=fake_peer.key_id,
        public_key=fake_peer.public_pem,
        state=PeerState.ACTIVE,
    )


# -- wire-shaped data ----------------------------------------------------------------------------


def new_uid() -> str:
    return str(uuid.uuid4())


def venue_data(**fields) -> dict:
    data = {
        "kind": "tiers_lieu",
        "titles": {"fr": "La Ruche de Québec", "en": "Quebec Hive"},
        "summaries": {"fr": "Un tiers-lieu au bord du fleuve."},
        "accessibility": {},
        "urls": {"fr": "https://partner.example/fr/ruche/", "en": "https://partner.example/en/hive/"},
        "street_address": "1 rue du Fleuve",
        "postcode": "G1K 1A1",
        "city": "Québec",
        "region": "Québec",
        "country": "CA",
        "latitude": 46.81,
        "longitude": -71.21,
        "timezone": "America/Toronto",
        "wheelchair_accessible": True,
        "email": "ruche@partner.example",
        "phone": "",
        "website": "",
        "opening_hours": [[0, "09:00", "18:00"], [1, "09:00", "18:00"]],
        "closures": [{"first_day": "2026-12-24", "last_day": "2026-12-26", "yearly": True, "reason": "Noël"}],
    }
    data.update(fields)
    return data


def resource_data(venue: str, **fields) -> dict:
    data = {
        "venue": venue,
        "name": "Salle Fleuve",
        "kind": "room",
        "description": "",
        "capacity": 1,
        "seats": 8,
        "price_minor": 2500,
        "currency": "CAD",
        "pricing_unit": "hour",
        "booking_unit": "slots",
        "slot_minutes": 30,
        "min_minutes": 30,
        "max_minutes": 480,
        "lead_minutes": 0,
        "horizon_days": 90,
        "buffer_minutes": 0,
        "max_per_day": None,
        "max_per_week": None,
        "approval_required": False,
        "free_cancel_hours": 24,
        "late_cancellation": "allowed",
        "late_refund_percent": 0,
        "pay_at_venue": False,
        "is_active": True,
        "hours": [[2, "10:00", "16:00"]],
        "closures": [{"first_day": "2026-08-01", "last_day": "2026-08-15", "yearly": False, "reason": ""}],
    }
    data.update(fields)
    return data


def event_data(venue: str, seats: str | None = None, **fields) -> dict:
    data = {
        "venue": venue,
        "seats": seats,
        "titles": {"fr": "Atelier de l'économie sociale", "en": "Social economy workshop"},
        "summaries": {},
        "urls": {"fr": "https://partner.example/fr/atelier/"},
        "timezone": "America/Toronto",
        "start": "2030-03-03T14:00:00+00:00",
        "end": "2030-03-03T16:00:00+00:00",
        "rule": "",
        "changes": {},
        "last_end": "2030-03-03T16:00:00+00:00",
        "capacity": 20,
        "price_minor": 0,
        "currency": "CAD",
        "registration_closes_hours": 0,
        "attendance_mode": "offline",
        "language": "fr",
        "status": "scheduled",
        "cancel_reason": "",
        "sequence": 0,
        "programme_titles": {},
    }
    data.update(fields)
    return data


def busy_data(resource: str, **fields) -> dict:
    data = {
        "resource": resource,
        "start": "2030-03-04T14:00:00+00:00",
        "end": "2030-03-04T15:00:00+00:00",
        "quantity": 1,
        "expires_at": None,
    }
    data.update(fields)
    return data
