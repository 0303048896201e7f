"""Writing an events feed of 10,000 events, a fifth of them recurring: the lean writer
(``events.ical_writer``) against icalendar building the same calendar, in the same run.

Run with ``make bench``. Pure Python, no database: it measures serialisation only (issue 5's
feed adds the query and the view). Each round is cold: the writer's VTIMEZONE cache is cleared.
Asserts that both texts parse to the same events, never timings.
"""

import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from events import ical_writer
from events.ical_writer import FeedEvent
from tests.benchmarks.support import load_average, print_table

pytestmark = [pytest.mark.benchmark]

N = 10_000
ROUNDS = 7
ZONES = ["Europe/Paris", "America/Montreal", "Africa/Dakar", "Indian/Reunion", "Africa/Casablanca"]


def _events() -> list[FeedEvent]:
    rng = random.Random(5)
    stamp = datetime(2026, 11, 1, tzinfo=UTC)
    out = []
    for n in range(N):
        tz = ZoneInfo(rng.choice(ZONES))
        start = datetime(2026, 12, 1, 9, 0, tzinfo=tz) + timedelta(
            days=rng.randint(0, 180), minutes=30 * rng.randint(0, 20)
        )
        recurring = n % 5 == 0
        out.append(
            FeedEvent(
                uid=f"event-{n}@essaim.test",
                sequence=rng.randint(0, 4),
                summary=f"Atelier n°{n} : pitch, financement; réseau",
                description="Une soirée pour présenter son projet.\nInscription sur le site, places limitées." * 2,
                location=f"Tiers-lieu {n % 700}, 12 rue de la République, Lyon",
                url=f"https://essaim.test/fr/evenements/{n}/",
                start=start,
                end=start + timedelta(hours=2),
                tz=tz.key,
                stamp=stamp,
                rule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20270630T220000Z" if recurring else "",
                exdates=(start + timedelta(days=14),) if recurring else (),
                categories=("atelier",),
            )
        )
    return out


def _with_icalendar(events: list[FeedEvent]) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", ical_writer.PRODID)
    cal.add("version", "2.0")
    for tz in sorted({e.tz for e in events}):
        cal.add_component(
            icalendar.Timezone.from_tzid(
                tz, first_date=datetime(2026, 1, 1).date(), last_date=datetime(2028, 1, 1).date()
            )
        )
    for e in events:
        ev = icalendar.Event()
        ev.add("uid", e.uid)
        ev.add("dtstamp", e.stamp)
        ev.add("sequence", e.sequence)
        ev.add("dtstart", e.start)
        ev.add("dtend", e.end)
        ev.add("summary", e.summary)
        ev.add("status", e.status)
        if e.rule:
            ev.add("rrule", icalendar.vRecur.from_ical(e.rule))
        for x in e.exdates:
            ev.add("exdate", x)
        ev.add("description", e.description)
        ev.add("location", e.location)
        ev.add("url", e.url)
        ev.add("categories", list(e.categories))
        cal.add_component(ev)
    return cal.to_ical()


def _time(fn) -> list[float]:
    samples = []
    for _ in range(ROUNDS):
        ical_writer.vtimezone.cache_clear()
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def test_feed_of_ten_thousand_events():
    events = _events()
    ours = _time(lambda: ical_writer.calendar(events, name="Essaim", first_year=2026, last_year=2027))
    theirs = _time(lambda: _with_icalendar(events))
    text = ical_writer.calendar(events, name="Essaim", first_year=2026, last_year=2027)
    parsed = icalendar.Calendar.from_ical(text)
    reference = icalendar.Calendar.from_ical(_with_icalendar(events))
    ours_events = [(str(e["UID"]), e["DTSTART"].dt, str(e["SUMMARY"])) for e in parsed.walk("VEVENT")]
    their_events = [(str(e["UID"]), e["DTSTART"].dt, str(e["SUMMARY"])) for e in reference.walk("VEVENT")]
    assert ours_events == their_events and len(ours_events) == N
    mine, other = statistics.median(ours), statistics.median(theirs)
    print_table(
        f"Events feed, {N:,} events (a fifth recurring), cold — load {load_average()}",
        ["writer", "median ms", "min ms", "max ms", "MB"],
        [
            ["events.ical_writer", mine, min(ours), max(ours), len(text.encode()) / 1e6],
            ["icalendar objects + to_ical", other, min(theirs), max(theirs), len(_with_icalendar(events)) / 1e6],
        ],
        note=f"icalendar / ours = {other / mine:.1f}×",
    )
