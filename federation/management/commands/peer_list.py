"""``manage.py peer_list``: every peer, its state and its sync's progress, as a table or JSON."""

import json

from django.core.management.base import BaseCommand, no_translations

from federation.peer_overview import peer_rows, when

COLUMNS = (
    "name",
    "url",
    "state",
    "their state",
    "fingerprint",
    "last success",
    "cursor/head",
    "lag",
    "failures",
    "next retry",
    "last error",
)


class Command(BaseCommand):
    help = "List peer nodes: state, their state, key fingerprint, last success, cursor/head, lag, failures, errors."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="one JSON document instead of a table")

    @no_translations
    def handle(self, *args, json: bool = False, **options):  # noqa: A002 - the option's name
        rows = [self.cells(row) for row in peer_rows()]
        if json:
            self.stdout.write(_dumps([dict(zip(COLUMNS, cells, strict=True)) for cells in rows]))
            return
        if not rows:
            self.stdout.write("No peer node yet (manage.py peer_add URL).")
            return
        widths = [max(len(column), *(len(cells[i]) for cells in rows)) for i, column in enumerate(COLUMNS)]
        for cells in [COLUMNS, ["-" * width for width in widths], *rows]:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip())

    @staticmethod
    def cells(row) -> list[str]:
        peer = row.peer
        error = " ".join(peer.last_error.split())
        return [
            peer.name or "—",
            peer.url,
            peer.state,
            peer.their_state or "—",
            row.fingerprint or "—",
            when(peer.last_success_at),
            f"{peer.cursor}/{peer.head}",
            str(row.lag),
            str(peer.failures),
            when(peer.next_retry_at),
            (error[:80] + "…") if len(error) > 80 else (error or "—"),
        ]


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
