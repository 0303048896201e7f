"""Recurring events as iCalendar describes them (RFC 5545), expanded in the venue's wall-clock time.

Pure: no Django, ``now`` and the horizon are arguments. A series is a first start and a duration
in a venue's time zone, an optional ``RRULE``, extra dates (``RDATE``), excluded dates
(``EXDATE``) and single-occurrence changes keyed by the occurrence's original start (its
``RECURRENCE-ID``): moved, lengthened, or cancelled.

Rules repeat in local time: "every Tuesday at 18:30" stays at 18:30 across the DST change, so the
UTC instant moves. Local times that happen twice (autumn) mean the first one and local times that
do not exist (spring) are read with the offset from before the gap — RFC 5545's reading, which is
also what ``zoneinfo`` does with ``fold=0``.

A rule without an end (no ``UNTIL``, no ``COUNT``) is bounded by the horizon the caller gives, and
every expansion stops at ``MAX_OCCURRENCES``, so no input can make it run away.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

#: Frequencies we accept: an event repeating by the minute or the second is a mistake.
FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
#: Rule parts RFC 5545 defines (``rrulestr`` would silently accept some of its own extensions).
PARTS = {
    "FREQ",
    "UNTIL",
    "COUNT",
    "INTERVAL",
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
}
#: No series expands to more occurrences than this, whatever its rule says.
MAX_OCCURRENCES = 1000


class RecurrenceError(ValueError):
    """A rule we cannot read or will not expand; ``code`` names the problem for the messages."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Change:
    """One occurrence changed: new start and end (local, aware), or cancelled."""

    start: datetime | None = None
    end: datetime | None = None
    cancelled: bool = False


@dataclass(frozen=True)
class Series:
    start: datetime  # the first start, aware, in ``tz``
    duration: timedelta
    tz: ZoneInfo
    rule: str = ""
    rdates: frozenset[datetime] = frozenset()
    exdates: frozenset[datetime] = frozenset()
    changes: Mapping[datetime, Change] = field(default_factory=dict)


@dataclass(frozen=True)
class Occurrence:
    #: The start the rule gives (the iCalendar ``RECURRENCE-ID``), aware in the series' zone.
    recurrence_id: datetime
    start: datetime
    end: datetime
    cancelled: bool = False
    changed: bool = False


def wall(naive: datetime, tz: ZoneInfo) -> datetime:
    """A local wall-clock time in ``tz``: the first of two, or the pre-gap offset for one that does not exist."""
    return naive.replace(tzinfo=tz, fold=0)


def rule_parts(rule: str) -> dict[str, str]:
    """``"FREQ=WEEKLY;BYDAY=TU"`` → ``{"FREQ": "WEEKLY", "BYDAY": "TU"}``, checked."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parts: dict[str, str] = {}
    for item in filter(None, text.split(";")):
        name, sep, value = item.partition("=")
        name = name.strip().upper()
        if not sep or not value.strip():
            raise RecurrenceError("rule_syntax", item)
        if name not in PARTS:
            raise RecurrenceError("rule_part", name)
        if name in parts:
            raise RecurrenceError("rule_syntax", f"{name} twice")
        parts[name] = value.strip().upper()
    if parts.get("FREQ") not in FREQUENCIES:
        raise RecurrenceError("rule_frequency", parts.get("FREQ", ""))
    if "UNTIL" in parts and "COUNT" in parts:
        raise RecurrenceError("rule_syntax", "UNTIL and COUNT")
    if "COUNT" in parts and (not parts["COUNT"].isdigit() or int(parts["COUNT"]) < 1):
        raise RecurrenceError("rule_syntax", "COUNT")
    if "INTERVAL" in parts and (not parts["INTERVAL"].isdigit() or int(parts["INTERVAL"]) < 1):
        raise RecurrenceError("rule_syntax", "INTERVAL")
    return parts


def _until_local(value: str, tz: ZoneInfo) -> str:
    """``UNTIL`` as local wall-clock text: dateutil expands a naive start and wants a naive end."""
    try:
        if value.endswith("Z"):
            moment = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).astimezone(tz)
            return moment.strftime("%Y%m%dT%H%M%S")
        if "T" in value:
            return datetime.strptime(value, "%Y%m%dT%H%M%S").strftime("%Y%m%dT%H%M%S")
        return datetime.strptime(value, "%Y%m%d").strftime("%Y%m%dT235959")
    except ValueError:
        raise RecurrenceError("rule_syntax", f"UNTIL={value}") from None


def starts(series: Series, *, horizon: datetime) -> list[datetime]:
    """Every start the series' rule and dates give up to ``horizon`` (and at most
    ``MAX_OCCURRENCES``), before exclusions and changes; aware, in the series' zone."""
    tz = series.tz
    first = series.start.astimezone(tz)
    found = {first} if first <= horizon else set()
    if series.rule:
        parts = rule_parts(series.rule)
        if "UNTIL" in parts:
            parts["UNTIL"] = _until_local(parts["UNTIL"], tz)
            if datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%S") < first.replace(tzinfo=None):
                raise RecurrenceError("until_before_start", parts["UNTIL"])
        text = ";".join(f"{name}={value}" for name, value in parts.items())
        try:
            rule = rrulestr(text, dtstart=first.replace(tzinfo=None))
        except (ValueError, TypeError) as error:
            raise RecurrenceError("rule_syntax", str(error)) from None
        if next(iter(rule), None) != first.replace(tzinfo=None):
            # RFC 5545 leaves a first start the rule does not produce undefined, and readers
            # disagree (ical.js drops it, others keep it): such a series is refused.
            raise RecurrenceError("start_not_in_rule", first.strftime("%Y-%m-%d %H:%M"))
        limit = horizon.astimezone(tz).replace(tzinfo=None)
        for count, naive in enumerate(rule):
            if naive > limit or count >= MAX_OCCURRENCES:
                break
            found.add(wall(naive, tz))
    found.update(d.astimezone(tz) for d in series.rdates if d <= horizon)
    return sorted(found)[:MAX_OCCURRENCES]


def occurrences(series: Series, *, window_start: datetime, window_end: datetime, horizon: datetime) -> list[Occurrence]:
    """The occurrences overlapping ``[window_start, window_end)``, changes applied, excluded ones
    gone, cancelled ones kept (flagged) so feeds can say ``STATUS:CANCELLED``; sorted by start."""
    excluded = {d.astimezone(UTC) for d in series.exdates}
    changes = {key.astimezone(UTC): change for key, change in series.changes.items()}
    found = []
    for start in starts(series, horizon=max(horizon, window_start)):
        key = start.astimezone(UTC)
        if key in excluded:
            continue
        change = changes.get(key)
        begin, end = start, _end(start, series.duration, series.tz)
        if change is not None:
            begin = change.start or begin
            end = change.end or (_end(begin, series.duration, series.tz) if change.start else end)
        if begin < window_end and end > window_start:
            found.append(
                Occurrence(
                    recurrence_id=start,
                    start=begin,
                    end=end,
                    cancelled=bool(change and change.cancelled),
                    changed=change is not None,
                )
            )
    return sorted(found, key=lambda o: (o.start, o.recurrence_id))


def _end(start: datetime, duration: timedelta, tz: ZoneInfo) -> datetime:
    """Every occurrence lasts the same exact time as the first (RFC 5545 3.8.5.3, for a series
    given with DTEND): an evening across the autumn DST change ends an hour earlier on the clock."""
    return (start.astimezone(UTC) + duration).astimezone(tz)


def bounded_rule(rule: str, *, horizon: datetime) -> str:
    """The rule as published: one without an end gets ``UNTIL`` at the horizon (in UTC)."""
    parts = rule_parts(rule)
    if "UNTIL" not in parts and "COUNT" not in parts:
        parts["UNTIL"] = horizon.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return ";".join(f"{name}={value}" for name, value in parts.items())


def in_windows(occurrences_: Iterable[Occurrence], windows: Iterable[tuple[datetime, datetime]]) -> list[Occurrence]:
    """The occurrences that overlap any of ``windows`` (closures, say): to flag to the manager."""
    spans = list(windows)
    return [o for o in occurrences_ if any(o.start < end and o.end > start for start, end in spans)]
