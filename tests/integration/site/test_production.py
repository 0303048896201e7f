"""The production recipe, run as ``deploy/`` runs it: with ``DEBUG=false`` and production settings,
``collectstatic`` (whitenoise's manifest storage) and ``compilemessages`` succeed, ``check --deploy``
is clean, and gunicorn started with ``deploy/gunicorn.conf.py`` serves the pages people open first,
with their stylesheets. (A vendored script naming a missing source map once failed collectstatic,
the Dockerfile's ``|| true`` hid it, and every page of a deployed node answered 500.)

Slow and the same on any database: it runs in CI's SQLite pass only (marker ``production``). The
node gets a copy of the migrated test database (SQLite's backup), so nothing migrates twice."""

import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from django.db import connections

# django_db: so that the test database exists (pytest-django sets up only the databases tests ask for).
pytestmark = [pytest.mark.production, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[3]
MANAGE = [sys.executable, "manage.py"]
HOST = "localhost"
#: What nginx adds in front of gunicorn (deploy/nginx.conf): the node is reached over HTTPS.
BEHIND_NGINX = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
PAGES = ("home", "directory", "venue", "agenda", "event", "booking", "admin log-in")
DATA = "from tests.integration.site.production_data import main; main()"


def _production_env(folder: Path, database: Path) -> dict:
    # Not the test run's own switches: its database, and the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE
    # (set in this process when they share the run), which `check --deploy` rightly refuses.
    ours = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in ours}
    return env | {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "ESSAIM_NODE_URL": f"https://{HOST}",
        "ESSAIM_VAR_DIR": str(folder / "var"),
        "STATIC_ROOT": str(folder / "static"),
        "DATABASE_URL": f"sqlite:///{database}",
        "ESSAIM_GEOCODING": "off",
    }


def _copy_test_database(target: Path) -> bool:
    """The migrated test database into ``target`` when it is SQLite (False otherwise)."""
    connection = connections["default"]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return False
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        (pages,) = copy.execute("SELECT count(*) FROM wagtailcore_page").fetchone()
    finally:
        copy.close()
    if not pages:  # a transactional test flushed the migrated rows: migrate afresh instead
        target.unlink()
    return bool(pages)


def _start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(process: subprocess.Popen) -> SimpleNamespace:
    output, _ = process.communicate(timeout=600)
    return SimpleNamespace(returncode=process.returncode, output=output)


@pytest.fixture(scope="module")
def release(tmp_path_factory, django_db_setup, django_db_blocker):
    """The build steps of deploy/Dockerfile and the node's data, side by side (they are independent)."""
    folder = tmp_path_factory.mktemp("release")
    database = folder / "essaim.sqlite3"
    env = _production_env(folder, database)
    with django_db_blocker.unblock():
        copied = _copy_test_database(database)
    if not copied:
        assert _finish(_start([*MANAGE, "migrate", "--noinput"], env)).returncode == 0
    running = {
        "collectstatic": _start([*MANAGE, "collectstatic", "--noinput"], env),
        "compilemessages": _start([*MANAGE, "compilemessages", "--ignore=.venv", "--ignore=node_modules"], env),
        "check": _start([*MANAGE, "check", "--deploy", "--fail-level", "WARNING"], env),
        "data": _start([*MANAGE, "shell", "-c", DATA], env),
    }
    steps = {name: _finish(process) for name, process in running.items()}
    return SimpleNamespace(env=env, static=folder / "static", **steps)


def test_collectstatic_succeeds(release):
    assert release.collectstatic.returncode == 0, release.collectstatic.output[-3000:]
    manifest = json.loads((release.static / "staticfiles.json").read_text())["paths"]
    swagger = "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"
    assert {"vendor/leaflet/leaflet.js", "cms/essaim.css", swagger} <= set(manifest)


def test_compilemessages_succeeds(release):
    assert release.compilemessages.returncode == 0, release.compilemessages.output[-3000:]


def test_check_deploy_is_clean(release):
    assert release.check.returncode == 0, release.check.output[-3000:]
    assert "System check identified no issues" in release.check.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(release, tmp_path_factory):
    """gunicorn as deploy/ starts it (its config file, DEBUG off), one worker: the node's base URL."""
    assert release.collectstatic.returncode == 0, release.collectstatic.output[-3000:]
    assert release.data.returncode == 0, release.data.output[-3000:]
    port = _free_port()
    env = release.env | {"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2"}
    log = (tmp_path_factory.mktemp("gunicorn") / "gunicorn.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "sites.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, f"gunicorn stopped: {log.seek(0) or log.read()[-3000:]}"
            try:
                requests.get(f"{base}/.well-known/essaim", headers=BEHIND_NGINX, timeout=30)
                break
            except (requests.ConnectionError, requests.Timeout):  # not listening yet / the worker still starting
                assert time.monotonic() < deadline, "gunicorn did not answer in 180 s"
                time.sleep(0.2)
        yield SimpleNamespace(base=base, log=log)
    finally:
        server.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown (TERM waits for a graceful one)
        server.wait(timeout=30)
        log.close()


class _Stylesheets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split() and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def _stylesheets(html: str) -> list[str]:
    parser = _Stylesheets()
    parser.feed(html)
    return parser.hrefs


def test_pages_and_their_stylesheets(release, gunicorn):
    paths = json.loads(release.data.output.strip().splitlines()[-1])
    assert set(paths) == set(PAGES)
    for name in PAGES:
        response = requests.get(gunicorn.base + paths[name], headers=BEHIND_NGINX, timeout=30, allow_redirects=False)
        gunicorn.log.seek(0)
        logged = gunicorn.log.read()[-3000:]
        assert response.status_code == 200, f"{name} {paths[name]}: {response.status_code}\n{logged}"
        assert "Content-Security-Policy" in response.headers and "Strict-Transport-Security" in response.headers
        stylesheets = _stylesheets(response.text)
        assert stylesheets, f"{name}: no stylesheet"
        for href in stylesheets:
            # The manifest's names: a hash in each, so browsers may keep them for a year.
            assert re.search(r"\.[0-9a-f]{12}\.css$", href.split("?")[0]), href
            css = requests.get(gunicorn.base + href, headers=BEHIND_NGINX, timeout=30)
            assert css.status_code == 200, f"{name}: {href} {css.status_code}"
            assert css.headers["Content-Type"].startswith("text/css"), (href, css.headers["Content-Type"])


def test_plain_http_is_sent_to_https(gunicorn):
    response = requests.get(
        gunicorn.base + "/", headers={**BEHIND_NGINX, "X-Forwarded-Proto": "http"}, timeout=30, allow_redirects=False
    )
    assert response.status_code == 301 and response.headers["Location"] == f"https://{HOST}/"
