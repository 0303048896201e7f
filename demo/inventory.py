"""The demo venues' inventory: resources fitting each venue's kind, priced in its currency with
the rules real venues use, and yearly closures (Christmas, public holidays, a summer break).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bookings import inventory
from bookings.models import BookingUnit, PricingUnit, Resource, ResourceKind
from core import money

#: Venues whose demo managers should find a request to approve: they get a room that needs approval.
SHOWCASE_VENUES = {
    "la-ruche-des-pentes",
    "totem-french-tech-lyon-la-nef",
    "maison-teranga-dakar",
    "atelier-mile-end",  # the partner network's (ESSAIM_DEMO=partner)
}

CURRENCIES = {
    "FR": "EUR",
    "DE": "EUR",
    "CA": "CAD",
    "US": "USD",
    "SN": "XOF",
    "CI": "XOF",
    "BF": "XOF",
    "BJ": "XOF",
    "TG": "XOF",
    "MA": "MAD",
    "TN": "TND",
}

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
    "BF": [(12, 11, 12, 11, "Fête de l'indépendance")],
    "BJ": [(8, 1, 8, 1, "Fête de l'indépendance")],
    "TG": [(4, 27, 4, 27, "Fête de l'indépendance")],
    "MA": [(1, 1, 1, 1, "Nouvel an"), (7, 30, 7, 30, "Fête du Trône")],
    "TN": [(1, 1, 1, 1, "Nouvel an"), (3, 20, 3, 20, "Fête de l'indépendance")],
}
WINTER = {"fr": "Fermeture de fin d'année", "de": "Betriebsferien zum Jahreswechsel", "en": "Holiday closure"}
NO_WINTER_BREAK = {"MA", "TN"}  # they close on their own holidays instead


def _price(currency: str, amount: str) -> int:
    return money.to_minor(amount, currency)


def create_resources(venue, kind: str, language: str, currency: str, rng: random.Random) -> list[Resource]:
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


def create_closures(venue, country: str, language: str, resources, now: datetime, rng: random.Random) -> int:
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
