"""``manage.py calendars_fetch [--all]``: fetch every outside calendar due now (or every enabled
one), here and now rather than through the worker; one line per calendar, exit 1 if any failed."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from calendars import selectors, services
from calendars.management.commands._calendar_output import outcome_line
from calendars.models import ExternalCalendar


class Command(BaseCommand):
    help = "Fetch the outside calendars due now (--all: every enabled one) and print each outcome."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Every enabled calendar, due or not.")

    def handle(self, *args, all=False, **options):  # noqa: A002 (the option's name)
        if all:
            calendars = ExternalCalendar.objects.filter(enabled=True).order_by("pk")
        else:
            calendars = selectors.calendars_due(timezone.now())
        calendars = list(calendars.select_related("venue", "resource"))
        if not calendars:
            self.stdout.write("No calendar to fetch.")
        failed = 0
        for calendar in calendars:
            result = services.calendar_fetch(calendar)
            failed += not result.ok
            self.stdout.write(outcome_line(calendar, result))
        if failed:
            raise CommandError(f"{failed} calendar(s) failed.")
