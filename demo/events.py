"""The demo network's agenda: events over the coming months and an international programme.

Thirty-odd events at the demo venues (``data/events.json``), dated from the day of loading: a
third repeat (weekly or monthly; one has a cancelled date, one a moved date), some are paid (in
euros, one in CFA francs at Dakar), a few dates are nearly full and one is full with people on its
waitlist; a few are translated to English. La Ruche des Pentes (Lyon) is the demo manager's venue.
Dakar's hub publishes a programme across three venues (``demo.programmes``).

Pages go through ``events.services.event_page_create`` / ``programme_page_create`` (Wagtail's
revision and publish path, so the schedule and seats are the real ones); registrations are
written in bulk (``demo.registrations``).

Idempotent: an event or programme whose slug is already used at its venue is left alone, and
each is written whole or not at all (with its registrations), so a rerun adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page

from demo import dataset, registrations
from demo.programmes import PROGRAMME, load_programme, programme_spec  # noqa: F401 — PROGRAMME re-exported
from events import selectors
from events.models import EventPage
from events.services import event_page_create
from venues.models import VenuePage


@dataclass(frozen=True)
class Spec:
    """One demo event: where, what, when (days from today, moved to ``weekday`` if given, 0 Monday)."""

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
    english: dict[str, str] | None = None  # {"title", "summary"} in English
    mode: str = "offline"
    online_url: str = ""


def specs(data: dataset.DemoSet | None = None) -> list[Spec]:
    """The events of a demo data set (default: ``ESSAIM_DEMO``'s), from its ``events.json``."""
    return [Spec(**entry) for entry in (data or dataset.current()).read("events.json")]


#: The default network's events.
EVENTS = specs(dataset.by_name(""))


@dataclass
class EventsDemoReport:
    events: int = 0
    existing: int = 0
    programmes: int = 0
    registrations: int = 0
    waiting: int = 0
    translations: int = 0
    skipped: list[str] = field(default_factory=list)


def load_events_demo(*, now: datetime | None = None, data: dataset.DemoSet | None = None) -> EventsDemoReport:
    """Publish the demo agenda at the demo venues there are (others are skipped)."""
    data = data or dataset.current()
    now = now or timezone.now()
    report = EventsDemoReport()
    venues = {
        venue.slug: venue for venue in VenuePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).specific()
    }
    existing = set(
        EventPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).values_list("slug", flat=True)
    )
    english = Locale.objects.filter(language_code="en").first()
    people = registrations.demo_people()
    for spec in specs(data):
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
                _translate_event(page, english, spec.english["title"], spec.english["summary"])
                report.translations += 1
            registered, waiting = registrations.fill(selectors.event_for_page(page), spec.fill, people, now)
        report.events += 1
        report.registrations += registered
        report.waiting += waiting
    if load_programme(venues, english, people, now, report, spec=programme_spec(data)):
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


def demo_pages(data: dataset.DemoSet | None = None) -> list[Page]:
    """The demo's event and programme pages that exist (French)."""
    slugs = [spec.slug for spec in specs(data)] + [programme_spec(data)["slug"]]
    return list(Page.objects.filter(slug__in=slugs, locale__language_code=settings.LANGUAGE_CODE))
