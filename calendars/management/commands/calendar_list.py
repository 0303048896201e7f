"""``manage.py calendar_list [--json]``: each outside calendar's id, what it blocks, masked
address, last fetch, outcome and error (never the address)."""

import json

from django.core.management.base import BaseCommand

from calendars import selectors
from calendars.management.commands._calendar_output import target


def row(calendar) -> dict:
    return {
        "id": calendar.pk,
        "venue": calendar.venue_id,
        "resource": calendar.resource_id,
        "resources": sorted(calendar.resources.values_list("pk", flat=True)) if not calendar.resource_id else [],
        "name": calendar.name,
        "address": calendar.address_hint,
        "enabled": calendar.enabled,
        "last_fetch": calendar.last_fetch_at.isoformat() if calendar.last_fetch_at else None,
        "last_success": calendar.last_success_at.isoformat() if calendar.last_success_at else None,
        "next_fetch": calendar.next_fetch_at.isoformat() if calendar.next_fetch_at else None,
        "outcome": calendar.last_outcome,
        "error_code": calendar.error_code,
        "error": calendar.error,
        "events": calendar.events_count,
        "intervals": calendar.intervals_count,
    }


class Command(BaseCommand):
    help = "List the outside calendars: id, what they block, masked address, last fetch, outcome, error."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="One JSON array instead of lines.")

    def handle(self, *args, json=False, **options):  # noqa: A002
        calendars = list(selectors.calendars_listed())
        if json:
            self.stdout.write(_dumps([row(c) for c in calendars]))
            return
        if not calendars:
            self.stdout.write("No calendar.")
        for calendar in calendars:
            fetched = f"{calendar.last_fetch_at:%Y-%m-%d %H:%M}Z" if calendar.last_fetch_at else "never"
            error = f"[{calendar.error_code}] {calendar.error}" if calendar.error_code else "—"
            off = "" if calendar.enabled else " (off)"
            self.stdout.write(
                f"#{calendar.pk}{off} {target(calendar)} {calendar.address_hint} "
                f"last fetch {fetched}, {calendar.last_outcome}, error: {error}"
            )


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
