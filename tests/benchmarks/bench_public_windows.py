"""Each public feed at its default parameters and at the worst ones we could find (issue 12, item 1).

Over ``bench_event_feed``'s schedule (500 venues, 10,000 events, a fifth weekly), plus a
programme holding a thousand of those events as sessions and a room with a hundred bookings by
one person. Every request is cold (rendered feeds and VTIMEZONE caches cleared) unless it says
warm. For each feed: the default request's median, each worst candidate's median, and the ratio of
the worst to the default (the issue's target: at most 2×).

The candidates: the widest window the feed accepts, one bound far away and the other missing
(``end`` alone two years ahead, ``start=1900-01-01``, ``end=2999-12-31``), out-of-range dates
(``end=9000-01-01``: 27 s and 4.4 MB before the fix), another language, unknown parameters, and a
new ``end`` value per request once a rendering is cached (what a cache-busting client does).

Run with ``make bench`` (or ``.venv/bin/python -m pytest tests/benchmarks/bench_public_windows.py
-m benchmark -s -p no:randomly``); set ``DATABASE_URL`` for PostgreSQL. Asserts answers (status,
a calendar that parses), never timings.
"""

import statistics
import time
from datetime import date, datetime, timedelta
from datetime import time as clock

import icalendar
import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bookings.services import calendar_feed_ensure
from events.models import Event
from events.services import programme_page_create
from tests.benchmarks.bench_event_feed import _cold_caches, schedule  # noqa: F401  (a fixture)
from tests.benchmarks.support import db_label, print_table
from tests.support.factories import BookingFactory, ResourceFactory, UserFactory, VenueFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

ROUNDS = 5
TARGET_RATIO = 2.0


@pytest.fixture(scope="module")
def extras(schedule, django_db_setup, django_db_blocker):  # noqa: F811  (the imported fixture)
    """A programme of 1,000 sessions, a room with 100 bookings by one person, and that person's feed secret."""
    with django_db_blocker.unblock(), transaction.atomic():
        hub = VenueFactory(kind="social_business_center", title="SBC Dakar", slug="sbc-dakar", timezone="Africa/Dakar")
        day = date.today() + timedelta(days=20)
        session = {"start_time": clock(10), "end_time": clock(12), "capacity": 20, "venue": hub}
        programme = programme_page_create(
            hub=hub,
            title="Programme international",
            slug="programme-international",
            sessions=[{"title": f"Session {n}", "start_date": day + timedelta(days=n), **session} for n in range(3)],
        )
        ids = list(Event.objects.filter(programme=None).order_by("pk").values_list("pk", flat=True)[:1000])
        Event.objects.filter(pk__in=ids).update(programme=programme)
        room = ResourceFactory(venue=VenueFactory(title="La Ruche", slug="la-ruche-bench"), horizon_days=365)
        person = UserFactory()
        monday = date.today() + timedelta(days=7 - date.today().weekday())
        for week in range(50):
            for weekday in (1, 3):  # Tuesdays and Thursdays, 10:00 in Paris
                start = timezone.make_aware(datetime.combine(monday + timedelta(weeks=week, days=weekday), clock(10)))
                BookingFactory(user=person, resource=room, start=start, end=start + timedelta(hours=1))
        secret = calendar_feed_ensure(user=person).secret
        venue_slug = Event.objects.filter(programme=None).values_list("venue__slug", flat=True).first()
        yield {"programme": programme.slug, "room": room.pk, "secret": secret, "venue": venue_slug}
        transaction.set_rollback(True)


def _time(client, url: str, *, cold: bool = True, rounds: int = ROUNDS) -> tuple[float, int, int]:
    """Median milliseconds, status and size of ``rounds`` requests for ``url``."""
    samples, status, size = [], 0, 0
    for _round in range(rounds):
        if cold:
            _cold_caches()
        began = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - began) * 1000)
        status, size = response.status_code, len(response.content)
        if status == 200:
            icalendar.Calendar.from_ical(response.content)  # a calendar, not an error page
    return statistics.median(samples), status, size


def _new_end_each_time(client, url: str) -> tuple[float, int, int]:
    """A rendering cached, then a new ``end`` per request (each would have missed the cache)."""
    today = date.today()
    client.get(url)
    samples, status, size = [], 0, 0
    for n in range(ROUNDS):
        began = time.perf_counter()
        response = client.get(f"{url}?end={(today + timedelta(days=500 + n)).isoformat()}")
        samples.append((time.perf_counter() - began) * 1000)
        status, size = response.status_code, len(response.content)
    return statistics.median(samples), status, size


def test_every_public_feed_at_its_worst_parameters(client, schedule, extras):  # noqa: F811
    today = date.today()
    first = today - timedelta(days=30)
    widest = f"start={first.isoformat()}&end={(first + timedelta(days=732)).isoformat()}"
    feeds = {
        "events": (
            reverse("feeds:events"),
            {
                "widest window (2 years)": f"?{widest}",
                "widest window, lang=en": f"?{widest}&lang=en",
                "end alone, 2 years ahead": f"?end={(today + timedelta(days=730)).isoformat()}",
                "start=1900-01-01 alone": "?start=1900-01-01",
                "end=2999-12-31 alone": "?end=2999-12-31",
                "end=9000-01-01 (the issue's)": "?end=9000-01-01",
                "start=0001-01-01": "?start=0001-01-01",
                "unknown parameters": "?x=1&y=2&start=",
                "new end per request (warm)": "new-end",
            },
        ),
        "venue": (reverse("feeds:venue", kwargs={"slug": extras["venue"]}), {"lang=en": "?lang=en"}),
        "programme (1,003 sessions)": (
            reverse("feeds:programme", kwargs={"slug": extras["programme"]}),
            {"lang=en": "?lang=en"},
        ),
        "resource (100 bookings)": (
            reverse("feeds:resource", kwargs={"pk": extras["room"]}),
            {"lang=en": "?lang=en", "unknown parameters": "?start=0001-01-01&end=9999-12-31"},
        ),
        "me (100 bookings)": (
            reverse("feeds:me", kwargs={"secret": extras["secret"]}),
            {"unknown parameters": "?start=0001-01-01&end=9999-12-31"},
        ),
    }
    rows, worst_ratio = [], 0.0
    for feed, (url, candidates) in feeds.items():
        default_ms, status, size = _time(client, url)
        assert status == 200
        rows.append([feed, "default", default_ms, status, size / 1e3, 1.0])
        for label, query in candidates.items():
            if query == "new-end":
                ms, status, size = _new_end_each_time(client, url)
            else:
                ms, status, size = _time(client, url + query)
            assert status in (200, 400), (url + query, status)
            ratio = ms / default_ms
            worst_ratio = max(worst_ratio, ratio)
            rows.append([feed, label, ms, status, size / 1e3, ratio])
    cache.clear()
    print_table(
        f"Public feeds: default vs worst parameters ({db_label()}, medians of {ROUNDS} cold requests)",
        ["feed", "parameters", "median ms", "status", "kB", "× default"],
        rows,
        note=f"worst ratio {worst_ratio:.2f}× (target ≤ {TARGET_RATIO:.0f}×: "
        f"{'met' if worst_ratio <= TARGET_RATIO else 'NOT met'})",
    )
