"""pretix side by side: its REST API selling one event's seats to 32 clients on this machine.

Run with ``DATABASE_URL=postgres://… make bench`` (or ``.venv/bin/python -m pytest
tests/benchmarks/bench_pretix_peer.py -m benchmark -s``); skipped on SQLite. It needs the
PostgreSQL server only, not Essaim's test database: pretix gets its own database there
(``pretix_bench``) and its own virtual environment under ``var/bench`` (installed from the package
index on the first run, reused afterwards). See ``pretix_peer`` for what is measured and how.

The figure to compare with Essaim's busy-event benchmark: one event date, 32 clients registering
for its seats, exactly ``capacity`` registrations and the rest refused. Asserts that pretix sold
exactly its quota (its answers and its own tables agree) and refused the rest; never timings.
When pretix cannot run here, prints why and pretix's documented ceiling instead, and skips.
"""

import pytest
from django.db import connection

from tests.benchmarks.pretix_peer import DOCUMENTED_CEILING, PretixUnavailable, measure_pretix
from tests.benchmarks.support import load_average, print_table

pytestmark = [
    pytest.mark.benchmark,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pretix is measured on PostgreSQL"),
]

CAPACITY = 200
CLIENTS = 32


def test_pretix_peer():
    db = connection.settings_dict
    try:
        figures = measure_pretix(
            capacity=CAPACITY,
            clients=CLIENTS,
            db_host=db["HOST"] or "127.0.0.1",
            db_port=int(db["PORT"] or 5432),
            db_user=db["USER"] or "postgres",
        )
    except PretixUnavailable as exc:
        print_table(
            "pretix, one busy event (not measured here)",
            ["what", "figure"],
            [["pretix's documented ceiling", DOCUMENTED_CEILING]],
            note=f"pretix could not run on this machine: {exc.reason}",
        )
        pytest.skip(f"pretix unavailable: {exc.reason.splitlines()[0]}")

    print_table(
        f"pretix {figures['version']}, one event, {CLIENTS} clients ordering 1 ticket each until sold out",
        ["capacity", "sold", "refused", "errors", "wall s", "orders/s", "p50 ms", "p95 ms", "p99 ms"],
        [
            [
                figures["capacity"],
                figures["sold"],
                figures["refused"],
                figures["errors"],
                figures["seconds"],
                figures["orders_per_s"],
                figures["p50_ms"],
                figures["p95_ms"],
                figures["p99_ms"],
            ]
        ],
        note=(
            f"POST /api/v1/organizers/…/orders/ (free ticket, paid at once), gunicorn pretix.wsgi "
            f"({figures['workers']}), DEBUG off, PostgreSQL, Redis {'on' if figures['redis'] else 'off'}; "
            f"{figures['requests']} timed requests\n"
            f"install {figures['install_seconds']:.0f} s (0: venv reused), migrate {figures['migrate_seconds']:.0f} s, "
            f"server start {figures['start_seconds']:.0f} s; pretix documents {DOCUMENTED_CEILING}\n"
            f"clients, servers and PostgreSQL share this machine: load average after the run {load_average()}"
        ),
    )
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["sold"] == figures["sold_in_db"] == CAPACITY
    assert figures["refused"] == CLIENTS  # each client stops at its first refusal
