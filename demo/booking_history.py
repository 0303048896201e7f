"""A lived-in calendar for the demo: bookings around today, planned with the engine's own rules.

The past two weeks (checked in, a few no-shows, some cancelled) and the next three (some awaiting
approval), spread over the demo people. Each generated booking is checked with the rules as they
stood when it was booked, against every other booking of the venue, then written in bulk with its
audit trail (see ``demo.bookings``).
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

from bookings import availability as av
from bookings import pricing, selectors
from bookings.models import (
    Booking,
    BookingStatus,
    BookingTransition,
    BookingUnit,
    Payment,
    PaymentProvider,
    PaymentState,
    PaymentStatus,
    Resource,
    ResourceKind,
    fresh_references,
)
from demo.inventory import SHOWCASE_VENUES

PAST_DAYS = 14
FUTURE_DAYS = 21

#: The demo account people log in with: it gets bookings at these venues.
ENTREPRENEUR = "entrepreneur"
ENTREPRENEUR_VENUES = {
    "la-ruche-des-pentes",
    "le-bocal-montreuillois",
    "totem-french-tech-lyon-la-nef",
    "werkhof-spree-berlin",
    "maison-teranga-dakar",
    "atelier-mile-end",  # the partner network's (ESSAIM_DEMO=partner)
    "maison-impact-abidjan",
}
NOTES = ["", "", "", "", "Réunion d'équipe", "Entretien", "Atelier co-design", "Point client", "Comité de pilotage"]


@dataclass
class Planned:
    """A generated booking and its audit trail, before it is written."""

    resource: Resource
    user: object
    start: datetime
    end: datetime
    quantity: int
    booked_at: datetime
    transitions: list[tuple[str, str, object, datetime, str]]  # from, to, actor, at, reason
    amount_minor: int = 0
    language: str = "fr"
    note: str = ""


class _Calendar:
    """One resource's rules, hours, closures and what the demo has already placed on it."""

    def __init__(self, resource: Resource, tz: ZoneInfo):
        self.resource = resource
        self.tz = tz
        self.rules = selectors.resource_rules(resource)
        self.hours = selectors.resource_hours(resource)
        self.closures = selectors.resource_closures(resource)
        self.occupations: list[av.Occupation] = []
        self.per_day: Counter = Counter()
        self.per_week: Counter = Counter()

    def accepts(self, user, start: datetime, end: datetime, quantity: int, booked_at: datetime) -> bool:
        """Every rule ``booking_create`` applies, as of ``booked_at``; occupied time counts
        whatever became of the bookings (a cancelled slot is never re-let, so none overlap)."""
        request = av.Interval(start, end)
        try:
            av.check_timing(request, quantity, self.rules, booked_at, self.tz)
            av.check_opening(request, self.rules, self.hours, self.closures, self.tz)
            av.check_capacity(request, quantity, self.occupations, self.rules)
        except av.RuleViolation:
            return False
        local = start.astimezone(self.tz).date()
        day_key, week_key = (user.pk, local), (user.pk, local.isocalendar()[:2])
        resource = self.resource
        if resource.max_per_day and self.per_day[day_key] >= resource.max_per_day:
            return False
        if resource.max_per_week and self.per_week[week_key] >= resource.max_per_week:
            return False
        blocked = end + timedelta(minutes=self.rules.buffer_minutes if self.rules.exclusive else 0)
        self.occupations.append(av.booking_occupation(start, blocked, quantity, self.rules))
        self.per_day[day_key] += 1
        self.per_week[week_key] += 1
        return True

    def amount(self, start: datetime, end: datetime, quantity: int) -> int:
        """What ``booking_create`` would charge: a morning or an afternoon is a half-day."""
        request = av.Interval(start, end)
        presets = av.day_presets(start.astimezone(self.tz).date(), self.hours, self.tz)
        resource = self.resource
        return pricing.booking_amount(
            price_minor=resource.price_minor,
            pricing_unit=resource.pricing_unit,
            minutes=request.minutes,
            quantity=quantity,
            preset=next((name for name, span in presets.items() if span == request), ""),
        )


def plan_bookings(venue, resources, bookers: dict, manager, now: datetime, rng: random.Random) -> list[Planned]:
    tz = ZoneInfo(venue.timezone)
    country = str(venue.country)
    today = now.astimezone(tz).date()
    days = [today + timedelta(days=offset) for offset in range(-PAST_DAYS, FUTURE_DAYS + 1)]
    # A venue's regulars: a dozen people who work in its country, and now and then a visitor.
    locals_ = [name for name, (_u, _l, countries) in bookers.items() if country in countries]
    others = [name for name, (_u, _l, countries) in bookers.items() if countries and country not in countries]
    regulars = rng.sample(locals_, min(len(locals_), rng.randint(8, 12))) + rng.sample(others, 2)
    weights = [10] * (len(regulars) - 2) + [1, 1]
    invite = ENTREPRENEUR in bookers and venue.slug in ENTREPRENEUR_VENUES
    mine = 0
    # Big-city totems and the venues demo accounts look at are busy; the others quieter.
    busy = 1.0 if venue.kind == "totem" or venue.slug in SHOWCASE_VENUES else rng.uniform(0.25, 0.6)
    planned: list[Planned] = []
    for resource in resources:
        calendar = _Calendar(resource, tz)
        for day in days:
            for start, end, quantity in _candidates(calendar, day, busy, rng):
                name = (
                    ENTREPRENEUR if invite and mine < 6 and rng.random() < 0.04 else rng.choices(regulars, weights)[0]
                )
                user, language, _home = bookers[name]
                booked_at = _booked_at(calendar.rules, start, now, rng)
                if booked_at is None or not calendar.accepts(user, start, end, quantity, booked_at):
                    continue
                mine += name == ENTREPRENEUR
                planned.append(
                    Planned(
                        resource=resource,
                        user=user,
                        start=start,
                        end=end,
                        quantity=quantity,
                        booked_at=booked_at,
                        transitions=_story(resource, user, manager, start, end, booked_at, now, rng),
                        amount_minor=calendar.amount(start, end, quantity),
                        language=language,
                        note=rng.choice(NOTES) if resource.kind == ResourceKind.ROOM else "",
                    )
                )
    return planned


def _candidates(calendar: _Calendar, day: date, busy: float, rng: random.Random):
    """Bookings someone might want on ``day`` (start, end, quantity), not yet checked; ``busy``
    (0–1) is how popular the venue is."""
    resource, tz = calendar.resource, calendar.tz
    if resource.booking_unit != BookingUnit.SLOTS:
        presets = av.day_presets(day, calendar.hours, tz)
        if not presets:
            return
        allowed = ["day"] if resource.booking_unit == BookingUnit.DAY else list(presets)
        if resource.kind == ResourceKind.DESK_POOL:
            wanted = round(resource.capacity * busy * rng.uniform(0.1, 0.4))
            for _ in range(wanted):
                span = presets[rng.choice(allowed)]
                yield span.start, span.end, 2 if rng.random() < 0.05 else 1
        else:
            chance = (0.15 if resource.approval_required else 0.4) * busy
            for name in rng.sample(allowed, len(allowed)):
                if rng.random() < chance:
                    yield presets[name].start, presets[name].end, 1
        return
    spans = av.day_opening(day, calendar.hours, tz)
    if not spans:
        return
    step = timedelta(minutes=resource.slot_minutes)
    for _ in range(rng.choice([0, 1, 2, 2, 3, 4] if resource.seats and resource.seats <= 2 else [0, 1, 1, 2, 2, 3])):
        if rng.random() > busy:
            continue
        span = rng.choice(spans)
        minutes = rng.choice([30, 60, 60, 90, 120, 120, 180, 240])
        length = timedelta(minutes=min(minutes, resource.max_minutes))
        starts = int((span.end - span.start - length) / step) + 1
        if starts <= 0:
            continue
        start = span.start + step * rng.randrange(starts)
        yield start, start + length, 1


def _booked_at(rules: av.Rules, start: datetime, now: datetime, rng: random.Random) -> datetime | None:
    """When the booking was made: a few hours to three weeks ahead, never after ``now``, within
    the notice and the horizon."""
    latest = min(now, start - timedelta(minutes=rules.lead_minutes))
    earliest = max(start - timedelta(days=min(rules.horizon_days, 21)), now - timedelta(days=PAST_DAYS + 21))
    if latest <= earliest:
        return None
    seconds = (latest - earliest).total_seconds()
    # Most bookings are made shortly before: skew towards ``latest``.
    return (latest - timedelta(seconds=seconds * rng.random() ** 2)).replace(microsecond=0)


def _story(resource, user, manager, start, end, booked_at, now, rng) -> list[tuple]:
    """The transitions of one booking, up to ``now``: booked, then approved or rejected, then
    checked in, no-show or cancelled."""
    S = BookingStatus
    first = S.PENDING_APPROVAL if resource.approval_required else S.CONFIRMED
    story = [("", first, user, booked_at, "")]
    status, at = first, booked_at
    if first == S.PENDING_APPROVAL:
        decided = at + timedelta(hours=rng.uniform(1, 30))
        if decided >= min(now, start):
            if start <= now:  # nobody decided in time: the beat task expired it
                story.append((status, S.EXPIRED, None, start, "expired"))
            return story  # still waiting for the manager
        if rng.random() < 0.1:
            story.append((status, S.REJECTED, manager, decided, "Salle réservée pour un événement interne"))
            return story
        story.append((status, S.CONFIRMED, manager, decided, "approved"))
        status, at = S.CONFIRMED, decided
    roll = rng.random()
    if roll < 0.1:
        cancelled = at + (min(now, start) - at) * rng.uniform(0.2, 0.9)
        story.append((status, S.CANCELLED, user, cancelled.replace(microsecond=0), "cancelled by the booker"))
        return story
    if start > now:
        return story
    if end <= now and roll < 0.16:
        story.append((status, S.NO_SHOW, manager, min(end, start + timedelta(hours=1)), "no-show"))
        return story
    arrived = max(start + timedelta(minutes=rng.randint(-20, 25)), at + timedelta(minutes=1))
    if arrived <= now and arrived < end and roll < 0.9:
        story.append((status, S.CHECKED_IN, manager, arrived.replace(second=0), "checked in"))
    return story


def write_bookings(planned: list[Planned]) -> int:
    """Insert the bookings, then their transitions; ``created_at`` is when each was booked.

    Plain ``INSERT``s of prepared tuples (as ``tests/benchmarks/support.py`` does): ``bulk_create``
    spent most of the demo's time preparing values field by field, and its ``auto_now_add``
    would stamp every booking with the time of loading.
    """
    rows = []
    references = fresh_references(len(planned))
    for item, reference in zip(planned, references, strict=True):
        resource = item.resource
        final = item.transitions[-1]
        rows.append(
            {
                "reference": reference,
                "uid": uuid.uuid4(),
                "resource": resource.pk,
                "user": item.user.pk,
                "start": item.start,
                "end": item.end,
                "blocked_until": item.end + timedelta(minutes=resource.buffer_minutes if resource.is_exclusive else 0),
                "quantity": item.quantity,
                "exclusive": resource.is_exclusive,
                "status": str(final[1]),
                "expires_at": None,
                "amount_minor": item.amount_minor,
                "currency": resource.currency,
                "payment_state": str(_payment_state(resource, final)),
                "note": item.note,
                "language": item.language,
                "cancel_reason": final[4] if final[1] == BookingStatus.REJECTED else "",
                "reminder_sent_at": None,
                "created_at": item.booked_at,
                "updated_at": final[3],
            }
        )
    _insert(Booking, rows)
    ids = dict(Booking.objects.filter(reference__in=[row["reference"] for row in rows]).values_list("reference", "pk"))
    _insert(
        BookingTransition,
        [
            {
                "booking": ids[row["reference"]],
                "from_status": str(frm),
                "to_status": str(to),
                "actor": actor.pk if actor else None,
                "at": at,
                "reason": reason,
            }
            for row, item in zip(rows, planned, strict=True)
            for frm, to, actor, at, reason in item.transitions
        ],
    )
    # Those who came paid at the door: the manager recorded it when checking them in.
    _insert(
        Payment,
        [
            {
                "booking": ids[row["reference"]],
                "provider": str(PaymentProvider.VENUE),
                "status": str(PaymentStatus.PAID),
                "amount_minor": row["amount_minor"],
                "currency": row["currency"],
                "session_id": None,
                "payment_intent_id": "",
                "charge_id": "",
                "url": "",
                "receipt_url": "",
                "expires_at": None,
                "paid_at": item.transitions[-1][3],
                "recorded_by": item.transitions[-1][2].pk if item.transitions[-1][2] else None,
                "created_at": item.transitions[-1][3],
                "updated_at": item.transitions[-1][3],
            }
            for row, item in zip(rows, planned, strict=True)
            if row["payment_state"] == PaymentState.PAID
        ],
    )
    return len(rows)


def _payment_state(resource: Resource, final: tuple) -> str:
    """Free; paid at the venue once checked in (the demo has no Stripe keys); else due at the venue."""
    if resource.is_free:
        return PaymentState.NONE
    return PaymentState.PAID if final[1] == BookingStatus.CHECKED_IN else PaymentState.DUE_AT_VENUE


def _insert(model, rows: list[dict], batch_size: int = 1000) -> None:
    """``INSERT`` ``rows`` (field name → Python value; foreign keys as ids) into ``model``'s table."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in rows[0]]
    adapt = connection.ops.adapt_datetimefield_value
    dated = [field.get_internal_type() == "DateTimeField" for field in fields]
    uuids = [field.get_internal_type() == "UUIDField" for field in fields]
    qn = connection.ops.quote_name
    # Identifiers come from the model's metadata; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    values = [
        tuple(
            adapt(value)
            if is_date and value is not None
            else field.get_db_prep_value(value, connection)
            if is_uuid
            else value
            for value, is_date, is_uuid, field in zip(row.values(), dated, uuids, fields, strict=True)
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(values), batch_size):
            cursor.executemany(sql, values[start : start + batch_size])
