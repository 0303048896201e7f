"""Another Essaim node, small enough to run in a thread on loopback: it publishes a node info with
its own Ed25519 key, answers ``/federation/v1/pair…`` with signed answers, and records what it was
sent (after checking our signature with our public key). It also signs requests *to* us, for the
Django test client. It never touches the database: the test's thread owns it."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_message_signatures as hms
from cryptography.hazmat.primitives.asymmetric import ed25519
from http_message_signatures.algorithms import ED25519

from federation import signing
from federation.keys import fingerprint, public_pem_of


class _Key(hms.HTTPSignatureKeyResolver):
    def __init__(self, private_key):
        self.private_key = private_key

    def resolve_private_key(self, key_id):
        return self.private_key

    def resolve_public_key(self, key_id):  # pragma: no cover
        return self.private_key.public_key()


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes
    verified: bool

    @property
    def data(self) -> dict:
        return json.loads(self.body or b"{}")


@dataclass
class FakeNode:
    #: Our node's public key (to check what we send) and key id.
    our_key_id: str = ""
    our_public_key: str = ""
    name: str = "Nœud partenaire"
    private_key: ed25519.Ed25519PrivateKey = field(default_factory=ed25519.Ed25519PrivateKey.generate)
    #: What /pair answers: (status, data).
    pair_answer: tuple = (202, {"state": "pending"})
    accept_answer: tuple = (202, {"state": "active"})
    state_answer: tuple = (202, {"state": "active"})
    #: Published instead of the real key, to play a node whose body and node info disagree.
    published_key: str = ""
    received: list = field(default_factory=list)
    url: str = ""

    @property
    def public_pem(self) -> str:
        return public_pem_of(self.private_key)

    @property
    def key_id(self) -> str:
        return f"{self.url}#fake"

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_pem)

    def node_info(self) -> dict:
        return {
            "software": "essaim",
            "software_version": "0.1.0",
            "api_version": "1",
            "name": self.name,
            "url": self.url,
            "key_id": self.key_id,
            "public_key": self.published_key or self.public_pem,
            "key_algorithm": "ed25519",
        }

    def sign(self, message, covered, body) -> None:
        signer = hms.HTTPMessageSigner(signature_algorithm=ED25519, key_resolver=_Key(self.private_key))
        signer.sign(
            message,
            key_id=self.key_id,
            nonce=signing.new_nonce(),
            label=signing.LABEL,
            tag=signing.TAG,
            covered_component_ids=covered,
            body=body or None,
        )

    def signed_headers(self, url: str, body: bytes, *, method: str = "POST") -> dict:
        """Headers for a request from this node to ``url`` (for the Django test client: HTTP_…)."""
        message = signing.Message(method, url, {"Content-Type": "application/json", "Idempotency-Key": "k-1"})
        self.sign(message, ["@method", "@target-uri", "idempotency-key"], body)
        return message.headers

    def answer_headers(self, status: int, body: bytes, request_nonce: str) -> dict:
        headers = {"Content-Type": "application/json", "Essaim-Request-Nonce": request_nonce}
        message = signing.AnswerMessage(status, headers)
        self.sign(message, ["@status", "essaim-request-nonce"], body)
        return message.headers


def _handler(node: FakeNode):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status: int, data: dict, headers: dict | None = None):
            body = json.dumps(data).encode()
            self.send_response(status)
            for name, value in (headers or {"Content-Type": "application/json"}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/.well-known/essaim":
                self._send(200, node.node_info())
            else:
                self._send(404, {"code": "not_found"})

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = dict(self.headers.items())
            message = signing.Message("POST", node.url + self.path, headers)
            try:
                result = signing._verify(
                    message,
                    {node.our_key_id: node.our_public_key},
                    body,
                    ["@method", "@target-uri", "idempotency-key"],
                )
                verified, nonce = True, result.nonce
            except signing.SignatureRejected:
                verified, nonce = False, ""
            node.received.append(Received("POST", self.path, headers, body, verified))
            answers = {
                "/federation/v1/pair": node.pair_answer,
                "/federation/v1/pair/accept": node.accept_answer,
                "/federation/v1/pair/state": node.state_answer,
            }
            if not verified or self.path not in answers:
                self._send(401, {"code": "bad_signature"})
                return
            status, data = answers[self.path]
            payload = json.dumps(data).encode()
            self._send(status, data, node.answer_headers(status, payload, nonce))

    return Handler


def start(node: FakeNode) -> tuple[ThreadingHTTPServer, threading.Thread]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(node))
    node.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
