"""The demo network's agenda: events over the coming months and an international programme.

Thirty-odd events at the demo venues, dated from the day of loading: a third repeat (weekly or
monthly; one has a cancelled date, one a moved date), some are paid (in euros, one in CFA francs
at Dakar), a few dates are nearly full and one is full with people on its waitlist. Dakar's hub
publishes a programme across three venues (itself, a Lyon tiers-lieu and Montréal's centre),
translated to English with wagtail-localize; a few events are translated too.

Pages go through ``events.services.event_page_create`` / ``programme_page_create`` (Wagtail's
revision and publish path, so the schedule and seats are the real ones). Registrations are
written in bulk, as ``demo.bookings`` writes bookings: ``registration_create`` would send each
demo person an e-mail and costs a transaction apiece; the counts never exceed the seats.

Idempotent: an event or programme whose slug is already used at its venue is left alone, and
each is written whole or not at all (with its registrations), so a rerun adds nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page

from bookings.models import Booking, BookingStatus, BookingTransition, PaymentState, new_reference
from demo.network import ACCOUNTS
from events import selectors
from events.models import Event, EventPage, ProgrammePage, Registration, WaitlistEntry
from events.services import event_page_create, programme_page_create
from venues.models import VenuePage

logger = logging.getLogger(__name__)

#: The demo account that registers (and waits) for a few events.
ENTREPRENEUR = "entrepreneur"


@dataclass(frozen=True)
class Spec:
    """One demo event: where, what, when (days from today, moved to ``weekday`` if given)."""

    slug: str
    venue: str
    title: str
    summary: str
    days: int
    start: str
    end: str
    weekday: int | None = None
    capacity: int = 30
    price: str = "0"
    currency: str = "EUR"
    repeat: str = ""
    interval: int = 1
    weeks: int = 0  # a repeating event's span: weeks from its first date (0: open, to the horizon)
    cancel: int | None = None  # the n-th date (0 first) is cancelled
    move: int | None = None  # the n-th date is moved a day later, an hour earlier
    fill: str = ""  # "nearly": the first dates keep one seat; "full": full, with a waitlist
    english: tuple[str, str] | None = None  # title and summary in English
    mode: str = "offline"
    online_url: str = ""


TUE, WED, THU, FRI, SAT = 1, 2, 3, 4, 5

EVENTS = [
    # La Ruche des Pentes (Lyon): the manager demo account's venue.
    Spec(
        "apero-des-entrepreneurs",
        "la-ruche-des-pentes",
        "Apéro des entrepreneurs",
        "Chaque mardi soir, on partage ses avancées et ses galères autour d'un verre.",
        7,
        "18:30",
        "20:30",
        weekday=TUE,
        capacity=25,
        repeat="WEEKLY",
        weeks=20,
        cancel=2,
        move=4,
        fill="nearly",
        english=("Entrepreneurs' drinks", "Every Tuesday evening, share progress and hurdles over a drink."),
    ),
    Spec(
        "atelier-decoupe-laser",
        "la-ruche-des-pentes",
        "Atelier fab lab : découpe laser",
        "Prise en main de la découpeuse laser, de la conception au premier objet.",
        12,
        "14:00",
        "17:00",
        capacity=8,
        price="15",
        repeat="MONTHLY",
        weeks=26,
        fill="nearly",
        english=("Fab lab workshop: laser cutting", "Get started with the laser cutter, from design to object."),
    ),
    Spec(
        "soiree-pitch",
        "la-ruche-des-pentes",
        "Soirée pitch : trois minutes pour convaincre",
        "Six porteurs de projet pitchent devant un jury bienveillant.",
        16,
        "19:00",
        "21:30",
        capacity=10,
        fill="full",
        english=("Pitch night: three minutes to convince", "Six founders pitch to a friendly jury."),
    ),
    Spec(
        "permanence-juridique",
        "la-ruche-des-pentes",
        "Permanence juridique : statuts et ESS",
        "Une avocate répond à vos questions sur les statuts coopératifs et associatifs.",
        9,
        "10:00",
        "12:00",
        weekday=THU,
        capacity=6,
        repeat="WEEKLY",
        interval=2,
        weeks=16,
    ),
    # Le Bocal montreuillois.
    Spec(
        "cafe-compta",
        "le-bocal-montreuillois",
        "Café compta",
        "Une heure pour poser ses questions de comptabilité à une experte, café compris.",
        5,
        "09:30",
        "10:30",
        weekday=FRI,
        capacity=12,
        repeat="WEEKLY",
        weeks=12,
    ),
    Spec(
        "repair-cafe-montreuil",
        "le-bocal-montreuillois",
        "Repair café",
        "Apportez ce qui est cassé : on répare ensemble.",
        23,
        "14:00",
        "18:00",
        weekday=SAT,
        capacity=40,
    ),
    Spec(
        "formation-outils-collaboratifs",
        "le-bocal-montreuillois",
        "Formation : les outils collaboratifs libres",
        "Une journée pour passer aux outils libres, du tableur partagé à la visio.",
        30,
        "09:30",
        "17:00",
        capacity=14,
        price="30",
        fill="nearly",
    ),
    # Totems French Tech.
    Spec(
        "meetup-ia-impact",
        "totem-french-tech-lyon-la-nef",
        "Meetup IA & impact",
        "Des startups montrent comment l'IA sert l'environnement et la santé.",
        10,
        "18:30",
        "21:00",
        capacity=120,
        repeat="MONTHLY",
        weeks=30,
        english=("AI & impact meetup", "Startups show how AI serves the environment and health."),
    ),
    Spec(
        "office-hours-investisseurs",
        "totem-french-tech-lyon-la-nef",
        "Office hours investisseurs",
        "Vingt minutes en tête-à-tête avec un business angel.",
        8,
        "09:00",
        "12:00",
        weekday=WED,
        capacity=6,
        repeat="WEEKLY",
        weeks=10,
        fill="nearly",
    ),
    Spec(
        "masterclass-levee-de-fonds",
        "totem-french-tech-paris-la-verriere",
        "Masterclass : lever ses premiers fonds",
        "Préparer sa levée d'amorçage avec deux fondatrices et un fonds à impact.",
        14,
        "18:00",
        "20:30",
        capacity=80,
        price="25",
        english=("Masterclass: raising your first round", "Prepare a seed round with two founders and an impact fund."),
    ),
    Spec(
        "afterwork-french-tech-paris",
        "totem-french-tech-paris-la-verriere",
        "Afterwork French Tech",
        "Le rendez-vous mensuel de la communauté.",
        20,
        "19:00",
        "22:00",
        capacity=150,
        repeat="MONTHLY",
        weeks=26,
    ),
    Spec(
        "demo-day-bordeaux",
        "totem-french-tech-bordeaux-la-halle",
        "Demo day de l'incubateur",
        "La promotion d'automne présente ses produits.",
        25,
        "17:00",
        "20:00",
        capacity=150,
    ),
    Spec(
        "atelier-rgpd-nantes",
        "totem-french-tech-nantes-atelier-des-chantiers",
        "Atelier RGPD pour startups",
        "Cartographier ses traitements et rédiger son registre en une matinée.",
        18,
        "09:30",
        "12:30",
        capacity=30,
        price="20",
    ),
    Spec(
        "hackathon-climat-lille",
        "totem-french-tech-lille-la-filature-haute",
        "Hackathon climat",
        "Deux jours pour prototyper des outils de sobriété énergétique.",
        40,
        "09:00",
        "18:00",
        capacity=60,
    ),
    Spec(
        "conference-spatial-toulouse",
        "totem-french-tech-toulouse-le-hangar-rose",
        "Conférence : le spatial au service des territoires",
        "Données satellites, agriculture et prévention des risques.",
        33,
        "18:00",
        "20:00",
        capacity=100,
        mode="mixed",
        online_url="https://visio.essaim.localhost/spatial",
    ),
    Spec(
        "petit-dej-rennes",
        "totem-french-tech-rennes-la-maison-des-rives",
        "Petit-déjeuner des fondatrices",
        "Un réseau d'entraide entre fondatrices, chaque mois.",
        6,
        "08:30",
        "10:00",
        capacity=20,
        repeat="MONTHLY",
        weeks=26,
    ),
    Spec(
        "webinaire-export-strasbourg",
        "totem-french-tech-alsace-la-serre-numerique",
        "Webinaire : exporter en Allemagne",
        "Les premières démarches pour vendre outre-Rhin.",
        11,
        "12:30",
        "13:30",
        capacity=200,
        mode="online",
        online_url="https://visio.essaim.localhost/export",
    ),
    # Tiers-lieux around France.
    Spec(
        "marche-producteurs-crest",
        "la-fabrique-de-la-vallee",
        "Marché des producteurs et makers",
        "Les producteurs de la vallée et les makers du lieu, chaque samedi matin.",
        8,
        "09:00",
        "12:30",
        weekday=SAT,
        capacity=200,
        repeat="WEEKLY",
        weeks=16,
    ),
    Spec(
        "initiation-impression-3d-aurillac",
        "le-buron-numerique",
        "Initiation à l'impression 3D",
        "Modéliser et imprimer sa première pièce.",
        13,
        "14:00",
        "17:00",
        capacity=8,
        price="10",
    ),
    Spec(
        "permanence-numerique-gueret",
        "la-bergerie-connectee",
        "Permanence numérique",
        "Aide aux démarches en ligne, sans rendez-vous.",
        6,
        "14:00",
        "17:00",
        weekday=WED,
        capacity=10,
        repeat="WEEKLY",
        weeks=12,
    ),
    Spec(
        "atelier-porcelaine-limoges",
        "la-porcelaine-partagee",
        "Atelier porcelaine et design",
        "Créer une pièce avec les artisans du lieu.",
        19,
        "10:00",
        "16:00",
        capacity=10,
        price="45",
    ),
    Spec(
        "conference-communs-albi",
        "le-cloitre-numerique",
        "Conférence : gouverner les communs",
        "Elinor Ostrom et les tiers-lieux, avec un chercheur de l'université.",
        21,
        "18:30",
        "20:30",
        capacity=60,
    ),
    Spec(
        "forum-emploi-roubaix",
        "la-manufacture-partagee",
        "Forum de l'emploi solidaire",
        "Rencontrer les structures de l'insertion et de l'ESS qui recrutent.",
        27,
        "10:00",
        "17:00",
        capacity=300,
    ),
    Spec(
        "soiree-jeux-saint-denis",
        "la-cite-des-faiseurs",
        "Soirée jeux coopératifs",
        "Des jeux de société où l'on gagne ensemble.",
        4,
        "19:00",
        "22:00",
        weekday=FRI,
        capacity=30,
    ),
    Spec(
        "atelier-velo-marseille",
        "la-friche-des-traverses",
        "Atelier vélo participatif",
        "Entretenir et réparer son vélo avec les bénévoles.",
        9,
        "10:00",
        "13:00",
        capacity=12,
    ),
    Spec(
        "fresque-du-climat-brest",
        "la-cale-des-communs",
        "Fresque du climat",
        "Trois heures pour comprendre le changement climatique, en équipe.",
        15,
        "14:00",
        "17:00",
        capacity=14,
        price="12",
        fill="nearly",
    ),
    Spec(
        "accueil-nouveaux-besancon",
        "le-moulin-partage",
        "Accueil des nouveaux membres",
        "Visite du lieu et présentation des projets résidents.",
        22,
        "18:00",
        "19:30",
        capacity=20,
    ),
    Spec(
        "atelier-couture-reunion",
        "la-kaz-des-possibles",
        "Atelier couture et upcycling",
        "Transformer des tissus de récupération en accessoires.",
        17,
        "09:00",
        "12:00",
        capacity=10,
    ),
    # Social business centres.
    Spec(
        "atelier-financement-participatif-dakar",
        "maison-teranga-dakar",
        "Atelier : le financement participatif",
        "Préparer une campagne de financement participatif pour son entreprise sociale.",
        12,
        "10:00",
        "13:00",
        capacity=25,
        price="5000",
        currency="XOF",
        english=("Workshop: crowdfunding", "Prepare a crowdfunding campaign for your social business."),
    ),
    Spec(
        "stammtisch-berlin",
        "werkhof-spree-berlin",
        "Social Innovation Stammtisch",
        "Rencontre hebdomadaire des entrepreneurs sociaux de Berlin (en anglais et en allemand).",
        8,
        "19:00",
        "21:00",
        weekday=THU,
        capacity=30,
        repeat="WEEKLY",
        weeks=14,
        english=("Social Innovation Stammtisch", "Berlin's social entrepreneurs meet every week."),
    ),
    Spec(
        "cinq-a-sept-montreal",
        "carrefour-solidaire-montreal",
        "5 à 7 de l'innovation sociale",
        "Le rendez-vous mensuel des entrepreneurs sociaux montréalais.",
        10,
        "17:00",
        "19:00",
        capacity=40,
        repeat="MONTHLY",
        weeks=26,
    ),
    Spec(
        "forum-economie-sociale-abidjan",
        "maison-akwaba-abidjan",
        "Forum de l'économie sociale et solidaire",
        "Coopératives, financeurs et collectivités se rencontrent.",
        35,
        "09:00",
        "16:00",
        capacity=150,
    ),
]

PROGRAMME = {
    "slug": "semaine-internationale-entrepreneuriat-social",
    "hub": "maison-teranga-dakar",
    "title": "Semaine internationale de l'entrepreneuriat social",
    "summary": "Trois villes, trois continents : financer, mesurer et essaimer l'impact.",
    "intro": "<p>Une semaine de sessions à Dakar, Lyon et Montréal, sur place ou en ligne. "
    "Inscrivez-vous à tout le programme ou session par session.</p>",
    "english": {
        "title": "International social entrepreneurship week",
        "summary": "Three cities, three continents: funding, measuring and spreading impact.",
        "intro": "<p>A week of sessions in Dakar, Lyon and Montréal, on site or online. "
        "Register for the whole programme or session by session.</p>",
    },
    "sessions": [
        # (venue, days from today, start, end, capacity, language, French title, English title)
        (
            "maison-teranga-dakar",
            24,
            "10:00",
            "13:00",
            60,
            "fr",
            "Ouverture : financer l'impact",
            "Opening: funding impact",
        ),
        (
            "la-ruche-des-pentes",
            26,
            "14:00",
            "17:00",
            25,
            "fr",
            "Atelier : mesurer son impact social",
            "Workshop: measuring social impact",
        ),
        (
            "carrefour-solidaire-montreal",
            28,
            "10:00",
            "12:00",
            40,
            "en",
            "Table ronde : essaimer d'un continent à l'autre",
            "Panel: spreading from one continent to another",
        ),
    ],
}


@dataclass
class EventsDemoReport:
    events: int = 0
    existing: int = 0
    programmes: int = 0
    registrations: int = 0
    waiting: int = 0
    translations: int = 0
    skipped: list[str] = field(default_factory=list)


def load_events_demo(*, now: datetime | None = None) -> EventsDemoReport:
    """Publish the demo agenda at the demo venues there are (others are skipped)."""
    now = now or timezone.now()
    report = EventsDemoReport()
    venues = {
        venue.slug: venue for venue in VenuePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).specific()
    }
    existing = set(
        EventPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).values_list("slug", flat=True)
    )
    english = Locale.objects.filter(language_code="en").first()
    people = _people()
    for spec in EVENTS:
        venue = venues.get(spec.venue)
        if venue is None:
            report.skipped.append(spec.slug)
            continue
        if spec.slug in existing:
            report.existing += 1
            continue
        with transaction.atomic():
            page = _create_event(spec, venue, now)
            if english is not None and spec.english:
                _translate_event(page, english, *spec.english)
                report.translations += 1
            registered, waiting = _fill(selectors.event_for_page(page), spec.fill, people, now)
        report.events += 1
        report.registrations += registered
        report.waiting += waiting
    if _load_programme(venues, english, people, now, report):
        report.programmes += 1
    return report


def _first_date(spec: Spec, today: date) -> date:
    day = today + timedelta(days=spec.days)
    if spec.weekday is not None:
        day += timedelta(days=(spec.weekday - day.weekday()) % 7)
    if spec.repeat == "MONTHLY" and day.day > 28:  # every month has the day
        day -= timedelta(days=day.day - 28)
    return day


def _nth_date(first: date, spec: Spec, n: int) -> date:
    if spec.repeat == "MONTHLY":
        month = first.month - 1 + n * spec.interval
        return first.replace(year=first.year + month // 12, month=month % 12 + 1)
    return first + timedelta(weeks=n * spec.interval)


def _create_event(spec: Spec, venue, now: datetime) -> EventPage:
    from zoneinfo import ZoneInfo

    today = now.astimezone(ZoneInfo(venue.timezone)).date()
    first = _first_date(spec, today)
    start, end = time.fromisoformat(spec.start), time.fromisoformat(spec.end)
    changes = []
    if spec.cancel is not None:
        changes.append({"original_date": _nth_date(first, spec, spec.cancel), "cancelled": True})
    if spec.move is not None:
        planned = _nth_date(first, spec, spec.move)
        changes.append(
            {
                "original_date": planned,
                "new_date": planned + timedelta(days=1),
                "new_start_time": time(start.hour - 1, start.minute),
                "new_end_time": time(end.hour - 1, end.minute),
            }
        )
    return event_page_create(
        venue=venue,
        changes=changes,
        title=spec.title,
        slug=spec.slug,
        summary=spec.summary,
        body=f"<p>{spec.summary}</p>",
        start_date=first,
        start_time=start,
        end_time=end,
        capacity=spec.capacity,
        price=Decimal(spec.price),
        currency=spec.currency,
        attendance_mode=spec.mode,
        online_url=spec.online_url,
        registration_closes_hours=2 if spec.price != "0" else 0,
        repeat=spec.repeat,
        repeat_interval=spec.interval,
        repeat_weekdays="",
        repeat_until=first + timedelta(weeks=spec.weeks) if spec.repeat and spec.weeks else None,
    )


def _translate_event(page: EventPage, locale: Locale, title: str, summary: str) -> None:
    """The English page (its venue's English page first, if the demo did not translate it)."""
    if page.get_translation_or_none(locale) is not None:
        return
    translation = page.copy_for_translation(locale, copy_parents=True).specific
    translation.title, translation.summary, translation.body = title, summary, f"<p>{summary}</p>"
    translation.save_revision().publish()


# Registrations ----------------------------------------------------------------------------------


def _people() -> list:
    """Demo people who register: ``demo.bookings``'s bookers (they cannot log in), in a stable order."""

    User = get_user_model()
    return list(
        User.objects.filter(email__endswith="@essaim.localhost")
        .exclude(username__in=list(ACCOUNTS))
        .order_by("username")[:120]
    )


def _fill(event: Event | None, how: str, people: list, now: datetime) -> tuple[int, int]:
    """Seats taken at the first dates: most of them with one left ("nearly"), every one and a
    waitlist ("full"), or a few (the rest). Returns (registrations, people waiting)."""
    if event is None or not people:
        return 0, 0
    dates = [o for o in selectors.upcoming(event, now=now, limit=4) if not o.cancelled]
    entrepreneur = get_user_model().objects.filter(username=ENTREPRENEUR).first()
    offset = event.pk * 7 % len(people)
    crowd = people[offset:] + people[:offset]
    plan: list[tuple] = []
    waiting: list[tuple] = []
    for index, occurrence in enumerate(dates):
        if how == "full" and index == 0:
            plan += [(occurrence, person) for person in crowd[: event.capacity]]
            queue = ([entrepreneur] if entrepreneur else []) + crowd[event.capacity : event.capacity + 2]
            waiting += [(occurrence, person) for person in queue]
        elif how == "nearly" and index < 2:
            group = crowd[index : index + event.capacity - 1]
            if index == 1 and entrepreneur is not None:  # "My bookings" of the demo account shows it
                group = group[:-1] + [entrepreneur]
            plan += [(occurrence, person) for person in group]
        else:
            count = min(event.capacity - 1, (event.pk + index) % 5 + 1)
            plan += [(occurrence, person) for person in crowd[index * 3 : index * 3 + count]]
    _write_registrations(event, plan, now)
    for occurrence, person in waiting:  # one by one: their order is the queue's
        WaitlistEntry.objects.create(
            event=event, recurrence_id=occurrence.recurrence_id.astimezone(UTC), user=person, language="fr"
        )
    return len(plan), len(waiting)


def _write_registrations(event: Event, plan: list[tuple], now: datetime) -> None:
    """Confirmed seats, one a person, with the booking's audit entry and its registration."""
    if not plan:
        return
    paid = event.price_minor > 0
    bookings = Booking.objects.bulk_create(
        [
            Booking(
                reference=new_reference(),
                resource_id=event.seats_id,
                user=person,
                start=occurrence.start.astimezone(UTC),
                end=occurrence.end.astimezone(UTC),
                blocked_until=occurrence.end.astimezone(UTC),
                quantity=1,
                exclusive=False,
                status=BookingStatus.CONFIRMED,
                amount_minor=event.price_minor,
                currency=event.currency,
                payment_state=PaymentState.DUE_AT_VENUE if paid else PaymentState.NONE,
                language="fr",
            )
            for occurrence, person in plan
        ]
    )
    if any(booking.pk is None for booking in bookings):  # a database that returns no ids
        references = [booking.reference for booking in bookings]
        by_reference = {b.reference: b for b in Booking.objects.filter(reference__in=references)}
        bookings = [by_reference[reference] for reference in references]
    BookingTransition.objects.bulk_create(
        [
            BookingTransition(
                booking=booking,
                from_status="",
                to_status=BookingStatus.CONFIRMED,
                actor=booking.user,
                at=booking.created_at,
            )
            for booking in bookings
        ]
    )
    Registration.objects.bulk_create(
        [
            Registration(booking=booking, event=event, recurrence_id=occurrence.recurrence_id.astimezone(UTC))
            for booking, (occurrence, _person) in zip(bookings, plan, strict=True)
        ]
    )


# The programme ----------------------------------------------------------------------------------


def _load_programme(venues: dict, english, people: list, now: datetime, report: EventsDemoReport) -> bool:
    spec = PROGRAMME
    hub = venues.get(spec["hub"])
    sessions = [row for row in spec["sessions"] if row[0] in venues]
    if hub is None or len(sessions) < len(spec["sessions"]):
        report.skipped.append(spec["slug"])
        return False
    if ProgrammePage.objects.filter(slug=spec["slug"], locale__language_code=settings.LANGUAGE_CODE).exists():
        report.existing += 1
        return False
    from zoneinfo import ZoneInfo

    with transaction.atomic():
        programme = programme_page_create(
            hub=hub,
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            intro=spec["intro"],
            registration_mode="either",
            sessions=[
                {
                    "venue": venues[slug],
                    "title": title_fr,
                    "start_date": now.astimezone(ZoneInfo(venues[slug].timezone)).date() + timedelta(days=days),
                    "start_time": time.fromisoformat(start),
                    "end_time": time.fromisoformat(end),
                    "capacity": capacity,
                    "language": language,
                    "attendance_mode": "mixed",
                    "online_url": f"https://visio.essaim.localhost/semaine-{index + 1}",
                }
                for index, (slug, days, start, end, capacity, language, title_fr, _title_en) in enumerate(sessions)
            ],
        )
        if english is not None:
            _localize_programme(programme, english, spec["english"], [row[7] for row in sessions])
            report.translations += 1
        for index, event in enumerate(selectors.programme_sessions(programme)):
            occurrence = selectors.upcoming(event, now=now, limit=1)
            count = event.capacity - 1 if index == 1 else 6  # Lyon's workshop is nearly full
            plan = [(occurrence[0], person) for person in people[index * 5 : index * 5 + count]] if occurrence else []
            _write_registrations(event, plan, now)
            report.registrations += len(plan)
    return True


def _localize_programme(programme: ProgrammePage, locale: Locale, texts: dict, session_titles: list[str]) -> None:
    """Translate with wagtail-localize, as an editor would in its editor: the page's and the
    sessions' strings are stored as translations, so a later sync keeps them."""
    from wagtail_localize.models import StringSegment, StringTranslation, TranslationSource

    source, _created = TranslationSource.get_or_create_from_instance(programme)
    wanted = {
        programme.title: texts["title"],
        programme.summary: texts["summary"],
        _plain(programme.intro): _plain(texts["intro"]),
    }
    # A session's strings sit under ``sessions.<its translation_key>``.
    by_path = {
        f"sessions.{session.translation_key}.title": title
        for session, title in zip(programme.sessions.all(), session_titles, strict=False)
    }
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        text = by_path.get(segment.context.path) or wanted.get(segment.string.data)
        if text:
            StringTranslation.from_text(segment.string, locale, segment.context, text)
    source.create_or_update_translation(locale, copy_parent_pages=True, publish=False, fallback=True)
    translation = ProgrammePage.objects.get(translation_key=programme.translation_key, locale=locale)
    translation.title, translation.summary, translation.intro = texts["title"], texts["summary"], texts["intro"]
    translation.slug = "international-social-entrepreneurship-week"
    translation.save_revision().publish()


def _plain(html: str) -> str:
    """wagtail-localize stores a rich text paragraph's text without its ``<p>``."""
    return html.removeprefix("<p>").removesuffix("</p>")


def demo_pages() -> list[Page]:
    """The demo's event and programme pages that exist (French)."""
    slugs = [spec.slug for spec in EVENTS] + [PROGRAMME["slug"]]
    return list(Page.objects.filter(slug__in=slugs, locale__language_code=settings.LANGUAGE_CODE))
