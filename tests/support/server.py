"""Essaim served by a real server process, as ``make run`` (gunicorn) or ``make dev`` (Django's
development server) serve it, on a free port, and a burst of simultaneous connections against it.

The server has a private ``ESSAIM_VAR_DIR`` with its own SQLite database, migrated as ``make run``
migrates it (a minute on a loaded machine): a copy of the in-memory test database would wait for
the test's open transaction.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
#: A page (Wagtail), the API and a static file (whitenoise): what a visitor's first load asks for.
BURST_PATHS = ("/", "/api/v1/venues/", "/static/cms/essaim.css")
#: Linux retries a SYN that a full accept queue dropped after one second.
SYN_RETRY_SECONDS = 0.9


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def base_environment(var_dir: Path) -> dict[str, str]:
    """The environment ``make run`` has on a fresh clone (SQLite in ``var_dir``), not migrated yet."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "MAKEFLAGS"}
        and key not in {"WEB_CONCURRENCY", "GUNICORN_THREADS"}
    }
    return env | {"ESSAIM_VAR_DIR": str(var_dir), "ESSAIM_GEOCODING": "off", "PYTHONPATH": str(ROOT)}


class ManageFailed(subprocess.CalledProcessError):
    """A management command that failed, with the end of what it said (a bare exit status hides why)."""

    def __str__(self):
        return f"{super().__str__()}\n{(self.stderr or self.stdout or '')[-3000:]}"


def manage(env: dict[str, str], *args: str, timeout: float = 900, stdout_only: bool = False) -> str:
    """``manage.py <args>`` in ``env``; its output (stdout, then stderr unless ``stdout_only``), or
    CalledProcessError with both."""
    done = subprocess.run(  # noqa: S603 — our interpreter, our commands
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise ManageFailed(done.returncode, done.args, done.stdout, done.stderr)
    return done.stdout if stdout_only else done.stdout + done.stderr


def server_environment(var_dir: Path) -> dict[str, str]:
    """The environment ``make run`` has on a fresh clone (SQLite in ``var_dir``), migrated as it does."""
    env = base_environment(var_dir)
    manage(env, "migrate", "--noinput")
    return env


def make_serve_command(port: int) -> list[str]:
    """``make serve``: the last step of ``make run``, with this interpreter's virtual environment."""
    return ["make", "--no-print-directory", "serve", f"HOST={HOST}", f"PORT={port}", f"VENV={sys.prefix}"]


def runserver_command(port: int) -> list[str]:
    """``make dev``'s server: Django's development server, with its reloader."""
    return [sys.executable, "manage.py", "runserver", f"{HOST}:{port}"]


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int, *, log: Path, wait_seconds: float = 300):
    """Start ``command`` in a session of its own (make, its gunicorn and workers), stop them all after.

    Its output goes to ``log``, quoted when it does not come up.
    """
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 — our own commands, fixed arguments
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until_up(port, process, wait_seconds, log)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_up(port: int, process, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    answer = None
    while time.monotonic() < deadline and process.poll() is None:
        answer = _get(port, "/api/v1/venues/", timeout=5)
        if answer.status == "200":
            return
        time.sleep(0.3)
    state = "exited" if process.poll() is not None else f"did not answer 200 in time (last: {answer})"
    raise RuntimeError(f"the server {state}:\n{log.read_text(errors='replace')[-4000:]}")


@dataclass
class Answer:
    status: str  # the HTTP status, or the error's name (ConnectionResetError, TimeoutError…)
    connect_seconds: float | None
    total_seconds: float


def _get(port: int, path: str, *, timeout: float = 60) -> Answer:
    started = time.monotonic()
    connected = None
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            connected = time.monotonic() - started
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        status = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/1.") else "no answer"
    except OSError as error:
        status = type(error).__name__
    return Answer(status, connected, time.monotonic() - started)


def burst(port: int, connections: int = 40, paths=BURST_PATHS) -> list[Answer]:
    """``connections`` clients connect at the same instant, each sends one request and reads the answer."""
    answers: list[Answer | None] = [None] * connections
    barrier = threading.Barrier(connections)

    def client(index: int) -> None:
        barrier.wait(timeout=60)
        answers[index] = _get(port, paths[index % len(paths)])

    threads = [threading.Thread(target=client, args=(index,)) for index in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers
