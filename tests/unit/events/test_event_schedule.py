"""Property tests: what ``event_sync`` publishes (``services._schedule_of``) reads back through the
selectors as the manager entered it — every date found again by its RECURRENCE-ID, changes applied,
cancelled dates flagged, and ``last_end`` (what window queries filter on) never before a date's end."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from events import selectors
from events.models import Event
from events.services import schedule as services

ZONES = ["Europe/Paris", "America/Montreal", "Africa/Dakar", "Australia/Sydney"]
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


@dataclass
class Dates:
    start_date: date
    start_time: time
    end_time: time
    end_date: date | None = None

    def local_bounds(self):
        return datetime.combine(self.start_date, self.start_time), datetime.combine(
            self.end_date or self.start_date, self.end_time
        )


@dataclass
class Change:
    original_date: date
    cancelled: bool = False
    new_date: date | None = None
    new_start_time: time | None = None
    new_end_time: time | None = None


@st.composite
def schedules(draw):
    zone = draw(st.sampled_from(ZONES))
    day = draw(st.dates(min_value=date(2026, 12, 1), max_value=date(2027, 6, 30)))
    hour = draw(st.integers(min_value=7, max_value=19))
    minutes = draw(st.sampled_from([0, 30]))
    length = draw(st.sampled_from([30, 60, 90, 120, 180]))
    start = datetime.combine(day, time(hour, minutes))
    dates = Dates(day, start.time(), (start + timedelta(minutes=length)).time())
    frequency = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]))
    rule = f"FREQ={frequency};INTERVAL={draw(st.integers(min_value=1, max_value=3))}"
    if draw(st.booleans()):
        rule += f";COUNT={draw(st.integers(min_value=1, max_value=40))}"
    return zone, dates, rule


@settings(max_examples=40, deadline=None)
@given(schedules(), st.data())
def test_published_schedule_reads_back(schedule, data):
    zone, dates, rule = schedule
    tz = ZoneInfo(zone)
    plain = services._schedule_of(dates, tz, rule, [], NOW)
    event = Event(timezone=zone, capacity=10, **plain)
    every = selectors.occurrences(
        event, start=plain["start"] - timedelta(days=1), end=plain["last_end"] + timedelta(days=1), now=NOW
    )
    assert every and every[0].start.astimezone(UTC) == plain["start"]
    picked = data.draw(st.lists(st.sampled_from(every), max_size=4, unique_by=lambda o: o.recurrence_id))
    changes, moved = [], {}
    for occurrence in picked:
        local = occurrence.recurrence_id.astimezone(tz)
        if data.draw(st.booleans()):
            changes.append(Change(local.date(), cancelled=True))
        else:
            new_day = local.date() + timedelta(days=data.draw(st.integers(min_value=-1, max_value=2)))
            changes.append(Change(local.date(), new_date=new_day, new_start_time=time(21, 0), new_end_time=time(22, 0)))
            moved[occurrence.recurrence_id.astimezone(UTC)] = datetime.combine(new_day, time(21, 0))
    published = services._schedule_of(dates, tz, rule, changes, NOW, strict=True)
    event = Event(timezone=zone, capacity=10, **published)
    window = (published["start"] - timedelta(days=3), published["last_end"] + timedelta(days=3))
    found = selectors.occurrences(event, start=window[0], end=window[1], now=NOW)
    assert {o.recurrence_id for o in found} == {o.recurrence_id for o in every}
    for occurrence in found:
        key = occurrence.recurrence_id.astimezone(UTC)
        assert occurrence.end.astimezone(UTC) <= published["last_end"]
        again = selectors.occurrence_get(event, occurrence.recurrence_id, now=NOW)
        assert again == occurrence
        if key in moved:
            assert occurrence.start.astimezone(tz).replace(tzinfo=None) == moved[key]
            assert occurrence.changed and not occurrence.cancelled
    cancelled = {o.recurrence_id.astimezone(UTC) for o in found if o.cancelled}
    expected = {o.recurrence_id.astimezone(UTC) for o, c in zip(picked, changes, strict=True) if c.cancelled}
    assert cancelled == expected
