"""``manage.py calendar_add --resource ID URL`` or ``--venue ID URL [--resources ID,ID]``: attach
an outside calendar, fetch it at once and print what the fetch found (never the address)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bookings.models import Resource
from calendars import services
from calendars.management.commands._calendar_output import outcome_line, target
from venues.models import VenuePage


def _ids(value: str) -> list[int]:
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError as exc:
        raise CommandError(f"--resources takes ids separated by commas, not {value!r}.") from exc


class Command(BaseCommand):
    help = "Attach an outside calendar (a secret iCal address) to a resource or a whole venue and fetch it."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--resource", type=int, help="The resource the calendar blocks.")
        which.add_argument("--venue", type=int, help="The venue whose resources the calendar blocks.")
        parser.add_argument("url", help="The calendar's iCal address (https://, http:// or webcal://).")
        parser.add_argument("--resources", default="", help="With --venue: only these resources (ids, commas).")
        parser.add_argument("--name", default="", help="A name for the calendar.")
        parser.add_argument("--all-day", action="store_true", help="All-day events block the whole day.")

    def handle(self, *args, url, resource=None, venue=None, resources="", name="", all_day=False, **options):
        chosen = []
        if resource is not None:
            target_resource = Resource.objects.select_related("venue").filter(pk=resource).first()
            if target_resource is None:
                raise CommandError(f"No resource {resource}.")
            the_venue = target_resource.venue
            if resources:
                raise CommandError("--resources goes with --venue only.")
        else:
            target_resource = None
            the_venue = VenuePage.objects.filter(pk=venue).first()
            if the_venue is None:
                raise CommandError(f"No venue {venue}.")
            ids = _ids(resources)
            chosen = list(Resource.objects.filter(pk__in=ids))
            missing = set(ids) - {r.pk for r in chosen}
            if missing:
                raise CommandError(f"No resource {', '.join(map(str, sorted(missing)))}.")
        try:
            calendar = services.calendar_add(
                venue=the_venue,
                resource=target_resource,
                resources=chosen,
                address=url,
                name=name,
                all_day_blocks=all_day,
                queue_fetch=False,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Calendar #{calendar.pk} added for {target(calendar)}: {calendar.address_hint}")
        result = services.calendar_fetch(calendar)
        calendar.refresh_from_db()
        self.stdout.write(outcome_line(calendar, result))
        if result.ok:
            self.stdout.write(f"{calendar.events_count} event(s), {calendar.intervals_count} busy interval(s).")
        else:
            raise CommandError(f"Calendar #{calendar.pk} was added but its first fetch failed; it will be retried.")
