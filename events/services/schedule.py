"""An event page's dates as they are published: the rule with ``UNTIL`` in UTC and bounded at the
horizon, date changes applied, and the checks a manager sees before anything is saved."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import recurrence as rec
from events import selectors
from events.models import EventPage, occurrence_key
from events.services.common import now_or

logger = logging.getLogger(__name__)

RECURRENCE_MESSAGES = {
    "rule_syntax": _("This repeat rule cannot be read."),
    "rule_part": _("This repeat rule uses a part we do not support."),
    "rule_frequency": _("Events repeat daily, weekly, monthly or yearly."),
    "until_before_start": _("The last repeat must not be before the first date."),
    "start_not_in_rule": _("The first date is not one of the days the event repeats on."),
}


def _published_rule(rule: str, tz: ZoneInfo, until_horizon: datetime) -> str:
    """The rule as feeds publish it: ``UNTIL`` in UTC (RFC 5545 wants it so with a ``TZID`` start),
    and an open rule bounded at the horizon."""
    if not rule:
        return ""
    parts = rec.rule_parts(rule)
    if "UNTIL" in parts and not parts["UNTIL"].endswith("Z"):
        local = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%S")
        parts["UNTIL"] = rec.wall(local, tz).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = ";".join(f"{name}={value}" for name, value in parts.items())
    return rec.bounded_rule(text, horizon=until_horizon)


def _schedule_of(item, tz: ZoneInfo, rule: str, date_changes, now: datetime, *, strict: bool = False) -> dict:
    """UTC start/end, published rule, changes and last end of an ``EventPage`` or a session."""
    start_naive, end_naive = item.local_bounds()
    start, end = rec.wall(start_naive, tz), rec.wall(end_naive, tz)
    published = _published_rule(rule, tz, selectors.horizon(now))
    series = rec.Series(start=start, duration=end.astimezone(UTC) - start.astimezone(UTC), tz=tz, rule=published)
    starts = rec.starts(series, horizon=selectors.horizon(now) if published else start)
    planned = {s.astimezone(UTC) for s in starts}
    changes = {}
    for change in date_changes:
        original = rec.wall(datetime.combine(change.original_date, start_naive.time()), tz).astimezone(UTC)
        if original not in planned:
            if not strict:
                logger.warning("date change %s is not a planned date: ignored", change.original_date)
                continue
            raise ValidationError(
                _("%(date)s is not one of the event's dates: only a planned date can be changed.")
                % {"date": change.original_date.isoformat()}
            )
        if change.cancelled:
            changes[occurrence_key(original)] = {"cancelled": True}
            continue
        day = change.new_date or change.original_date
        new_start = rec.wall(datetime.combine(day, change.new_start_time or start_naive.time()), tz)
        if change.new_end_time:
            new_end = rec.wall(datetime.combine(day, change.new_end_time), tz)
        else:
            new_end = (new_start.astimezone(UTC) + series.duration).astimezone(tz)
        changes[occurrence_key(original)] = {
            "start": new_start.astimezone(UTC).isoformat(),
            "end": new_end.astimezone(UTC).isoformat(),
        }
    last_start = max(starts) if starts else start
    last_end = (last_start.astimezone(UTC) + series.duration).astimezone(UTC)
    for change in changes.values():
        if change.get("end"):
            last_end = max(last_end, datetime.fromisoformat(change["end"]))
    return {
        "start": start.astimezone(UTC),
        "end": end.astimezone(UTC),
        "rule": published,
        "changes": changes,
        "last_end": last_end,
    }


def schedule_check(page: EventPage, *, venue_timezone: str, date_changes=None, now: datetime | None = None) -> None:
    """Raise ``ValidationError`` if the page's dates cannot be published (called by the page's
    ``clean`` so the manager sees why before anything is saved)."""
    try:
        _schedule_of(
            page,
            ZoneInfo(venue_timezone),
            page.rule,
            page.date_changes.all() if date_changes is None else date_changes,
            now_or(now),
            strict=True,
        )
    except rec.RecurrenceError as error:
        raise ValidationError({"repeat": RECURRENCE_MESSAGES.get(error.code, error.code)}) from None
