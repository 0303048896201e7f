"""The pure availability core: opening hours across DST, closures, capacity, rules."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bookings import availability as av

PARIS = ZoneInfo("Europe/Paris")
DAKAR = ZoneInfo("Africa/Dakar")
MONTREAL = ZoneInfo("America/Montreal")
ALL_DAYS_9_18 = [av.WeeklyHours(d, time(9), time(18)) for d in range(7)]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def window_for(day: date, tz: ZoneInfo) -> av.Interval:
    return av.Interval(av.wall_clock(day, time(0), tz), av.wall_clock(day + timedelta(days=1), time(0), tz))


class TestOpening:
    def test_wall_clock_hours_follow_the_offset_across_dst(self):
        # 2026-03-29: Paris springs forward; 9:00 is 08:00 UTC the day before and 07:00 UTC that day.
        before = av.opening_intervals(ALL_DAYS_9_18, [], PARIS, window_for(date(2026, 3, 28), PARIS))
        after = av.opening_intervals(ALL_DAYS_9_18, [], PARIS, window_for(date(2026, 3, 29), PARIS))
        assert before == [av.Interval(utc(2026, 3, 28, 8), utc(2026, 3, 28, 17))]
        assert after == [av.Interval(utc(2026, 3, 29, 7), utc(2026, 3, 29, 16))]

    @pytest.mark.parametrize(("day", "hours"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25)])
    def test_round_the_clock_venue_has_23_and_25_hour_days(self, day, hours):
        always = [av.WeeklyHours(d, time(0), time(0)) for d in range(7)]
        spans = av.opening_intervals(always, [], PARIS, window_for(day, PARIS))
        assert sum(span.minutes for span in spans) == hours * 60

    def test_venue_outside_europe(self):
        spans = av.opening_intervals(ALL_DAYS_9_18, [], DAKAR, window_for(date(2026, 7, 1), DAKAR))
        assert spans == [av.Interval(utc(2026, 7, 1, 9), utc(2026, 7, 1, 18))]  # Dakar is UTC all year
        spans = av.opening_intervals(ALL_DAYS_9_18, [], MONTREAL, window_for(date(2026, 1, 15), MONTREAL))
        assert spans == [av.Interval(utc(2026, 1, 15, 14), utc(2026, 1, 15, 23))]

    def test_lunch_break_gives_two_spans_and_an_envelope_for_day_bookings(self):
        hours = [av.WeeklyHours(0, time(9), time(12, 30)), av.WeeklyHours(0, time(14), time(18))]
        window = window_for(date(2026, 6, 1), PARIS)  # a Monday
        assert len(av.opening_intervals(hours, [], PARIS, window)) == 2
        assert av.opening_intervals(hours, [], PARIS, window, envelope=True) == [
            av.Interval(utc(2026, 6, 1, 7), utc(2026, 6, 1, 16))
        ]

    def test_closures_single_range_and_yearly_across_new_year(self):
        window = av.Interval(utc(2026, 12, 20), utc(2027, 1, 6))
        christmas = av.ClosureDays(date(2020, 12, 24), date(2021, 1, 2), yearly=True)
        days = {
            span.start.astimezone(PARIS).date()
            for span in av.opening_intervals(ALL_DAYS_9_18, [christmas], PARIS, window)
        }
        assert date(2026, 12, 23) in days and date(2027, 1, 3) in days
        assert not {date(2026, 12, 24), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)} & days
        one_day = av.ClosureDays(date(2026, 12, 21), date(2026, 12, 21))
        days = {
            span.start.astimezone(PARIS).date()
            for span in av.opening_intervals(ALL_DAYS_9_18, [one_day], PARIS, window)
        }
        assert date(2026, 12, 21) not in days and date(2026, 12, 22) in days


class TestFree:
    def test_capacity_is_split_where_the_load_changes(self):
        span = [av.Interval(utc(2026, 6, 1, 8), utc(2026, 6, 1, 16))]
        occupations = [
            av.Occupation(utc(2026, 6, 1, 9), utc(2026, 6, 1, 11), 2),
            av.Occupation(utc(2026, 6, 1, 10), utc(2026, 6, 1, 12), 3),
        ]
        assert av.free_intervals(span, occupations, 5) == [
            av.Free(utc(2026, 6, 1, 8), utc(2026, 6, 1, 9), 5),
            av.Free(utc(2026, 6, 1, 9), utc(2026, 6, 1, 10), 3),
            av.Free(utc(2026, 6, 1, 11), utc(2026, 6, 1, 12), 2),
            av.Free(utc(2026, 6, 1, 12), utc(2026, 6, 1, 16), 5),
        ]

    def test_buffer_shields_both_sides_of_an_exclusive_booking(self):
        rules = av.Rules(buffer_minutes=15)
        booked = av.booking_occupation(utc(2026, 6, 1, 10), utc(2026, 6, 1, 11, 15), 1, rules)
        assert booked == av.Occupation(utc(2026, 6, 1, 9, 45), utc(2026, 6, 1, 11, 15), 1)
        with pytest.raises(av.RuleViolation):  # ends at 9:45, its own buffer runs into 10:00
            av.check_capacity(av.Interval(utc(2026, 6, 1, 9), utc(2026, 6, 1, 9, 50)), 1, [booked], rules)
        av.check_capacity(av.Interval(utc(2026, 6, 1, 9), utc(2026, 6, 1, 9, 45)), 1, [booked], rules)
        av.check_capacity(av.Interval(utc(2026, 6, 1, 11, 15), utc(2026, 6, 1, 12)), 1, [booked], rules)

    def test_back_to_back_bookings_do_not_collide(self):
        booked = [av.Occupation(utc(2026, 6, 1, 9), utc(2026, 6, 1, 10))]
        assert av.remaining_over(av.Interval(utc(2026, 6, 1, 10), utc(2026, 6, 1, 11)), booked, 1) == 1
        assert av.remaining_over(av.Interval(utc(2026, 6, 1, 8), utc(2026, 6, 1, 9)), booked, 1) == 1


NOW = utc(2026, 6, 1, 6)  # Monday 8:00 in Paris


class TestRules:
    @pytest.mark.parametrize(
        ("start", "end", "quantity", "rules", "code"),
        [
            (utc(2026, 6, 2, 10), utc(2026, 6, 2, 9), 1, av.Rules(), "end_before_start"),
            (utc(2026, 6, 2, 10), utc(2026, 6, 2, 10), 1, av.Rules(), "end_before_start"),
            (utc(2026, 5, 30, 10), utc(2026, 5, 30, 11), 1, av.Rules(), "in_past"),
            (utc(2026, 6, 1, 7), utc(2026, 6, 1, 8), 1, av.Rules(lead_minutes=120), "too_soon"),
            (utc(2026, 9, 30, 10), utc(2026, 9, 30, 11), 1, av.Rules(horizon_days=90), "beyond_horizon"),
            (utc(2026, 6, 2, 10, 10), utc(2026, 6, 2, 11), 1, av.Rules(), "off_grid"),
            (utc(2026, 6, 2, 10), utc(2026, 6, 2, 10, 30), 1, av.Rules(min_minutes=60), "too_short"),
            (utc(2026, 6, 2, 8), utc(2026, 6, 2, 13), 1, av.Rules(max_minutes=240), "too_long"),
            (utc(2026, 6, 2, 8), utc(2026, 6, 2, 9), 3, av.Rules(capacity=2), "over_capacity"),
            (utc(2026, 6, 2, 8), utc(2026, 6, 2, 9), 0, av.Rules(capacity=2), "quantity_invalid"),
        ],
    )
    def test_each_rule_names_itself(self, start, end, quantity, rules, code):
        with pytest.raises(av.RuleViolation) as error:
            av.check_timing(av.Interval(start, end), quantity, rules, NOW, PARIS)
        assert error.value.code == code

    def test_opening_rules(self):
        hours = [av.WeeklyHours(d, time(9), time(18)) for d in range(5)]
        rules = av.Rules()
        closed = [av.ClosureDays(date(2026, 6, 3), date(2026, 6, 3))]
        with pytest.raises(av.RuleViolation, match="outside_opening_hours"):
            av.check_opening(av.Interval(utc(2026, 6, 2, 6), utc(2026, 6, 2, 8)), rules, hours, closed, PARIS)
        with pytest.raises(av.RuleViolation, match="closed"):
            av.check_opening(av.Interval(utc(2026, 6, 3, 8), utc(2026, 6, 3, 9)), rules, hours, closed, PARIS)
        with pytest.raises(av.RuleViolation, match="outside_opening_hours"):  # Saturday
            av.check_opening(av.Interval(utc(2026, 6, 6, 8), utc(2026, 6, 6, 9)), rules, hours, closed, PARIS)
        av.check_opening(av.Interval(utc(2026, 6, 2, 7), utc(2026, 6, 2, 16)), rules, hours, closed, PARIS)

    def test_half_day_units_accept_only_the_day_presets(self):
        hours = [av.WeeklyHours(d, time(9), time(18)) for d in range(5)]
        rules = av.Rules(booking_unit="half_day")
        morning = av.Interval(utc(2026, 6, 2, 7), utc(2026, 6, 2, 11))  # 9:00–13:00 Paris
        afternoon = av.Interval(utc(2026, 6, 2, 11), utc(2026, 6, 2, 16))
        av.check_opening(morning, rules, hours, [], PARIS)
        av.check_opening(afternoon, rules, hours, [], PARIS)
        with pytest.raises(av.RuleViolation, match="day_unit"):
            av.check_opening(av.Interval(utc(2026, 6, 2, 8), utc(2026, 6, 2, 11)), rules, hours, [], PARIS)
        with pytest.raises(av.RuleViolation, match="day_unit"):
            av.check_opening(morning, av.Rules(booking_unit="day"), hours, [], PARIS)

    def test_naive_intervals_are_refused(self):
        with pytest.raises(ValueError, match="aware"):
            av.Interval(datetime(2026, 6, 1, 9), datetime(2026, 6, 1, 10))


def test_slots_align_on_local_midnight_across_dst():
    rules = av.Rules(slot_minutes=30)
    day = date(2026, 10, 25)  # Paris falls back: 25-hour day
    always = [av.WeeklyHours(d, time(0), time(0)) for d in range(7)]
    spans = av.opening_intervals(always, [], PARIS, window_for(day, PARIS))
    slots = av.slot_starts(av.free_intervals(spans, [], 1), rules, PARIS)
    assert len(slots) == 50
    assert all(slot.start.astimezone(PARIS).minute in (0, 30) for slot in slots)
