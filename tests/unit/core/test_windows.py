"""``core.windows``: sane years and a bounded span whichever bound is given (no database)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import ical_writer, ical_zones, windows
from core.ical_writer import FeedEvent

LIMITS = windows.limits(max_days=366, default_days=30)
TODAY = date(2026, 3, 2)
DEFAULTS = {"default_start": TODAY, "default_end": TODAY + timedelta(days=30), "limits": LIMITS}


@pytest.mark.parametrize("text", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
def test_days_out_of_range_are_refused_with_the_range(text):
    with pytest.raises(windows.WindowError) as error:
        windows.parse_day(text, "start")
    assert error.value.code == "out_of_range" and "start" in error.value.message and "1900-01-01" in error.value.message


@pytest.mark.parametrize("text", ["tomorrow", "2026-02-30", "2026-3-1", "20260301"])
def test_unreadable_days_are_refused(text):
    with pytest.raises(windows.WindowError) as error:
        windows.parse_day(text, "day")
    assert error.value.code == "invalid_date"


def test_months():
    assert windows.parse_month("2026-12") == date(2026, 12, 1)
    assert windows.parse_month("") is None
    for text, code in (("9999-12", "out_of_range"), ("0000-01", "invalid_date"), ("2026-13", "invalid_date")):
        with pytest.raises(windows.WindowError) as error:
            windows.parse_month(text)
        assert error.value.code == code


def test_defaults_when_nothing_is_given():
    assert windows.bounded(None, None, **DEFAULTS) == (TODAY, TODAY + timedelta(days=30))


def test_one_bound_far_away_gives_a_window_of_at_most_the_longest_span():
    far = date(2999, 1, 1)
    assert windows.bounded(None, far, **DEFAULTS) == (far - timedelta(days=366), far)
    assert windows.bounded(date(1900, 1, 1), None, **DEFAULTS) == (date(1900, 1, 1), date(1901, 1, 2))
    # A default on the wrong side of the given bound lies the default span away from it.
    assert windows.bounded(None, date(2020, 1, 31), **DEFAULTS) == (date(2020, 1, 1), date(2020, 1, 31))
    assert windows.bounded(date(2030, 1, 1), None, **DEFAULTS) == (date(2030, 1, 1), date(2030, 1, 31))


def test_two_bounds_out_of_order_or_too_far_apart_are_refused():
    with pytest.raises(windows.WindowError) as error:
        windows.bounded(date(2026, 3, 5), date(2026, 3, 1), **DEFAULTS)
    assert error.value.code == "end_before_start"
    with pytest.raises(windows.WindowError) as error:
        windows.bounded(date(2026, 1, 1), date(2027, 6, 1), **DEFAULTS)
    assert error.value.code == "window_too_long" and "366" in error.value.message


days = st.one_of(st.none(), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))


@given(start=days, end=days)
def test_any_window_is_refused_or_bounded(start, end):
    try:
        first, last = windows.bounded(start, end, **DEFAULTS)
    except windows.WindowError:
        return
    assert first <= last and last - first <= LIMITS.max_span
    assert first.year >= windows.FIRST_YEAR - 1 and last.year <= windows.LAST_YEAR + 1


def test_instants_work_the_same():
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    start, end = windows.bounded(
        None, datetime(2999, 1, 1, tzinfo=UTC), default_start=now, default_end=now + timedelta(days=90), limits=LIMITS
    )
    assert end - start == timedelta(days=366)


# The calendar's time zones cover the years its events use -------------------------------------


def event(start: datetime, *, rule: str = "") -> FeedEvent:
    return FeedEvent(
        uid="x", sequence=0, summary="s", start=start, end=start + timedelta(hours=2), tz="Europe/Paris", stamp=start,
        rule=rule,
    )  # fmt: skip


def test_years_of_written_times_and_of_a_series_span():
    start = datetime(2026, 6, 1, 16, tzinfo=UTC)
    assert ical_zones.years_of([start]) == (2026,)
    assert ical_zones.years_of([datetime(2026, 12, 31, 20, tzinfo=UTC)]) == (2026, 2027)
    assert ical_zones.years_of([start], [(start, datetime(2028, 3, 1, tzinfo=UTC))]) == (2026, 2027, 2028)
    assert ical_zones.years_of([datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)]) == (1, 9999)


def test_a_calendar_with_years_apart_describes_only_those_years():
    near, far = datetime(2026, 6, 1, 16, tzinfo=UTC), datetime(2990, 6, 1, 16, tzinfo=UTC)
    text = ical_writer.calendar([event(near), event(far)], name="n", years=ical_zones.years_of([near, far]))
    starts = [line for line in text.split("\r\n") if line.startswith("DTSTART:")]
    assert {line[8:12] for line in starts} == {"2026", "2990"}
    assert len(starts) == 2 * 3  # each year: its 1 January, the spring and the autumn change
    comment = "COMMENT:Offsets from 2026-01-01 to 2027-01-01, from 2990-01-01 to 2991-01-01."
    assert comment in text.replace("\r\n ", "")


def test_the_years_given_as_a_range_write_what_they_always_wrote():
    start = datetime(2026, 6, 1, 16, tzinfo=UTC)
    assert ical_writer.calendar([event(start)], name="n", first_year=2026, last_year=2027) == ical_writer.calendar(
        [event(start)], name="n", years=(2026, 2027)
    )
