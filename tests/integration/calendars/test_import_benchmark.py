"""Figures for the note: a 2,000-event calendar (a third of them weekly series) imported over a
365-day horizon, then the same calendar again (re-stamped, as Google does): no block written.
Figures only (``make bench``): the parse (``calendars.parsing``, another module's work) dominates,
and on a loaded machine any bound in seconds would be a coin toss; the time outside the parse is
printed apart."""

import time
from datetime import timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendars import parsing, services
from calendars.models import Outcome
from tests.integration.calendars.conftest import days_ahead
from tests.support.calendar_server import ics, vevent

pytestmark = [pytest.mark.django_db, pytest.mark.benchmark]


def test_a_2000_event_calendar_import_and_its_unchanged_reimport(
    calendar_server, attach, make_resource, capsys, monkeypatch
):
    parse_times = []
    real_parse = parsing.parse

    def timed_parse(*args, **kwargs):
        began = time.perf_counter()
        try:
            return real_parse(*args, **kwargs)
        finally:
            parse_times.append(time.perf_counter() - began)

    monkeypatch.setattr(parsing, "parse", timed_parse)
    room = make_resource(horizon_days=365)
    stamps = count()
    start = days_ahead(1)

    def body():
        stamp = f"20260101T{next(stamps) % 24:02d}0000Z"
        events = []
        for n in range(2000):
            at = start + timedelta(days=n % 360, hours=n % 8)
            rule = "RRULE:FREQ=WEEKLY;COUNT=4\r\n" if n % 3 == 0 else ""
            events.append(vevent(f"ev{n}@example.org", at, stamp=stamp, extra=rule))
        return ics(*events)

    calendar_server.publish("/big.ics", body, dialect="google")
    calendar = attach("/big.ics", resource=room)
    began = time.perf_counter()
    result = services.calendar_fetch(calendar)
    first = time.perf_counter() - began
    assert result.outcome == Outcome.IMPORTED, result.error
    began = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        again = services.calendar_fetch(calendar)
    second = time.perf_counter() - began
    assert again.outcome == Outcome.UNCHANGED
    assert not [q for q in queries if "bookings_busyblock" in q["sql"] and not q["sql"].startswith("SELECT")]
    with capsys.disabled():
        print(
            f"\n2,000 events, {result.created} blocks: import {first:.2f} s (parse {parse_times[0]:.2f} s), "
            f"re-import without a write {second:.2f} s (parse {parse_times[1]:.2f} s)"
        )
