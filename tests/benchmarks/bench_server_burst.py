"""A burst of simultaneous connections against ``make dev``'s server (Django's development server)
and ``make run``'s (gunicorn with threads, whitenoise), each on a fresh migrated SQLite node.

Per server: five bursts of 40 connections (a page, the API, a static file, in turn), then one of
200. Figures per burst, medians over the five: answers 200, errors (reset, refused, timed out at
60 s), connections whose handshake the kernel dropped (accept queue full: the SYN is retried after
a second; reset where the kernel aborts on overflow) and the slowest answer.
"""

import statistics

import pytest

from tests.benchmarks.support import load_average, print_table
from tests.support.server import (
    SYN_RETRY_SECONDS,
    burst,
    free_port,
    make_serve_command,
    runserver_command,
    server_environment,
    serving,
)

pytestmark = pytest.mark.benchmark

BURSTS = 5


def _figures(answers) -> dict:
    return {
        "ok": sum(answer.status == "200" for answer in answers),
        "errors": sum(answer.connect_seconds is None or not answer.status.isdigit() for answer in answers),
        "dropped": sum((answer.connect_seconds or 0) > SYN_RETRY_SECONDS for answer in answers),
        "slowest": max(answer.total_seconds for answer in answers),
    }


def test_burst_of_connections(tmp_path):
    env = server_environment(tmp_path)
    rows = []
    for name, command in (("runserver (make dev)", runserver_command), ("gunicorn (make run)", make_serve_command)):
        port = free_port()
        with serving(command(port), env, port, log=tmp_path / f"{name.split()[0]}.log"):
            burst(port, connections=3)  # warm: the first request loads the URL configuration
            runs = [_figures(burst(port, connections=40)) for _ in range(BURSTS)]
            big = _figures(burst(port, connections=200))
        median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        rows.append(
            [
                name,
                f"{median['ok']:g}/40",
                f"{median['errors']:g}",
                f"{median['dropped']:g}",
                f"{median['slowest']:.2f} s",
            ]
            + [f"{big['ok']}/200", f"{big['errors']}", f"{big['dropped']}", f"{big['slowest']:.2f} s"]
        )
    print_table(
        "Burst of simultaneous connections (40: median of 5 bursts; 200: one burst)",
        ["server", "40: 200s", "errors", "dropped SYN", "slowest", "200: 200s", "errors", "dropped SYN", "slowest"],
        rows,
        note=f"load average {load_average()}",
    )
