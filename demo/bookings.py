"""The demo network's inventory and a lived-in calendar: resources, closures and bookings.

Every demo venue gets resources fitting its kind (named desks, a desk pool, meeting rooms; an
event room at the totems), priced in the venue's currency, with the rules real venues use;
yearly closures (Christmas, 1 May, a summer break for a few); and bookings around today — the
past two weeks (checked in, a few no-shows, some cancelled) and the next three (some awaiting
approval) — spread over a handful of demo entrepreneurs.

Bookings are generated relative to the date of loading and written in bulk: ``booking_create``
would cost a transaction and a dozen queries per booking, too slow for ``make run``. Each
generated booking is still checked with the engine's own rules, as they stood when it was
booked (``availability.check_timing`` / ``check_opening`` / ``check_capacity`` and the
per-person limits), against every other booking of the venue, cancelled ones included, so no
two ever overlap on an exclusive resource and no pool is ever overbooked; each carries its
audit trail (booked, approved, checked in, cancelled…). PostgreSQL's exclusion constraint
checks the result once more.

Idempotent like the rest of the demo: a venue that already has resources is left alone, and
each venue is written whole or not at all.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from bookings import availability as av
from bookings import inventory, pricing, selectors
from bookings.models import (
    Booking,
    BookingStatus,
    BookingTransition,
    BookingUnit,
    Payment,
    PaymentProvider,
    PaymentState,
    PaymentStatus,
    PricingUnit,
    Resource,
    ResourceKind,
    new_reference,
)
from core import money
from venues.models import VenuePage

logger = logging.getLogger(__name__)

PAST_DAYS = 14
FUTURE_DAYS = 21

#: People who book in the demo, besides the ``entrepreneur`` account, by the countries they
#: work in: (first names, last names, language). Every first name is paired with two last names.
#: They cannot log in (unusable passwords): they make the calendars look lived-in.
PEOPLE = {
    ("FR",): (
        "Camille Lucas Inès Thomas Léa Hugo Chloé Nathan Manon Yacine Sarah Julien Emma Karim Zoé Antoine",
        "Martin Bernard Haddad Nguyen Petit Moreau Lefebvre Garcia Benali Roux Fontaine Chevalier",
        "fr",
    ),
    ("SN", "CI"): ("Aminata Moussa Awa Ibrahima Mariam Koffi", "Diallo Ndiaye Koné Traoré Kouassi", "fr"),
    ("MA", "TN"): ("Yasmine Mehdi Salma Youssef Nour Amine", "Alaoui Bennani Trabelsi Chaabane", "fr"),
    ("CA",): ("Chloé Félix Léa William", "Tremblay Gagnon Roy Côté", "fr"),
    ("DE",): ("Julia Jonas Lena Paul", "Schmidt Weber Fischer Wagner", "en"),
    ("US",): ("Marcus Emily Daniel Olivia", "Johnson Chen Rivera Brooks", "en"),
}
#: The demo account people log in with: it gets bookings at these venues.
ENTREPRENEUR = "entrepreneur"
ENTREPRENEUR_VENUES = {
    "la-ruche-des-pentes",
    "le-bocal-montreuillois",
    "totem-french-tech-lyon-la-nef",
    "werkhof-spree-berlin",
    "maison-teranga-dakar",
}
#: Venues whose demo managers should find a request to approve: they get a room that needs approval.
SHOWCASE_VENUES = {"la-ruche-des-pentes", "totem-french-tech-lyon-la-nef", "maison-teranga-dakar"}

CURRENCIES = {"FR": "EUR", "DE": "EUR", "CA": "CAD", "US": "USD", "SN": "XOF", "CI": "XOF", "MA": "MAD", "TN": "TND"}

#: Prices in major units (converted with the currency's own number of decimals):
#: desk per day, pool per day, room per hour, event room per half-day.
PRICES = {
    "EUR": {"desk": ("0", "5", "8"), "pool": ("0", "10", "12", "15"), "room": ("0", "15", "20", "25"), "event": "250"},
    "CAD": {"desk": ("25",), "pool": ("20",), "room": ("35",), "event": "300"},
    "USD": {"desk": ("35",), "pool": ("25",), "room": ("45",), "event": "400"},
    "XOF": {"desk": ("5000",), "pool": ("3000",), "room": ("10000",), "event": "75000"},
    "MAD": {"desk": ("100",), "pool": ("80",), "room": ("150",), "event": "1500"},
    "TND": {"desk": ("25.500",), "pool": ("15",), "room": ("30",), "event": "250"},
}

#: Resource names by language.
NAMES = {
    "fr": {
        "desks": ["Bureau fenêtre", "Bureau verrière", "Poste atelier", "Bureau mezzanine", "Poste calme"],
        "pool": "Open space",
        "rooms": ["Salle Hypatie", "Salle des Communs", "Salle Olympe", "Salle Marie-Curie"],
        "big_room": "Grande salle",
        "booth": "Cabine visio",
        "event": "Salle événementielle",
        "desk_text": "Un poste fixe avec écran, au calme.",
        "pool_text": "Un poste libre dans l'espace partagé : premier arrivé, premier installé.",
        "room_text": "Écran, tableau blanc et visioconférence.",
        "event_text": "Pour conférences et ateliers : scène, sono, vidéoprojecteur. Sur validation de l'équipe.",
    },
    "de": {
        "desks": ["Fensterplatz", "Schreibtisch Galerie", "Ruhiger Platz"],
        "pool": "Open Space",
        "rooms": ["Raum Spree", "Raum Havel"],
        "big_room": "Großer Saal",
        "booth": "Telefonbox",
        "event": "Veranstaltungssaal",
        "desk_text": "Fester Arbeitsplatz mit Bildschirm.",
        "pool_text": "Ein freier Platz im Open Space.",
        "room_text": "Bildschirm, Whiteboard und Videokonferenz.",
        "event_text": "Für Konferenzen und Workshops; nach Freigabe durch das Team.",
    },
    "en": {
        "desks": ["Window desk", "Gallery desk", "Quiet desk"],
        "pool": "Open space",
        "rooms": ["Hudson room", "Liberty room"],
        "big_room": "Large room",
        "booth": "Call booth",
        "event": "Event hall",
        "desk_text": "A fixed desk with a screen, in a quiet corner.",
        "pool_text": "Any free desk in the shared space.",
        "room_text": "Screen, whiteboard and video conferencing.",
        "event_text": "For talks and workshops; the team approves each booking.",
    },
}
LANGUAGES = {"DE": "de", "US": "en"}

#: Yearly public-holiday closures by country: (month, day, last month, last day, reason).
HOLIDAYS = {
    "FR": [(5, 1, 5, 1, "1er mai")],
    "DE": [(5, 1, 5, 1, "Tag der Arbeit"), (10, 3, 10, 3, "Tag der Deutschen Einheit")],
    "US": [(7, 4, 7, 4, "Independence Day")],
    "CA": [(6, 24, 6, 24, "Fête nationale du Québec"), (7, 1, 7, 1, "Fête du Canada")],
    "SN": [(4, 4, 4, 4, "Fête de l'indépendance")],
    "CI": [(8, 7, 8, 7, "Fête de l'indépendance")],
    "MA": [(1, 1, 1, 1, "Nouvel an"), (7, 30, 7, 30, "Fête du Trône")],
    "TN": [(1, 1, 1, 1, "Nouvel an"), (3, 20, 3, 20, "Fête de l'indépendance")],
}
WINTER = {"fr": "Fermeture de fin d'année", "de": "Betriebsferien zum Jahreswechsel", "en": "Holiday closure"}
NO_WINTER_BREAK = {"MA", "TN"}  # they close on their own holidays instead
NOTES = ["", "", "", "", "Réunion d'équipe", "Entretien", "Atelier co-design", "Point client", "Comité de pilotage"]


@dataclass
class BookingDemoReport:
    venues: int = 0
    skipped: int = 0
    resources: int = 0
    closures: int = 0
    bookings: int = 0
    statuses: Counter = field(default_factory=Counter)


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


def load_bookings_demo(
    *, slugs: list[str], managers: dict[str, object] | None = None, now: datetime | None = None
) -> BookingDemoReport:
    """Resources, closures and bookings for the demo venues ``slugs`` that have no resources yet.

    ``managers`` maps a venue slug to the account that checks people in there (default: none).
    """
    now = now or timezone.now()
    report = BookingDemoReport()
    bookers = _bookers()
    venues = VenuePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE, slug__in=slugs)
    with_resources = set(Resource.objects.filter(venue__in=venues).values_list("venue_id", flat=True))
    by_slug = {venue.slug: venue for venue in venues}
    for slug in slugs:
        venue = by_slug.get(slug)
        if venue is None:
            continue
        if venue.pk in with_resources:
            report.skipped += 1
            continue
        with transaction.atomic():  # a venue whole or not at all; a rerun picks up the rest
            _load_venue(venue, bookers, (managers or {}).get(slug), now, report)
        report.venues += 1
    return report


def _people() -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    """(username, first name, last name, language, countries) of every demo booker."""
    people = []
    for countries, (first_names, last_names, language) in PEOPLE.items():
        firsts, lasts = first_names.split(), last_names.split()
        for index, first in enumerate(firsts):
            for last in (lasts[index % len(lasts)], lasts[(index + 3) % len(lasts)]):
                username = f"{first}.{last}".lower().translate(str.maketrans("éèëïôç ", "eeeioc-"))
                people.append((username, first, last, language, countries))
    return people


def _bookers() -> dict[str, tuple[object, str, tuple[str, ...]]]:
    """The demo bookers by username, created once: (user, language, countries)."""
    User = get_user_model()
    people = _people()
    existing = {user.username: user for user in User.objects.filter(username__in=[p[0] for p in people])}
    new = [
        User(username=username, first_name=first, last_name=last, email=f"{username}@essaim.localhost")
        for username, first, last, _language, _countries in people
        if username not in existing
    ]
    for user in new:
        user.set_unusable_password()
    User.objects.bulk_create(new)
    users = existing | {user.username: user for user in User.objects.filter(username__in=[u.username for u in new])}
    bookers = {username: (users[username], language, countries) for username, _f, _l, language, countries in people}
    entrepreneur = User.objects.filter(username=ENTREPRENEUR).first()
    if entrepreneur is not None:
        bookers[ENTREPRENEUR] = (entrepreneur, "fr", ())
    return bookers


def _load_venue(venue: VenuePage, bookers: dict, manager, now: datetime, report: BookingDemoReport) -> None:
    rng = random.Random(venue.slug)
    country = str(venue.country)
    language = LANGUAGES.get(country, "fr")
    currency = CURRENCIES.get(country, "EUR")
    resources = _create_resources(venue, venue.kind, language, currency, rng)
    report.resources += len(resources)
    report.closures += _create_closures(venue, country, language, resources, now, rng)
    planned = _plan_bookings(venue, resources, bookers, manager, now, rng)
    report.bookings += _write(planned)
    report.statuses.update(p.transitions[-1][1] for p in planned)


# Resources ---------------------------------------------------------------------------------


def _price(currency: str, amount: str) -> int:
    return money.to_minor(amount, currency)


def _create_resources(venue, kind: str, language: str, currency: str, rng: random.Random) -> list[Resource]:
    names = NAMES[language]
    prices = PRICES[currency]
    specs: list[dict] = []
    n_desks = rng.randint(2, 4) if kind == "tiers_lieu" else rng.randint(2, 3) if kind != "totem" else 4
    for name in rng.sample(names["desks"], min(n_desks, len(names["desks"]))):
        specs.append(
            {
                "name": name,
                "kind": ResourceKind.DESK,
                "description": names["desk_text"],
                "booking_unit": rng.choice([BookingUnit.HALF_DAY, BookingUnit.HALF_DAY, BookingUnit.DAY]),
                "price_minor": _price(currency, rng.choice(prices["desk"])),
                "pricing_unit": PricingUnit.DAY,
                "horizon_days": 60,
                "max_per_day": 2,
                "max_per_week": 4,
                "free_cancel_hours": 12,
            }
        )
    specs.append(
        {
            "name": names["pool"],
            "kind": ResourceKind.DESK_POOL,
            "description": names["pool_text"],
            "capacity": rng.randint(16, 20) if kind == "totem" else rng.randint(6, 16),
            "booking_unit": BookingUnit.HALF_DAY,
            "price_minor": _price(currency, rng.choice(prices["pool"])),
            "pricing_unit": PricingUnit.DAY,
            "horizon_days": 60,
            "max_per_day": 2,
            "free_cancel_hours": 12,
        }
    )
    rooms = rng.sample(names["rooms"], 2)
    n_rooms = 2 if kind != "tiers_lieu" or venue.slug in SHOWCASE_VENUES else rng.randint(1, 2)
    for index, name in enumerate(rooms[:n_rooms]):
        big = index == 1  # the second room is the large one, and the manager approves it
        specs.append(
            {
                "name": names["big_room"] if big else name,
                "kind": ResourceKind.ROOM,
                "description": names["room_text"],
                "seats": rng.randint(14, 24) if big else rng.randint(4, 10),
                "price_minor": _room_price(currency, big, rng),
                "pricing_unit": PricingUnit.HOUR,
                "slot_minutes": 30,
                "min_minutes": 30,
                "max_minutes": 240,
                "buffer_minutes": 15,
                "lead_minutes": 120 if big else 60,
                "horizon_days": 90,
                "approval_required": big,
                "free_cancel_hours": 24,
                "late_refund_percent": 50,
            }
        )
    if kind == "totem":
        specs.append(
            {
                "name": names["booth"],
                "kind": ResourceKind.ROOM,
                "seats": 2,
                "slot_minutes": 30,
                "min_minutes": 30,
                "max_minutes": 120,
                "lead_minutes": 0,
                "horizon_days": 14,
                "max_per_day": 2,
                "free_cancel_hours": 1,
            }
        )
        specs.append(
            {
                "name": names["event"],
                "kind": ResourceKind.ROOM,
                "description": names["event_text"],
                "seats": rng.choice([80, 120, 150]),
                "booking_unit": BookingUnit.HALF_DAY,
                "price_minor": _price(currency, prices["event"]),
                "pricing_unit": PricingUnit.HALF_DAY,
                "buffer_minutes": 60,
                "lead_minutes": 2 * 24 * 60,
                "horizon_days": 180,
                "approval_required": True,
                "free_cancel_hours": 72,
                "late_cancellation": "refused",
            }
        )
    return [inventory.resource_create(venue=venue, currency=currency, **spec) for spec in specs]


def _room_price(currency: str, big: bool, rng: random.Random) -> int:
    """Euro venues: some rooms free, some priced; elsewhere the local rate, doubled for the large room."""
    rates = PRICES[currency]["room"]
    if currency == "EUR":
        return _price(currency, rng.choice(rates[1:] if big else rates))
    return _price(currency, rates[0]) * (2 if big else 1)


def _create_closures(venue, country: str, language: str, resources, now: datetime, rng: random.Random) -> int:
    year = now.year
    rows = []
    if country not in NO_WINTER_BREAK:
        rows.append((date(year, 12, 24), date(year + 1, 1, 1), WINTER[language]))
    for month, day, last_month, last_day, reason in HOLIDAYS.get(country, []):
        rows.append((date(year, month, day), date(year, last_month, last_day), reason))
    if venue.kind == "tiers_lieu" and rng.random() < 0.25:
        rows.append((date(year, 8, 3), date(year, 8, 21), "Fermeture estivale"))
    for first, last, reason in rows:
        inventory.closure_create(venue=venue, first_day=first, last_day=last, yearly=True, reason=reason)
    count = len(rows)
    rooms = [r for r in resources if r.kind == ResourceKind.ROOM and r.booking_unit == BookingUnit.SLOTS]
    if rooms and rng.random() < 0.2:
        day = now.astimezone(ZoneInfo(venue.timezone)).date() + timedelta(days=rng.randint(4, 15))
        reason = {"fr": "Maintenance de l'écran", "de": "Wartung", "en": "Maintenance"}[language]
        inventory.closure_create(venue=venue, resource=rng.choice(rooms), first_day=day, reason=reason)
        count += 1
    return count


# Bookings ----------------------------------------------------------------------------------


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


def _plan_bookings(venue, resources, bookers: dict, manager, now: datetime, rng: random.Random) -> list[Planned]:
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


def _write(planned: list[Planned]) -> int:
    """Insert the bookings, then their transitions; ``created_at`` is when each was booked.

    Plain ``INSERT``s of prepared tuples (as ``tests/benchmarks/support.py`` does): ``bulk_create``
    spent most of the demo's time preparing values field by field, and its ``auto_now_add``
    would stamp every booking with the time of loading.
    """
    rows = []
    for item in planned:
        resource = item.resource
        final = item.transitions[-1]
        rows.append(
            {
                "reference": new_reference(),
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
    qn = connection.ops.quote_name
    # Identifiers come from the model's metadata; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    values = [
        tuple(
            adapt(value) if is_date and value is not None else value
            for value, is_date in zip(row.values(), dated, strict=True)
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(values), batch_size):
            cursor.executemany(sql, values[start : start + batch_size])
