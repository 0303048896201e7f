"""The outbound-fetch guard (``core.outbound``): which addresses it refuses, that it connects to the
address it checked, that it checks redirects, and that it caps bodies and time. Servers run on
loopback in threads; names are resolved through a patched ``socket.getaddrinfo``."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import outbound

LOOPBACK_ONLY = ["127.0.0.0/8", "::1/128"]


class Handler(BaseHTTPRequestHandler):
    """``/big`` (10 kB with a length), ``/chunked`` (10 kB without), ``/slow``, ``/to?url``
    (a redirect), anything else: 200 with the Host header it received."""

    seen_hosts: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        Handler.seen_hosts.append(self.headers.get("Host"))
        if self.path == "/big":
            self._answer(b"x" * 10_000)
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"3e8\r\n" + b"y" * 1000 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/slow":
            time.sleep(1.5)
            self._answer(b"late")
        elif self.path.startswith("/to?"):
            self.send_response(302)
            self.send_header("Location", self.path[4:])
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._answer(f"host={self.headers.get('Host')}".encode())

    def _answer(self, body: bytes):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """The guard hangs up on purpose (too large, too slow): not an error here."""


@pytest.fixture(scope="module")
def server():
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def names(monkeypatch):
    """``names["peer.example"] = ["10.0.0.5"]``: what a name resolves to, one answer per call (the
    last one repeats); literal addresses resolve as usual."""
    table: dict[str, list[str]] = {}
    calls: list[str] = []
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host in table:
            calls.append(host)
            answers = table[host]
            address = answers.pop(0) if len(answers) > 1 else answers[0]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    table["_calls"] = calls  # type: ignore[assignment]
    return table


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.1.1", "172.16.0.1", "::1", "fc00::1"])
def test_private_and_loopback_addresses_are_refused_without_the_setting(settings, address):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = []
    with pytest.raises(outbound.FetchRefused) as refused:
        outbound.check_address(address)
    assert refused.value.code == "refused_address"


def test_loopback_is_allowed_when_the_setting_lists_it(settings, server):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = LOOPBACK_ONLY
    answer = outbound.fetch(f"http://{server}/hello")
    assert answer.status == 200 and answer.address == "127.0.0.1"
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = []
    with pytest.raises(outbound.FetchRefused, match="private, loopback"):
        outbound.fetch(f"http://{server}/hello")


@pytest.mark.parametrize("address", ["169.254.169.254", "169.254.1.1", "fe80::1", "::ffff:169.254.169.254"])
def test_link_local_and_metadata_are_refused_even_when_allowed(settings, address):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = ["0.0.0.0/0", "::/0"]
    with pytest.raises(outbound.FetchRefused, match="never fetched"):
        outbound.check_address(address)


def test_a_name_resolving_to_a_private_address_is_refused(settings, names):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = LOOPBACK_ONLY
    names["intranet.example"] = ["10.0.0.5"]
    with pytest.raises(outbound.FetchRefused) as refused:
        outbound.fetch("https://intranet.example/.well-known/essaim")
    assert refused.value.code == "refused_address" and "10.0.0.5" in str(refused.value)
    names["metadata.example"] = ["169.254.169.254"]
    with pytest.raises(outbound.FetchRefused, match="never fetched"):
        outbound.fetch("http://metadata.example/latest/meta-data/")


def test_a_redirect_to_a_private_or_metadata_address_is_refused(settings, server):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = LOOPBACK_ONLY
    with pytest.raises(outbound.FetchRefused) as refused:
        outbound.fetch(f"http://{server}/to?http://10.0.0.7/admin")
    assert refused.value.code == "refused_address"
    with pytest.raises(outbound.FetchRefused, match="never fetched"):
        outbound.fetch(f"http://{server}/to?http://169.254.169.254/latest/meta-data/")
    followed = outbound.fetch(f"http://{server}/to?/hello")
    assert followed.status == 200 and followed.history == [f"http://{server}/to?/hello"]


def test_the_connection_goes_to_the_checked_address(settings, server, names):
    """DNS rebinding: the name resolves to loopback once (checked), then to a private address; the
    request still goes to the address that was checked, with the name in the Host header."""
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = LOOPBACK_ONLY
    port = server.split(":")[1]
    names["peer.example"] = ["127.0.0.1", "10.9.9.9"]
    answer = outbound.fetch(f"http://peer.example:{port}/hello")
    assert answer.address == "127.0.0.1"
    assert answer.body == f"host=peer.example:{port}".encode()
    assert names["_calls"] == ["peer.example"]


def test_a_body_over_the_cap_is_too_large(settings, server):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = LOOPBACK_ONLY
    for path in ("/big", "/chunked"):
        with pytest.raises(outbound.FetchRefused) as refused:
            outbound.fetch(f"http://{server}{path}", max_bytes=1000)
        assert refused.value.code == "too_large"
    assert len(outbound.fetch(f"http://{server}/big", max_bytes=10_000).body) == 10_000


def test_a_slow_server_times_out(settings, server):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = LOOPBACK_ONLY
    started = time.monotonic()
    with pytest.raises(outbound.FetchRefused) as refused:
        outbound.fetch(f"http://{server}/slow", timeout=0.3)
    assert refused.value.code == "timed_out"
    assert time.monotonic() - started < 1.4


@pytest.mark.parametrize(
    "url", ["ftp://example.org/", "http://user:pw@example.org/", "file:///etc/passwd", "http://example.org:99999/"]
)
def test_bad_urls_are_refused(url):
    with pytest.raises(outbound.FetchRefused) as refused:
        outbound.fetch(url)
    assert refused.value.code == "bad_url"
