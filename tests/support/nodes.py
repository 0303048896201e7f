"""Two real Essaim nodes on loopback, for the federation suite (tests/twonode) and its browser test.

Each node is ``make serve`` (gunicorn, as ``make run`` serves) on a free port, with its own
``ESSAIM_VAR_DIR``, database, ``ESSAIM_NODE_URL`` and ``ESSAIM_NODE_NAME``; Celery eager (no broker),
``ESSAIM_ALLOW_PRIVATE_ADDRESSES=127.0.0.0/8`` so they may reach each other. Node A serves the
default demo network, node B the partner network (``ESSAIM_DEMO=partner``).

Databases: SQLite files by default — one file is migrated (half a minute to a minute) and copied
for both nodes; with a PostgreSQL ``DATABASE_URL`` (``…/<name>``), ``<name>_node_a`` is created and
migrated, ``<name>_node_b`` is made from it as a template, and both are dropped at the end.

A's demo is the default network's first ``ESSAIM_TWONODE_VENUES`` venues (12 unless set; ``0``: all
of them, a few minutes more), with their resources, bookings and events; B's is the whole partner
network. Both load at once. The node's key is made by the node itself, in its own database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from demo.dataset import by_name
from tests.support.server import HOST, ROOT, base_environment, free_port, make_serve_command, manage, serving

NODE_NAMES = {"a": "Essaim France (A)", "b": "Essaim Québec–Afrique de l'Ouest (B)"}
DEMOS = {"a": "", "b": "partner"}


@dataclass
class Node:
    """One running node: its URL, its environment, and the ways a test talks to it."""

    label: str  # "a" or "b"
    port: int
    env: dict[str, str]
    var_dir: Path
    accounts: dict = field(repr=False)
    process: subprocess.Popen | None = field(default=None, repr=False)
    _stack: ExitStack | None = field(default=None, repr=False)
    _tokens: dict = field(default_factory=dict, repr=False)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def name(self) -> str:
        return self.env["ESSAIM_NODE_NAME"]

    @property
    def log(self) -> Path:
        return self.var_dir / "server.log"

    # -- life cycle -------------------------------------------------------------------------------

    def start(self) -> None:
        self._stack = ExitStack()
        self.process = self._stack.enter_context(
            serving(make_serve_command(self.port), self.env, self.port, log=self.log, wait_seconds=180)
        )

    def stop(self) -> None:
        """Stop gunicorn (its database stays); ``start()`` serves it again on the same port."""
        if self._stack is not None:
            self._stack.close()
        self._stack = self.process = None

    @contextmanager
    def stopped(self):
        self.stop()
        try:
            yield self
        finally:
            self.start()

    # -- operators --------------------------------------------------------------------------------

    def manage(self, *args: str, timeout: float = 300) -> str:
        """``manage.py <args>`` against this node's database and settings; its output."""
        return manage(self.env, *args, timeout=timeout)

    def shell(self, code: str, timeout: float = 300) -> str:
        """Python run by ``manage.py shell -c`` on this node (its database, its key); what it printed."""
        return manage(self.env, "shell", "--no-imports", "-c", code, timeout=timeout, stdout_only=True)

    # -- HTTP -------------------------------------------------------------------------------------

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, trust_env=False, follow_redirects=False)

    def get(self, path: str, **kwargs) -> httpx.Response:
        with self.client() as client:
            return client.get(path, **kwargs)

    def post(self, path: str, **kwargs) -> httpx.Response:
        with self.client() as client:
            return client.post(path, **kwargs)

    def token(self, username: str = "entrepreneur") -> str:
        """A demo account's API token (``POST /api/v1/auth/token/``), asked once per node and account."""
        if username not in self._tokens:
            answer = self.post(
                "/api/v1/auth/token/",
                json={"username": username, "password": self.accounts[username]["password"]},
            )
            assert answer.status_code == 200, f"{self.label}: token for {username}: {answer.status_code} {answer.text}"
            self._tokens[username] = answer.json()["token"]
        return self._tokens[username]

    def api(self, method: str, path: str, *, user: str = "entrepreneur", headers=None, **kwargs) -> httpx.Response:
        """An API call as a demo account (``Authorization: Token …``)."""
        headers = {"Authorization": f"Token {self.token(user)}", **(headers or {})}
        with self.client() as client:
            return client.request(method, path, headers=headers, **kwargs)

    def node_info(self) -> dict:
        answer = self.get("/.well-known/essaim")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def venues(self, **params) -> list[dict]:
        """``GET /api/v1/venues/``, every page."""
        return self._all("/api/v1/venues/", params)

    def events(self, **params) -> list[dict]:
        return self._all("/api/v1/events/", params)

    def _all(self, path: str, params: dict) -> list[dict]:
        rows, url, params = [], path, {"limit": 200, **params}
        with self.client() as client:
            while url:
                answer = client.get(url, params=params)
                assert answer.status_code == 200, f"{self.label} {url}: {answer.status_code} {answer.text[:500]}"
                data = answer.json()
                if isinstance(data, list):
                    return data
                rows += data["results"]
                url, params = data.get("next"), None
        return rows


# -- databases ------------------------------------------------------------------------------------


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path=f"/{name}").geturl()


def _pg_admin(url: str, *statements: str) -> None:
    import psycopg  # noqa: PLC0415 — only with PostgreSQL

    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


@contextmanager
def databases(root: Path):
    """Two migrated, empty databases: yields ``{"a": env overrides, "b": …}``."""
    template_dir = root / "template"
    template_dir.mkdir()
    postgres = _postgres_url()
    if postgres is None:
        env = base_environment(template_dir)
        manage(env, "migrate", "--noinput")
        for label in "ab":
            (root / label).mkdir()
            for file in template_dir.glob("essaim.sqlite3*"):
                shutil.copy(file, root / label / file.name)
        yield {"a": {}, "b": {}}
        return
    base = urlsplit(postgres).path.lstrip("/") or "essaim"
    # A parallel run's workers (pytest-xdist) each name their own pair.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    names = {label: f"{base}_node_{label}{'_' + worker if worker else ''}" for label in "ab"}
    drop = [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in names.values()]
    _pg_admin(postgres, *drop, f'CREATE DATABASE "{names["a"]}"')
    try:
        env = base_environment(template_dir) | {"DATABASE_URL": _with_database(postgres, names["a"])}
        manage(env, "migrate", "--noinput")
        _pg_admin(postgres, f'CREATE DATABASE "{names["b"]}" TEMPLATE "{names["a"]}"')
        for label in "ab":
            (root / label).mkdir()
        yield {label: {"DATABASE_URL": _with_database(postgres, name)} for label, name in names.items()}
    finally:
        _pg_admin(postgres, *drop)


def _demo_command(label: str) -> list[str]:
    command = [sys.executable, "manage.py", "load_demo"]
    venues = int(os.environ.get("ESSAIM_TWONODE_VENUES", "12"))
    if label == "a" and venues:
        command += ["--limit", str(venues)]
    return command


@contextmanager
def two_nodes_running(root: Path):
    """Nodes A and B, migrated, demo loaded, serving; stopped (and their databases dropped) after."""
    with databases(root) as overrides:
        nodes = {}
        for label in "ab":
            port = free_port()
            env = base_environment(root / label) | overrides[label]
            env |= {
                "ESSAIM_NODE_URL": f"http://{HOST}:{port}",
                "ESSAIM_NODE_NAME": NODE_NAMES[label],
                "ESSAIM_ALLOW_PRIVATE_ADDRESSES": "127.0.0.0/8",
                "ESSAIM_DEMO": DEMOS[label],
                "CELERY_TASK_ALWAYS_EAGER": "true",
            }
            nodes[label] = Node(label, port, env, root / label, by_name(DEMOS[label]).accounts)
        _load_demos(nodes)
        try:
            for node in nodes.values():
                node.start()
            yield nodes["a"], nodes["b"]
        finally:
            for node in nodes.values():
                node.stop()


def _load_demos(nodes: dict[str, Node]) -> None:
    """Both demos at once (each node its own database), a few minutes at most."""
    running = {}
    for label, node in nodes.items():
        log = (node.var_dir / "load_demo.log").open("wb")
        running[label] = (
            subprocess.Popen(  # noqa: S603 — our interpreter, fixed arguments
                _demo_command(label), cwd=ROOT, env=node.env, stdout=log, stderr=subprocess.STDOUT
            ),
            log,
        )
    for label, (process, log) in running.items():
        code = process.wait(timeout=900)
        log.close()
        if code:
            text = (nodes[label].var_dir / "load_demo.log").read_text(errors="replace")
            raise RuntimeError(f"load_demo on node {label} failed:\n{text[-4000:]}")
    for node in nodes.values():
        _rebuild_outbox(node)


def _rebuild_outbox(node: Node) -> None:
    """``load_demo`` writes in bulk, past the outbox producers: the change feed is rebuilt after it
    (as the README tells an operator to), when this tree has the command."""
    try:
        node.manage("federation_outbox_rebuild")
    except subprocess.CalledProcessError as error:
        if "Unknown command" not in (error.stderr or "") + (error.stdout or ""):
            raise


# -- fixtures (import them where they are needed) -----------------------------------------------


@pytest.fixture(scope="session")
def two_nodes(tmp_path_factory):
    """``(a, b)``: two running nodes, unpaired. Session-wide: starting them costs a minute or two."""
    started = time.monotonic()
    with two_nodes_running(tmp_path_factory.mktemp("twonode")) as pair:
        print(f"\ntwo nodes up in {time.monotonic() - started:.0f} s: A {pair[0].url}, B {pair[1].url}")  # noqa: T201
        yield pair


def pair(a: Node, b: Node) -> None:
    """B asks A to pair (``peer_add``), A's operator approves (``peer_approve``), B pulls (``sync_peers``)."""
    b.manage("peer_add", a.url)
    a.manage("peer_approve", b.url)
    b.manage("sync_peers")


@pytest.fixture(scope="session")
def paired_nodes(two_nodes):
    """``(a, b)`` paired, B having pulled A once. Fails (and so xfails its tests) while the operator
    commands are missing."""
    a, b = two_nodes
    pair(a, b)
    return a, b


def wait_for(check, *, timeout: float = 15, interval: float = 0.2, message: str = ""):
    """Call ``check()`` until it returns something truthy; that value, or AssertionError at the end."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message or f"not true after {timeout} s: {check}")
        time.sleep(interval)
