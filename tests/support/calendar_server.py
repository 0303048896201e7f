"""A real HTTP server on loopback that publishes calendars as Google, Outlook and Nextcloud do:
``text/calendar`` bodies with an ``ETag`` and ``Last-Modified``, a 304 to a matching
``If-None-Match`` / ``If-Modified-Since``, and whatever status or misbehaviour a test sets.

``CalendarServer.publish(path, body)`` serves ``body`` at ``path``; ``requests`` records every
request (method, path, headers) so a test can count them."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Published:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/calendar; charset=utf-8"
    #: Seconds to wait between two bytes (a server dripping its answer); 0: all at once.
    drip: float = 0.0
    redirect: str = ""
    modified: float = field(default_factory=time.time)
    #: Answer validators (``ETag``, ``Last-Modified``) and 304s; off like some servers.
    validators: bool = True

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


class CalendarServer:
    def __init__(self):
        self.routes: dict[str, Published] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def publish(self, path: str, body: bytes | str = b"", **options) -> Published:
        if isinstance(body, str):
            body = body.encode()
        self.routes[path] = Published(body=body, **options)
        return self.routes[path]

    def start(self) -> CalendarServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                server.requests.append(("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.redirect:
                    self.send_response(route.status if 300 <= route.status < 400 else 302)
                    self.send_header("Location", route.redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                last_modified = formatdate(route.modified, usegmt=True)
                if (
                    route.validators
                    and route.status == 200
                    and (
                        self.headers.get("If-None-Match") == route.etag
                        or (
                            not self.headers.get("If-None-Match")
                            and self.headers.get("If-Modified-Since") == last_modified
                        )
                    )
                ):
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.validators:
                    self.send_header("ETag", route.etag)
                    self.send_header("Last-Modified", last_modified)
                if not route.drip:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                try:
                    if route.drip:
                        for byte in route.body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(route.drip)
                    else:
                        self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
