"""Reading a peer's change-feed page: its shape and every entry's types, checked before anything
is written. Plain Python (no database): a page that fails here is refused whole, and the error
names the entry and the field in words an admin can act on.

The shapes are those of ``federation.wire``'s docstring."""

from __future__ import annotations

import datetime
import re
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django_countries import countries

from bookings.models import BookingUnit, LateCancellation, PricingUnit, ResourceKind
from core.recurrence import RecurrenceError, rule_parts
from events.models import AttendanceMode, EventStatus
from federation.models import ChangeKind
from venues.models import VENUE_MODELS

#: Text and numbers are bounded: a peer cannot make us store a novel in a title.
MAX_TEXT = 10_000
MAX_INT = 2**31 - 1
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class MirrorError(Exception):
    """Why a page (or one entry of it) cannot be applied; the message is the peer's ``last_error``."""


@dataclass
class Entry:
    position: int
    kind: str
    uid: uuid.UUID
    deleted: bool
    data: dict

    def label(self) -> str:
        return f"entry {self.position} ({self.kind} {self.uid})"


@dataclass
class FeedPage:
    entries: list[Entry]
    next: int
    head: int
    more: bool


def _int(value, *, minimum=0, maximum=MAX_INT, optional=False):
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ValueError(f"a whole number from {minimum} to {maximum}{' or null' if optional else ''}")
    return value


def _bool(value):
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _text(max_length=MAX_TEXT):
    def check(value):
        if not isinstance(value, str) or len(value) > max_length:
            raise ValueError(f"a text of at most {max_length} characters")
        return value

    return check


def _country(value):
    if not isinstance(value, str) or value not in countries:
        raise ValueError("an ISO 3166 country code such as FR")
    return value


def _choice(choices):
    allowed = {str(c) for c in choices}

    def check(value):
        if value not in allowed:
            raise ValueError("one of " + ", ".join(sorted(allowed)))
        return value

    return check


def _float(low, high):
    def check(value):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise ValueError(f"a number from {low} to {high}, or null")
        return float(value)

    return check


def _texts(value):
    """``{"fr": "…", "en": "…"}``."""
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and len(k) <= 10 and isinstance(v, str) and len(v) <= MAX_TEXT for k, v in value.items()
    ):
        raise ValueError("a map of language codes to texts")
    return value


def _urls(value):
    _texts(value)
    if not all(v.startswith(("http://", "https://")) and len(v) <= 1000 for v in value.values()):
        raise ValueError("a map of language codes to http(s) addresses")
    return value


def _ref(value, *, optional=False):
    if value is None and optional:
        return None
    try:
        return str(uuid.UUID(str(value)))
    except (TypeError, ValueError, AttributeError):
        raise ValueError("a UUID") from None


def _instant(value, *, optional=False):
    if value is None and optional:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError("an ISO 8601 instant with its offset") from None
    if moment.tzinfo is None:
        raise ValueError("an ISO 8601 instant with its offset")
    return moment


def _zone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (TypeError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ValueError("an IANA time zone") from None
    return value


def _hours(value):
    """``[[weekday, "HH:MM", "HH:MM"], …]`` as ``(weekday, time, time)`` tuples."""
    if not isinstance(value, list) or len(value) > 100:
        raise ValueError("a list of [weekday, opens, closes]")
    rows = []
    for row in value:
        if not (isinstance(row, list) and len(row) == 3 and all(isinstance(x, str) for x in row[1:])):
            raise ValueError("a list of [weekday, opens, closes]")
        weekday, opens, closes = row
        _int(weekday, maximum=6)
        if not HHMM.match(opens) or not HHMM.match(closes):
            raise ValueError("times as HH:MM")
        rows.append((weekday, datetime.time.fromisoformat(opens), datetime.time.fromisoformat(closes)))
    return rows


def _closures(value):
    """``[{first_day, last_day, yearly, reason}, …]`` as tuples."""
    if not isinstance(value, list) or len(value) > 500:
        raise ValueError("a list of closures")
    rows = []
    for row in value:
        if not isinstance(row, dict):
            raise ValueError("a list of closures")
        try:
            first = datetime.date.fromisoformat(row.get("first_day"))
            last = datetime.date.fromisoformat(row.get("last_day"))
        except (TypeError, ValueError):
            raise ValueError("closures with first_day and last_day as YYYY-MM-DD") from None
        if last < first:
            raise ValueError("closures whose last day is not before their first")
        rows.append((first, last, _bool(row.get("yearly", False)), _text(160)(row.get("reason", ""))))
    return rows


def _rule(value):
    """An RRULE as ``core.recurrence`` reads it (an empty text: no repetition)."""
    _text(300)(value)
    if value.strip():
        try:
            rule_parts(value)
        except RecurrenceError as exc:
            raise ValueError(f"an RRULE we can read ({exc.code})") from None
    return value


def _date_changes(value):
    """``{RECURRENCE-ID: {"start", "end"} | {"cancelled": true}}``, instants in ISO 8601."""
    if not isinstance(value, dict) or len(value) > 1000:
        raise ValueError("a map of occurrence changes")
    for key, change in value.items():
        _instant(key)
        if not isinstance(change, dict):
            raise ValueError("a map of occurrence changes")
        if change.get("cancelled") is True:
            continue
        if _instant(change.get("end")) <= _instant(change.get("start")):
            raise ValueError("occurrence changes whose end is after their start")
    return value


VENUE = {
    "kind": _choice(VENUE_MODELS),
    "titles": _texts,
    "summaries": _texts,
    "accessibility": _texts,
    "urls": _urls,
    "street_address": _text(255),
    "postcode": _text(20),
    "city": _text(120),
    "region": _text(120),
    "country": _country,
    "latitude": _float(-90, 90),
    "longitude": _float(-180, 180),
    "timezone": _zone,
    "wheelchair_accessible": _bool,
    "email": _text(254),
    "phone": _text(40),
    "website": _text(200),
    "opening_hours": _hours,
    "closures": _closures,
}

RESOURCE = {
    "venue": _ref,
    "name": _text(120),
    "kind": _choice(ResourceKind.values),
    "description": _text(),
    "capacity": lambda v: _int(v, minimum=1, maximum=10_000),
    "seats": lambda v: _int(v, optional=True),
    "price_minor": _int,
    "currency": _text(3),
    "pricing_unit": _choice(PricingUnit.values),
    "booking_unit": _choice(BookingUnit.values),
    "slot_minutes": lambda v: _int(v, minimum=5, maximum=24 * 60),
    "min_minutes": _int,
    "max_minutes": _int,
    "lead_minutes": _int,
    "horizon_days": lambda v: _int(v, minimum=1, maximum=730),
    "buffer_minutes": lambda v: _int(v, maximum=240),
    "max_per_day": lambda v: _int(v, optional=True),
    "max_per_week": lambda v: _int(v, optional=True),
    "approval_required": _bool,
    "free_cancel_hours": _int,
    "late_cancellation": _choice(LateCancellation.values),
    "late_refund_percent": lambda v: _int(v, maximum=100),
    "pay_at_venue": _bool,
    "is_active": _bool,
    "hours": _hours,
    "closures": _closures,
}

EVENT = {
    "venue": _ref,
    "seats": lambda v: _ref(v, optional=True),
    "titles": _texts,
    "summaries": _texts,
    "urls": _urls,
    "timezone": _zone,
    "start": _instant,
    "end": _instant,
    "rule": _rule,
    "changes": _date_changes,
    "last_end": _instant,
    "capacity": _int,
    "price_minor": _int,
    "currency": _text(3),
    "registration_closes_hours": _int,
    "attendance_mode": _choice(AttendanceMode.values),
    "language": _text(10),
    "status": _choice(EventStatus.values),
    "cancel_reason": _text(300),
    "sequence": _int,
}

BUSY = {
    "resource": _ref,
    "start": _instant,
    "end": _instant,
    "quantity": lambda v: _int(v, minimum=1, maximum=10_000),
    "expires_at": lambda v: _instant(v, optional=True),
}

#: Fields a peer may leave out (older or newer peers), with what they mean then.
OPTIONAL = {
    "summaries": {},
    "accessibility": {},
    "urls": {},
    "opening_hours": [],
    "closures": [],
    "hours": [],
    "region": "",
    "email": "",
    "phone": "",
    "website": "",
    "postcode": "",
    "street_address": "",
    "wheelchair_accessible": False,
    "description": "",
    "seats": None,
    "max_per_day": None,
    "max_per_week": None,
    "rule": "",
    "changes": {},
    "cancel_reason": "",
    "language": "",
    "expires_at": None,
    "sequence": 0,
}

SHAPES: dict[str, dict[str, Callable]] = {
    ChangeKind.VENUE: VENUE,
    ChangeKind.RESOURCE: RESOURCE,
    ChangeKind.EVENT: EVENT,
    ChangeKind.BUSY: BUSY,
}


def check_data(kind: str, data) -> dict:
    """``data`` with every field checked and converted (times to ``datetime``…); ``ValueError``
    names the first bad field."""
    if not isinstance(data, dict):
        raise ValueError("data is not a JSON object")
    shape = SHAPES.get(kind)
    if shape is None:  # a private booking entry: its applier checks it
        return data
    clean = {}
    for name, check in shape.items():
        if name not in data:
            if name in OPTIONAL:
                clean[name] = OPTIONAL[name]
                continue
            raise ValueError(f"“{name}” is missing")
        try:
            clean[name] = check(data[name])
        except ValueError as exc:
            raise ValueError(f"“{name}” must be {exc}") from None
    extra = _cross_checks(kind, clean)
    if extra:
        raise ValueError(extra)
    return clean


def _cross_checks(kind: str, data: dict) -> str:
    if kind == ChangeKind.VENUE and not any(t.strip() for t in data["titles"].values()):
        return "“titles” has no title"
    if kind == ChangeKind.RESOURCE:
        if data["min_minutes"] > data["max_minutes"]:
            return "“min_minutes” is above “max_minutes”"
        if not data["currency"].isalpha() or len(data["currency"]) != 3:
            return "“currency” must be a three-letter code"
    if kind in (ChangeKind.EVENT, ChangeKind.BUSY) and data["end"] <= data["start"]:
        return "“end” must be after “start”"
    if kind == ChangeKind.EVENT and not data["titles"]:
        return "“titles” has no title"
    return ""


def read_page(payload, *, after: int) -> FeedPage:
    """Check a ``/federation/v1/changes`` answer: ``{changes, next, head, more}``."""
    if not isinstance(payload, dict):
        raise MirrorError("The change feed answered something that is not a page.")
    changes, nxt, head, more = (payload.get(k) for k in ("changes", "next", "head", "more"))
    if not isinstance(changes, list):
        raise MirrorError("The change feed's page has no list of changes.")
    try:
        nxt, head = _int(nxt, maximum=2**63 - 1), _int(head, maximum=2**63 - 1)
        more = _bool(more)
    except ValueError as exc:
        raise MirrorError(f"The change feed's page has a bad “next”, “head” or “more” ({exc}).") from None
    if nxt < after:
        raise MirrorError(f"The change feed went backwards (asked after {after}, told to continue at {nxt}).")
    entries = [read_entry(raw, index) for index, raw in enumerate(changes)]
    positions = [e.position for e in entries]
    if positions != sorted(positions) or (positions and (positions[0] <= after or positions[-1] > nxt)):
        raise MirrorError("The change feed's page is out of order or outside the cursor it was asked for.")
    return FeedPage(entries=entries, next=nxt, head=max(head, nxt), more=more)


def read_entry(raw, index: int = 0) -> Entry:
    if not isinstance(raw, dict):
        raise MirrorError(f"Change number {index + 1} of the page is not an object.")
    try:
        position = _int(raw.get("position"), minimum=1, maximum=2**63 - 1)
    except ValueError:
        raise MirrorError(f"Change number {index + 1} of the page has no valid position.") from None
    kind = raw.get("kind")
    if kind not in ChangeKind.values:
        raise MirrorError(f"Entry {position}: unknown kind {str(kind)[:40]!r}.")
    try:
        uid = uuid.UUID(str(raw.get("uid")))
    except ValueError:
        raise MirrorError(f"Entry {position}: “uid” is not a UUID.") from None
    deleted = raw.get("deleted", False)
    if not isinstance(deleted, bool):
        raise MirrorError(f"Entry {position}: “deleted” must be true or false.")
    entry = Entry(position=position, kind=kind, uid=uid, deleted=deleted, data={})
    if not deleted:
        try:
            entry.data = check_data(kind, raw.get("data"))
        except ValueError as exc:
            raise MirrorError(f"Entry {position} ({kind} {uid}) is malformed: {exc}.") from None
    return entry
