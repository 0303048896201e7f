"""What the calendar commands print about a calendar: never its address, only the masked hint."""

from calendars.models import ExternalCalendar


def target(calendar: ExternalCalendar) -> str:
    if calendar.resource_id:
        return f"resource {calendar.resource_id} ({calendar.resource.name})"
    chosen = sorted(calendar.resources.values_list("pk", flat=True))
    which = f" resources {','.join(map(str, chosen))}" if chosen else ""
    return f"venue {calendar.venue_id} ({calendar.venue.title}){which}"


def outcome_line(calendar: ExternalCalendar, result) -> str:
    line = f"#{calendar.pk} {calendar.address_hint}: {result.outcome}"
    if result.ok:
        line += f" (+{result.created} ~{result.updated} -{result.deleted})"
    else:
        line += f" [{result.error_code}] {result.error}"
    return line
