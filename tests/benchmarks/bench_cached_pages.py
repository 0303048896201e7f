"""Cached public pages under load: a venue's page, the directory, the home page and the agenda,
anonymous, served by gunicorn as deployed (``deploy/gunicorn.conf.py``, ``DEBUG=false``) on the
demo network, and driven by ``wrk`` (Debian's package: ``apt-get install -y wrk``).

Each page is measured with the page cache off (every request renders: the miss path) and on (the
hit path), ``RUNS`` runs of ``SECONDS`` s each; printed: requests/s (median of the runs) and the
latency p50/p99 of the median run, and the SQL queries of a hit, counted in a process on the same
database. With ``REDIS_URL`` set, the server's cache is that Redis (as deployed); without it,
each gunicorn worker has its own memory cache.

Run with ``.venv/bin/python -m pytest tests/benchmarks/bench_cached_pages.py -m benchmark -s``.
Asserts what is answered (200s only, a hit has no query), never timings. Target from issue #17:
1,000 requests/s for a cached venue page.
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys

import pytest

from tests.benchmarks.support import load_average, print_table
from tests.support.server import HOST, ROOT, free_port, manage, server_environment, serving

pytestmark = pytest.mark.benchmark

RUNS = 3
SECONDS = 5
CONNECTIONS = 16
WRK_THREADS = 2
TARGET_RPS = 1_000
WRK = shutil.which("wrk")

#: The pages' addresses on the demo network, found by the server's own code.
_PATHS = """
import json
from wagtail.models import Locale
from venues.models import VenueIndexPage, VenuePage
venue = VenuePage.objects.live().filter(locale__language_code="fr", origin="").order_by("pk").first()
english = venue.get_translation_or_none(Locale.objects.get(language_code="en"))
directory = VenueIndexPage.objects.live().filter(locale__language_code="fr").first()
paths = {"venue": venue.url, "venue (en)": english.url if english and english.live else None,
         "directory": directory.url, "home": "/", "home (en)": "/en/", "agenda": "/agenda/"}
print(json.dumps({name: path for name, path in paths.items() if path}))
"""

#: A miss then a hit of each page in a fresh process, counting the hit's queries.
_QUERIES = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client, found = Client(HTTP_HOST="127.0.0.1"), {}
for name, path in json.loads(%r).items():
    first = client.get(path)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(path)
    found[name] = {"status": [first.status_code, second.status_code],
                   "cache": [first.get("X-Essaim-Cache"), second.get("X-Essaim-Cache")], "queries": len(queries)}
print(json.dumps(found))
"""

_LATENCY = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _production(env: dict[str, str]) -> dict[str, str]:
    """As deployed, less HTTPS (no nginx in front here): DEBUG off, a secret, this host only."""
    prod = env | {
        "DEBUG": "false",
        "SECRET_KEY": "bench-cached-pages-not-a-secret-0123456789abcdef",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
    }
    if os.environ.get("REDIS_URL"):
        prod["REDIS_URL"] = os.environ["REDIS_URL"]
    return prod


def _gunicorn(port: int) -> list[str]:
    """``deploy/``'s gunicorn (its workers and threads: WEB_CONCURRENCY / GUNICORN_THREADS unset), but
    for ``max_requests``: at these rates its 2,000 requests recycle every worker within seconds, and
    a worker booting (seconds of CPU here) stalls whole runs; that is measured apart (the report)."""
    return [
        f"{sys.prefix}/bin/gunicorn",
        "-c",
        "deploy/gunicorn.conf.py",
        "--max-requests",
        "0",
        "--bind",
        f"{HOST}:{port}",
        "sites.wsgi:application",
    ]


def _wrk(port: int, path: str) -> dict:
    done = subprocess.run(  # noqa: S603 — Debian's wrk, fixed arguments
        [
            WRK,
            f"-t{WRK_THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{SECONDS}s",
            "--timeout",
            "30s",
            "--latency",
            f"http://{HOST}:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=SECONDS * 6 + 30,
        check=True,
        cwd=ROOT,
    )
    out = done.stdout
    assert "Non-2xx" not in out and "Socket errors" not in out, out  # every answer a 200, none timed out
    latency = {p: float(v) * _UNIT_MS[unit] for p, v, unit in _LATENCY.findall(out)}
    return {"rps": float(_RPS.search(out).group(1)), "p50": latency["50"], "p99": latency["99"]}


def _measure(port: int, path: str) -> dict:
    # Warm: every worker has rendered (and, cache on, stored) the page before the runs.
    subprocess.run(  # noqa: S603 — Debian's wrk, fixed arguments
        [WRK, "-t1", f"-c{CONNECTIONS}", "-d2s", f"http://{HOST}:{port}{path}"],
        capture_output=True,
        timeout=60,
        check=True,
    )
    runs = sorted((_wrk(port, path) for _ in range(RUNS)), key=lambda run: run["rps"])
    median = runs[len(runs) // 2]
    return {"rps": statistics.median(run["rps"] for run in runs), "p50": median["p50"], "p99": median["p99"]}


def test_cached_pages_under_load(tmp_path):
    if WRK is None:
        pytest.skip("wrk is not installed: `apt-get install -y wrk` (Debian's package) to run this benchmark")
    env = server_environment(tmp_path)
    manage(env, "load_demo", timeout=1800)
    prod = _production(env)
    manage(prod, "collectstatic", "--noinput")
    paths = json.loads(manage(prod, "shell", "-c", _PATHS, stdout_only=True).strip().splitlines()[-1])
    hits = json.loads(manage(prod, "shell", "-c", _QUERIES % json.dumps(paths), stdout_only=True).splitlines()[-1])
    for name, found in hits.items():
        assert found["status"] == [200, 200] and found["cache"] == ["miss", "hit"], (name, found)
        assert found["queries"] == 0, (name, found)

    figures: dict[tuple[str, str], dict] = {}
    for mode in ("off", "on"):
        port = free_port()
        with serving(_gunicorn(port), prod | {"ESSAIM_PAGE_CACHE": mode}, port, log=tmp_path / f"gunicorn-{mode}.log"):
            for name, path in paths.items():
                figures[name, mode] = _measure(port, path)
    rows = []
    for name, path in paths.items():
        off, on = figures[name, "off"], figures[name, "on"]
        rows.append(
            [
                name,
                path,
                f"{off['rps']:,.0f}",
                f"{off['p50']:.1f} / {off['p99']:.1f}",
                f"{on['rps']:,.0f}",
                f"{on['p50']:.1f} / {on['p99']:.1f}",
                f"{on['rps'] / off['rps']:.1f}×",
                hits[name]["queries"],
            ]
        )
    print_table(
        f"Anonymous pages, gunicorn as deployed (DEBUG off; max_requests off), wrk -t{WRK_THREADS} -c{CONNECTIONS}, "
        f"median of {RUNS} × {SECONDS} s",
        [
            "page",
            "path",
            "miss req/s",
            "miss p50/p99 ms",
            "hit req/s",
            "hit p50/p99 ms",
            "speed-up",
            "queries on a hit",
        ],
        rows,
        note=(
            f"cache: {'Redis ' + prod['REDIS_URL'] if prod.get('REDIS_URL') else 'memory (per worker)'}; "
            f"database: SQLite (demo network); target {TARGET_RPS:,} req/s for a cached venue page; "
            f"load average {load_average()}"
        ),
    )
