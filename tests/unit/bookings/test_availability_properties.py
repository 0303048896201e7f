"""Property tests of the availability core, checked against brute force on a 15-minute grid.

- No free interval ever overbooks: taking its ``remaining`` units anywhere inside it keeps the
  load within capacity at every instant.
- Booking any returned slot succeeds when nothing else happened in between, and a run of such
  bookings never overbooks.
- Nothing free is hidden: every open instant below capacity lies in a returned interval.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bookings import availability as av

BASE = datetime(2026, 3, 27, tzinfo=UTC)  # spans the Paris DST change of 29 March
STEP = 15
HORIZON = 4 * 24 * 60 // STEP  # four days of 15-minute steps
ZONES = [ZoneInfo(name) for name in ("Europe/Paris", "America/Montreal", "Africa/Dakar", "Asia/Tokyo")]


def at(step: int) -> datetime:
    return BASE + timedelta(minutes=STEP * step)


occupations = st.lists(
    st.tuples(st.integers(0, HORIZON - 1), st.integers(1, 24), st.integers(1, 3)).map(
        lambda t: av.Occupation(at(t[0]), at(min(t[0] + t[1], HORIZON)), t[2])
    ),
    max_size=25,
)
hours = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 22), st.integers(1, 8)).map(
        lambda t: av.WeeklyHours(t[0], time(t[1]), time(min(t[1] + t[2], 23), 30 if t[1] + t[2] > 23 else 0))
    ),
    min_size=1,
    max_size=10,
)


def load_at(instant: datetime, booked: list[av.Occupation]) -> int:
    return sum(o.quantity for o in booked if o.start <= instant < o.end)


def open_at(instant: datetime, spans: list[av.Interval]) -> bool:
    return any(span.start <= instant < span.end for span in spans)


def grid(interval: av.Interval):
    instant = interval.start
    while instant < interval.end:
        yield instant
        instant += timedelta(minutes=STEP)


@settings(max_examples=150, deadline=None)
@given(hours=hours, booked=occupations, capacity=st.integers(1, 6), zone=st.sampled_from(ZONES))
def test_free_intervals_never_overbook_and_hide_nothing(hours, booked, capacity, zone):
    window = av.Interval(at(0), at(HORIZON))
    spans = av.opening_intervals(hours, [], zone, window)
    free = av.free_intervals(spans, booked, capacity)
    for interval in free:
        assert interval.start < interval.end and interval.remaining > 0
        for instant in grid(interval):
            assert open_at(instant, spans)
            assert load_at(instant, booked) + interval.remaining <= capacity
    for instant in grid(window):
        if open_at(instant, spans) and load_at(instant, booked) < capacity:
            assert any(f.start <= instant < f.end and f.remaining == capacity - load_at(instant, booked) for f in free)


@settings(max_examples=150, deadline=None)
@given(
    booked=occupations,
    capacity=st.integers(1, 6),
    picks=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(1, 8)), max_size=12),
)
def test_booking_returned_slots_succeeds_and_never_overbooks(booked, capacity, picks):
    spans = [av.Interval(at(0), at(HORIZON))]
    booked = [o for o in booked if load_at(o.start, booked) <= capacity]  # start from a consistent state
    booked = [o for o in booked if all(load_at(i, booked) <= capacity for i in grid(av.Interval(o.start, o.end)))]
    rules = av.Rules(capacity=capacity, exclusive=False)
    for pick, offset, length in picks:
        free = av.free_intervals(spans, booked, capacity)
        if not free:
            break
        chosen = free[pick % len(free)]
        steps = int((chosen.end - chosen.start).total_seconds() // 60 // STEP)
        first = offset % steps
        last = min(steps, first + 1 + length % steps)
        request = av.Interval(
            chosen.start + timedelta(minutes=STEP * first), chosen.start + timedelta(minutes=STEP * last)
        )
        quantity = 1 + offset % chosen.remaining
        av.check_capacity(request, quantity, booked, rules)  # must not raise
        booked.append(av.Occupation(request.start, request.end, quantity))
        for instant in grid(request):
            assert load_at(instant, booked) <= capacity


@settings(max_examples=100, deadline=None)
@given(
    booked=occupations,
    start=st.integers(0, HORIZON - 2),
    length=st.integers(1, 16),
    quantity=st.integers(1, 4),
    capacity=st.integers(1, 6),
)
def test_capacity_check_agrees_with_brute_force(booked, start, length, quantity, capacity):
    request = av.Interval(at(start), at(min(start + length, HORIZON)))
    peak = max(load_at(instant, booked) for instant in grid(request))
    fits = peak + quantity <= capacity
    try:
        av.check_capacity(request, quantity, booked, av.Rules(capacity=capacity, exclusive=False))
    except av.RuleViolation as error:
        assert not fits and error.code == "no_room"
    else:
        assert fits


@settings(max_examples=100, deadline=None)
@given(day=st.dates(date(2024, 1, 1), date(2030, 12, 31)), zone=st.sampled_from(ZONES), hours=hours)
def test_opening_starts_at_the_wall_clock_time_in_every_zone(day, zone, hours):
    window = av.Interval(av.wall_clock(day, time(0), zone), av.wall_clock(day + timedelta(days=1), time(0), zone))
    for span in av.opening_intervals(hours, [], zone, window):
        local = span.start.astimezone(zone)
        assert local.date() == day
        candidates = {(row.opens.hour, row.opens.minute) for row in hours if row.weekday == day.weekday()}
        # A span starts at an opening time, or at midnight when it runs on from the day before.
        assert (local.hour, local.minute) in candidates or (local.hour, local.minute) == (0, 0) or local.fold
