"""A real HTTP server on loopback that publishes calendars as Google, Outlook and Nextcloud do:
``text/calendar`` bodies with an ``ETag`` and ``Last-Modified``, a 304 to a matching
``If-None-Match`` / ``If-Modified-Since``, and whatever status or misbehaviour a test sets.

``CalendarServer.publish(path, body)`` serves ``body`` at ``path`` (a callable: called for each
answer, as Google writes a new ``DTSTAMP`` on every fetch); ``requests`` records every request
(method, path, headers) so a test can count them. ``ics`` and ``vevent`` write calendars.

How the vendors publish (``DIALECTS``, from their answers as documented and observed): Google's
secret iCal address answers ``text/calendar`` without validators and stamps every event with the
time of the request; Outlook's published ICS sends an ``ETag`` (no ``Last-Modified``); Nextcloud's
export link sends both ``ETag`` and ``Last-Modified`` and a ``Content-Disposition``."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def ics(*events: str, extra: str = "") -> str:
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + extra + "".join(events) + "END:VCALENDAR\r\n"


def vevent(uid: str, start: datetime, hours: float = 1, extra: str = "", stamp: str = "20260101T000000Z") -> str:
    end = start + timedelta(hours=hours)
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{stamp}\r\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\n{extra}END:VEVENT\r\n"
    )


#: ``publish`` options per vendor: the validators they send and their headers.
DIALECTS = {
    "google": {"validators": False, "content_type": "text/calendar; charset=UTF-8"},
    "outlook": {"validators": True, "last_modified": False, "content_type": "text/calendar; charset=utf-8"},
    "nextcloud": {
        "validators": True,
        "content_type": "text/calendar; charset=utf-8",
        "headers": {"Content-Disposition": 'attachment; filename="rooms.ics"'},
    },
}


@dataclass
class Published:
    body: bytes | Callable[[], bytes] = b""
    status: int = 200
    content_type: str = "text/calendar; charset=utf-8"
    #: Seconds to wait between two bytes (a server dripping its answer); 0: all at once.
    drip: float = 0.0
    redirect: str = ""
    modified: float = field(default_factory=time.time)
    #: Answer validators (``ETag``, ``Last-Modified``) and 304s; off like some servers.
    validators: bool = True
    #: ``Last-Modified`` with the ``ETag`` (Outlook sends the ``ETag`` only).
    last_modified: bool = True
    headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        body = self.body() if callable(self.body) else self.body
        return body.encode() if isinstance(body, str) else body

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.content()).hexdigest()[:16] + '"'


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

    def publish(self, path: str, body=b"", *, dialect: str = "", **options) -> Published:
        if isinstance(body, str):
            body = body.encode()
        self.routes[path] = Published(body=body, **{**DIALECTS.get(dialect, {}), **options})
        return self.routes[path]

    def count(self, path: str) -> int:
        return sum(1 for _m, p, _h in self.requests if p == path)

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
                            route.last_modified
                            and not self.headers.get("If-None-Match")
                            and self.headers.get("If-Modified-Since") == last_modified
                        )
                    )
                ):
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    self.end_headers()
                    return
                body = route.content()
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.validators:
                    self.send_header("ETag", route.etag)
                    if route.last_modified:
                        self.send_header("Last-Modified", last_modified)
                if not route.drip:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if route.drip:
                        for byte in body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(route.drip)
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
