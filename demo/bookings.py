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
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from bookings.models import Resource
from demo.booking_history import ENTREPRENEUR, plan_bookings, write_bookings
from demo.inventory import CURRENCIES, LANGUAGES, create_closures, create_resources
from venues.models import VenuePage

logger = logging.getLogger(__name__)

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


@dataclass
class BookingDemoReport:
    venues: int = 0
    skipped: int = 0
    resources: int = 0
    closures: int = 0
    bookings: int = 0
    statuses: Counter = field(default_factory=Counter)


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
    resources = create_resources(venue, venue.kind, language, currency, rng)
    report.resources += len(resources)
    report.closures += create_closures(venue, country, language, resources, now, rng)
    planned = plan_bookings(venue, resources, bookers, manager, now, rng)
    report.bookings += write_bookings(planned)
    report.statuses.update(p.transitions[-1][1] for p in planned)
