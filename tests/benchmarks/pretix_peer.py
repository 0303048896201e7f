"""pretix, the event ticketing system, measured on this machine as a peer of Essaim's busy event.

The question (issue #17): one busy event date, 32 clients registering for its seats — how many
registrations a second does a mature Django ticketing system take, and does it sell exactly
``capacity`` and refuse the rest? ``measure_pretix`` answers it for pretix, end to end:

1. **install** — pretix from PyPI (pinned ``PRETIX_VERSION``) and gunicorn (the version Essaim
   runs) into their own virtual environment, ``var/bench/pretix-venv`` (``var/`` is git-ignored;
   ``ESSAIM_PRETIX_HOME`` moves it). A venv that already has both versions is reused, so a second
   ``make bench`` installs nothing. Never the project's ``.venv``: pretix pins its own Django stack.
2. **database** — its own PostgreSQL database (``pretix_bench``) on the benchmark's server,
   created when missing and migrated by pretix's ``migrate`` (a no-op once done). Each run adds a
   fresh event to it, so earlier runs' orders never count.
3. **load** — a ``python -c`` script in pretix's venv (``DJANGO_SETTINGS_MODULE=pretix.settings``,
   ``PRETIX_CONFIG_FILE``) makes one organizer, one live event, one free ticket, one quota of
   ``capacity`` seats, and a team with every permission and an API token.
4. **serve** — gunicorn on ``pretix.wsgi`` with the worker shape of ``deploy/gunicorn.conf.py``
   (read from that file: ``2 × CPUs + 1`` gthread workers × 2 threads by default), ``DEBUG`` off,
   Redis (its own db number, flushed before and after) as cache and Celery broker when it answers.
5. **measure** — ``clients`` simulated orders warm pretix up (``"simulate": true``: the whole
   validation, nothing saved); then ``clients`` threads, each with its own fresh keep-alive
   connection, start together on a barrier and POST one-ticket orders to
   ``/api/v1/organizers/{org}/events/{event}/orders/`` until pretix refuses them with its "not
   enough quota" 400. The free ticket makes each order paid at once through pretix's ``free``
   payment provider, as a free Essaim registration is confirmed at once.
6. **stop** — gunicorn is stopped whatever happened; the sold count is read back from pretix's
   own tables.

This module imports nothing from Django or Essaim, so it also runs on its own:
``.venv/bin/python -m tests.benchmarks.pretix_peer``. Whatever prevents a measurement (no route
to the package index, a failed build, no PostgreSQL, a server that does not start) is raised as
``PretixUnavailable`` with the precise reason, for the caller to print next to pretix's documented
ceiling (``DOCUMENTED_CEILING``).
"""

from __future__ import annotations

import http.client
import importlib.metadata
import json
import math
import os
import runpy
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: The pretix release measured (the newest on the package index when this was written).
PRETIX_VERSION = "2026.8.0"
#: Where the venv, the configuration file and pretix's data directory live, unless
#: ``ESSAIM_PRETIX_HOME`` says otherwise; ``var/`` is git-ignored.
DEFAULT_HOME = ROOT / "var" / "bench"
#: pretix's ceiling for one event as issue #17 quotes it (not re-checked against pretix's docs
#: here), printed when pretix cannot run on this machine.
DOCUMENTED_CEILING = "300–400 tickets per minute per event (5–6.7 orders/s)"

ORGANIZER = "essaim-bench"
DATABASE = "pretix_bench"
#: Essaim's tests use Redis dbs 0–9; pretix gets its own so neither flushes the other's keys.
REDIS_DB = 14
PIP_SECONDS = 900
SERVER_START_SECONDS = 300


class PretixUnavailable(RuntimeError):
    """pretix could not be installed, started or loaded here; ``reason`` says exactly why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def measure_pretix(
    capacity: int = 200,
    clients: int = 32,
    attempts_per_client: int | None = None,
    *,
    db_host: str = "127.0.0.1",
    db_port: int = 5432,
    db_user: str = "postgres",
    redis_host: str = "127.0.0.1",
    redis_port: int = 6379,
) -> dict:
    """Install (or reuse), start, load and measure pretix; return the figures, stop pretix.

    Each client orders until refused for want of quota, or makes exactly
    ``attempts_per_client`` attempts when given. Keys: version, capacity, clients, sold (201
    answers), refused (400 "not enough quota"), errors (any other answer), seconds (barrier to the
    last answer), orders_per_s (sold ÷ seconds), p50/p95/p99_ms (all timed requests), and for the
    report sold_in_db, requests, workers, install_seconds (0 when the venv was reused),
    migrate_seconds, start_seconds, redis.
    """
    home = Path(os.environ.get("ESSAIM_PRETIX_HOME") or DEFAULT_HOME)
    venv = home / "pretix-venv"
    _ensure_database(db_host, db_port, db_user)  # first: it fails in a second, the install in minutes
    install_seconds = _ensure_venv(venv)
    redis = _redis_flush(redis_host, redis_port)
    port = _free_port()
    env = _pretix_env(
        home, port, db_host, db_port, db_user, f"redis://{redis_host}:{redis_port}/{REDIS_DB}" if redis else ""
    )

    t0 = time.perf_counter()
    _run(venv, ["-m", "pretix", "migrate", "--noinput"], env, "pretix migrate", timeout=900)
    migrate_seconds = time.perf_counter() - t0
    scene = json.loads(
        _run(venv, ["-c", SETUP_SCRIPT, str(capacity), ORGANIZER, f"busy-{uuid.uuid4().hex[:10]}"], env, "setup")
    )

    shape = _worker_shape()
    t0 = time.perf_counter()
    log_path = home / "pretix-data" / "gunicorn.log"
    server = _start_gunicorn(venv, env, port, shape, log_path)
    try:
        _wait_until_up(server, port, scene, log_path)
        start_seconds = time.perf_counter() - t0
        run = _rush(port, scene, clients, attempts_per_client)
    finally:
        _stop(server)
        if redis:
            _redis_flush(redis_host, redis_port)  # the queued tasks no worker will run
    sold_in_db = int(_run(venv, ["-c", COUNT_SCRIPT, scene["organizer"], scene["event"]], env, "count").strip())

    latencies = run["latencies"]
    return {
        "version": PRETIX_VERSION,
        "capacity": capacity,
        "clients": clients,
        "sold": run["sold"],
        "refused": run["refused"],
        "errors": run["errors"],
        "seconds": run["seconds"],
        "orders_per_s": run["sold"] / run["seconds"] if run["seconds"] else float("nan"),
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "sold_in_db": sold_in_db,
        "requests": len(latencies),
        "error_samples": run["error_samples"],
        "workers": f"{shape['workers']} {shape['worker_class']} workers × {shape['threads']} threads",
        "install_seconds": install_seconds,
        "migrate_seconds": migrate_seconds,
        "start_seconds": start_seconds,
        "redis": redis,
    }


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile, the rule of bench_booking_throughput's figures."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


# ---------------------------------------------------------------------------------------------
# Install
# ---------------------------------------------------------------------------------------------


def _wanted() -> dict[str, str]:
    """pretix pinned; gunicorn at the version Essaim serves with, so only the application differs."""
    try:
        gunicorn = importlib.metadata.version("gunicorn")
    except importlib.metadata.PackageNotFoundError:
        gunicorn = ""
    return {"pretix": PRETIX_VERSION, "gunicorn": gunicorn}


def _installed(venv: Path) -> dict[str, str]:
    python = venv / "bin" / "python"
    if not python.exists():
        return {}
    probe = "import importlib.metadata as m, json; print(json.dumps({n: m.version(n) for n in ('pretix', 'gunicorn')}))"
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    return json.loads(done.stdout) if done.returncode == 0 else {}


def _ensure_venv(venv: Path) -> float:
    """The venv with the wanted versions; returns the seconds spent installing (0 when reused)."""
    wanted = _wanted()
    have = _installed(venv)
    if have and all(not version or have.get(name) == version for name, version in wanted.items()):
        return 0.0
    t0 = time.perf_counter()
    if venv.exists():
        shutil.rmtree(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    # The base interpreter, not this venv's: pretix must not see Essaim's packages.
    base = getattr(sys, "_base_executable", None) or sys.executable
    made = subprocess.run(  # noqa: S603 — our interpreter, fixed arguments
        [base, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=300, check=False
    )
    if made.returncode:
        raise PretixUnavailable(f"python -m venv {venv} failed: {_tail(made.stderr or made.stdout)}")
    requirements = [f"{name}=={version}" if version else name for name, version in wanted.items()]
    try:
        pip = subprocess.run(  # noqa: S603 — the new venv's pip, pinned requirements
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", *requirements],
            capture_output=True,
            text=True,
            timeout=PIP_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        shutil.rmtree(venv, ignore_errors=True)
        raise PretixUnavailable(f"pip install {' '.join(requirements)} took over {PIP_SECONDS} s") from exc
    if pip.returncode:
        shutil.rmtree(venv, ignore_errors=True)  # a half-installed venv must not be reused
        errors = [line for line in pip.stderr.splitlines() if line.startswith("ERROR")]
        why = "\n".join(errors[-6:]) if errors else _tail(pip.stderr + pip.stdout)
        raise PretixUnavailable(f"pip install {' '.join(requirements)} failed: {why}")
    return time.perf_counter() - t0


# ---------------------------------------------------------------------------------------------
# Database, Redis, configuration
# ---------------------------------------------------------------------------------------------


def _ensure_database(host: str, port: int, user: str) -> None:
    """Create ``pretix_bench`` when missing (kept between runs: migrating it anew takes minutes)."""
    try:
        import psycopg  # noqa: PLC0415 — Essaim's driver; only this step needs it
    except ImportError as exc:
        raise PretixUnavailable(f"psycopg is not installed in this interpreter: {exc}") from exc
    try:
        with psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
                conn.execute(f'CREATE DATABASE "{DATABASE}"')
    except psycopg.Error as exc:
        raise PretixUnavailable(f"PostgreSQL at {user}@{host}:{port}: {str(exc).strip()}") from exc


def _redis_flush(host: str, port: int) -> bool:
    """Empty pretix's Redis db (``REDIS_DB``); False when Redis does not answer."""
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(f"SELECT {REDIS_DB}\r\nFLUSHDB\r\n".encode())
            answer = b""
            while answer.count(b"\r\n") < 2:
                chunk = sock.recv(64)
                if not chunk:
                    break
                answer += chunk
            return answer == b"+OK\r\n+OK\r\n"
    except OSError:
        return False


def _pretix_env(home: Path, port: int, db_host: str, db_port: int, db_user: str, redis_url: str) -> dict:
    """Write pretix.cfg (a fresh secret each run, DEBUG off) and return the environment to run pretix in."""
    data = home / "pretix-data"
    data.mkdir(parents=True, exist_ok=True)
    # With Redis, pretix caches there and queues its Celery tasks there (webhooks, notifications),
    # as in production; no worker consumes them (they are flushed after the run), as Essaim's
    # throughput benchmark replaces its e-mail queueing with a no-op. Without Redis, pretix runs
    # its tasks inside the request (its eager mode), which costs it a little.
    redis = (
        f"[redis]\nlocation={redis_url}\nsessions=false\n\n[celery]\nbroker={redis_url}\nbackend={redis_url}\n"
        if redis_url
        else ""
    )
    config = home / "pretix.cfg"
    config.write_text(
        f"[pretix]\ninstance_name=Essaim benchmark peer\nurl=http://127.0.0.1:{port}\ncurrency=EUR\n"
        f"datadir={data}\n\n"
        f"[django]\ndebug=false\nsecret={secrets.token_urlsafe(48)}\n\n"
        f"[database]\nbackend=postgresql\nname={DATABASE}\nuser={db_user}\npassword=\n"
        f"host={db_host}\nport={db_port}\n\n"
        f"[mail]\nfrom=pretix@localhost\nhost=127.0.0.1\nport=9\n\n" + redis
    )
    keep = ("PATH", "LANG", "LC_ALL", "HOME", "TMPDIR")
    return {key: os.environ[key] for key in keep if key in os.environ} | {
        "DJANGO_SETTINGS_MODULE": "pretix.settings",
        "PRETIX_CONFIG_FILE": str(config),
        "DATA_DIR": str(data),
    }


def _run(venv: Path, args: list[str], env: dict, what: str, timeout: float = 300) -> str:
    try:
        done = subprocess.run(  # noqa: S603 — pretix's venv, fixed arguments
            [str(venv / "bin" / "python"), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise PretixUnavailable(f"pretix {what} took over {timeout:.0f} s") from exc
    if done.returncode:
        raise PretixUnavailable(f"pretix {what} failed: {_tail(done.stderr or done.stdout)}")
    return done.stdout


#: Run in pretix's venv: the organizer (kept), a fresh live event with a free ticket, a quota of
#: ``capacity`` seats, and a team with every permission and a new API token.
SETUP_SCRIPT = """
import json, sys
from datetime import timedelta
import django
django.setup()
from django.utils.timezone import now
from django_scopes import scopes_disabled
from pretix.base.models import Event, Item, Organizer, Quota, Team, TeamAPIToken
capacity, organizer_slug, slug = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with scopes_disabled():
    organizer, _ = Organizer.objects.get_or_create(slug=organizer_slug, defaults={"name": "Essaim benchmark"})
    event = Event.objects.create(
        organizer=organizer, slug=slug, name="Busy event", currency="EUR", live=True,
        date_from=now() + timedelta(days=30),
    )
    item = Item.objects.create(event=event, name="Seat", default_price=0, admission=True, active=True)
    quota = Quota.objects.create(event=event, name="Seats", size=capacity)
    quota.items.add(item)
    team = Team.objects.create(
        organizer=organizer, name="API " + slug, all_events=True,
        all_event_permissions=True, all_organizer_permissions=True,
    )
    token = TeamAPIToken.objects.create(team=team, name="benchmark")
print(json.dumps({"organizer": organizer.slug, "event": event.slug, "item": item.pk, "token": token.token}))
"""

#: Run in pretix's venv: paid order positions of the event, as pretix itself counts them.
COUNT_SCRIPT = """
import sys
import django
django.setup()
from django_scopes import scopes_disabled
from pretix.base.models import Order, OrderPosition
with scopes_disabled():
    print(OrderPosition.objects.filter(
        order__event__organizer__slug=sys.argv[1], order__event__slug=sys.argv[2], order__status=Order.STATUS_PAID,
    ).count())
"""


# ---------------------------------------------------------------------------------------------
# gunicorn
# ---------------------------------------------------------------------------------------------


def _worker_shape() -> dict:
    """Workers, threads and limits as deploy/gunicorn.conf.py computes them (its module level
    only reads the environment; its hooks are Essaim's and are not used)."""
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    return {
        "workers": int(conf["workers"]),
        "threads": int(conf["threads"]),
        "worker_class": conf.get("worker_class") or ("gthread" if int(conf["threads"]) > 1 else "sync"),
        "timeout": int(conf.get("timeout", 30)),
        "max_requests": int(conf.get("max_requests", 0)),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(venv: Path, env: dict, port: int, shape: dict, log_path: Path) -> subprocess.Popen:
    args = [
        str(venv / "bin" / "gunicorn"),
        "pretix.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={shape['workers']}",
        f"--threads={shape['threads']}",
        f"--worker-class={shape['worker_class']}",
        f"--timeout={shape['timeout']}",
        f"--max-requests={shape['max_requests']}",
    ]
    # Recent gunicorn opens a control socket at one fixed path in $HOME by default: another gunicorn
    # on the machine (Essaim's own benchmark) would fight over it.
    helps = subprocess.run(  # noqa: S603 — pretix's venv, fixed arguments
        [args[0], "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    if "--no-control-socket" in helps.stdout:
        args.append("--no-control-socket")
    # A file, not a pipe: five workers' warnings could fill a pipe nobody reads and stall them.
    with log_path.open("wb") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


def _wait_until_up(server: subprocess.Popen, port: int, scene: dict, log_path: Path) -> None:
    """Until the event answers through the API (every worker loads pretix: slow on a busy machine)."""
    path = f"/api/v1/organizers/{scene['organizer']}/events/{scene['event']}/"
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise PretixUnavailable(f"gunicorn pretix.wsgi exited: {_tail(log_path.read_text(errors='replace'))}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", path, headers={"Authorization": f"Token {scene['token']}"})
            response = conn.getresponse()
            body = response.read()
            if response.status == 200:
                return
            raise PretixUnavailable(f"pretix answers GET {path} with {response.status}: {body[:300]!r}")
        except OSError:
            time.sleep(0.3)
        finally:
            conn.close()
    raise PretixUnavailable(f"gunicorn pretix.wsgi did not answer within {SERVER_START_SECONDS} s")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# ---------------------------------------------------------------------------------------------
# The rush
# ---------------------------------------------------------------------------------------------

#: A client gives up after this many answers in a row that are neither a sale nor a refusal.
MAX_ERRORS_IN_A_ROW = 5


def _order(scene: dict, index: int, n: int, *, simulate: bool = False) -> bytes:
    return json.dumps(
        {
            "email": f"client{index}-{n}@example.org",
            "locale": "en",
            "payment_provider": "free",
            "send_email": False,
            "simulate": simulate,
            "positions": [{"item": scene["item"]}],
        }
    ).encode()


def _is_quota_refusal(status: int, body: bytes) -> bool:
    return status == 400 and b"quota" in body.lower()


def _rush(port: int, scene: dict, clients: int, attempts_per_client: int | None) -> dict:
    path = f"/api/v1/organizers/{scene['organizer']}/events/{scene['event']}/orders/"
    headers = {"Authorization": f"Token {scene['token']}", "Content-Type": "application/json"}
    # Warm-up, untimed, on connections of its own: a simulated order runs the whole validation and
    # saves nothing. The rush gets fresh connections: gunicorn closes a keep-alive connection idle
    # for 2 s, as these would be while the others warm up.
    for index in range(clients):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.request("POST", path, body=_order(scene, index, 0, simulate=True), headers=headers)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        if response.status != 201:
            raise PretixUnavailable(f"pretix refused a simulated order with {response.status}: {body[:300]!r}")
    conns = []
    for _ in range(clients):  # opened one by one: a burst of connects could overflow the backlog
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.connect()
        conns.append(conn)
        time.sleep(0.01)
    barrier = threading.Barrier(clients + 1)
    per_client = [{"latencies": [], "sold": 0, "refused": 0, "errors": 0, "samples": []} for _ in range(clients)]

    def client(index: int) -> None:
        conn, mine = conns[index], per_client[index]
        barrier.wait(timeout=60)
        attempt, errors_in_a_row = 0, 0
        while attempts_per_client is None or attempt < attempts_per_client:
            attempt += 1
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body=_order(scene, index, attempt), headers=headers)
                response = conn.getresponse()
                status, body = response.status, response.read()
            except OSError as exc:  # a worker recycled (max_requests) or a time-out: count it, reconnect
                status, body = 0, repr(exc).encode()
                conn.close()
            mine["latencies"].append((time.perf_counter() - t0) * 1000)
            if status == 201:
                mine["sold"] += 1
                errors_in_a_row = 0
            elif _is_quota_refusal(status, body):
                mine["refused"] += 1
                if attempts_per_client is None:
                    break
            else:
                mine["errors"] += 1
                errors_in_a_row += 1
                if len(mine["samples"]) < 3:
                    mine["samples"].append(f"{status}: {body[:200]!r}")
                if errors_in_a_row >= MAX_ERRORS_IN_A_ROW:
                    break
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    t0 = time.perf_counter()
    for thread in threads:
        thread.join(timeout=900)
    seconds = time.perf_counter() - t0
    return {
        "latencies": [ms for mine in per_client for ms in mine["latencies"]],
        "sold": sum(mine["sold"] for mine in per_client),
        "refused": sum(mine["refused"] for mine in per_client),
        "errors": sum(mine["errors"] for mine in per_client),
        "error_samples": [sample for mine in per_client for sample in mine["samples"]][:5],
        "seconds": seconds,
    }


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:]) or "(no output)"


if __name__ == "__main__":
    try:
        print(json.dumps(measure_pretix(), indent=2))
    except PretixUnavailable as exc:
        print(f"pretix unavailable: {exc.reason}\nits documented ceiling: {DOCUMENTED_CEILING}")
        sys.exit(1)
