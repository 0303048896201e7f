"""Recurrence expansion: worked examples (DST, UNTIL in UTC, exceptions, changes, bounds) and a
hypothesis comparison with recurring-ical-events, an independent expander, on the same data."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from core.recurrence import (
    MAX_OCCURRENCES,
    Change,
    RecurrenceError,
    Series,
    bounded_rule,
    in_windows,
    occurrences,
    rule_parts,
    starts,
    wall,
)

PARIS = ZoneInfo("Europe/Paris")
FAR = datetime(2030, 1, 1, tzinfo=UTC)


def tuesdays(rule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630T220000Z", **kw):
    return Series(
        start=datetime(2026, 3, 3, 18, 30, tzinfo=PARIS), duration=timedelta(hours=2), tz=PARIS, rule=rule, **kw
    )


def test_every_tuesday_at_1830_until_june_keeps_local_time_across_dst():
    found = occurrences(tuesdays(), window_start=datetime(2026, 1, 1, tzinfo=UTC), window_end=FAR, horizon=FAR)
    assert len(found) == 18  # 3 March to 30 June
    assert {o.start.astimezone(PARIS).strftime("%a %H:%M") for o in found} == {"Tue 18:30"}
    before, after = found[3], found[4]  # 24 March (CET) and 31 March (CEST)
    assert before.start.astimezone(UTC).hour == 17 and after.start.astimezone(UTC).hour == 16
    assert all(o.end - o.start == timedelta(hours=2) for o in found)  # exact: none crosses a change of clocks
    assert found[-1].start.date() == date(2026, 6, 30)


def test_exdates_drop_and_changes_move_or_cancel_single_occurrences():
    series = tuesdays(
        exdates=frozenset({datetime(2026, 3, 10, 18, 30, tzinfo=PARIS)}),
        changes={
            datetime(2026, 3, 17, 18, 30, tzinfo=PARIS): Change(
                start=datetime(2026, 3, 18, 19, 0, tzinfo=PARIS), end=datetime(2026, 3, 18, 21, 30, tzinfo=PARIS)
            ),
            datetime(2026, 3, 24, 18, 30, tzinfo=PARIS): Change(cancelled=True),
        },
    )
    found = occurrences(
        series, window_start=datetime(2026, 3, 1, tzinfo=UTC), window_end=datetime(2026, 3, 31, tzinfo=UTC), horizon=FAR
    )
    assert [(o.start.day, o.cancelled, o.changed) for o in found] == [
        (3, False, False),
        (18, False, True),
        (24, True, True),
    ]
    moved = found[1]
    assert moved.recurrence_id == datetime(2026, 3, 17, 18, 30, tzinfo=PARIS)
    assert moved.end - moved.start == timedelta(hours=2, minutes=30)


def test_a_rule_without_end_stops_at_the_horizon_and_is_published_bounded():
    series = tuesdays(rule="FREQ=WEEKLY;BYDAY=TU")
    horizon = datetime(2026, 5, 1, tzinfo=UTC)
    found = starts(series, horizon=horizon)
    assert found[-1] < horizon and len(found) == 9
    assert bounded_rule(series.rule, horizon=horizon) == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260501T000000Z"
    assert bounded_rule("FREQ=DAILY;COUNT=3", horizon=horizon) == "FREQ=DAILY;COUNT=3"


def test_no_rule_expands_beyond_the_cap():
    series = Series(
        start=datetime(2026, 1, 1, 8, tzinfo=PARIS), duration=timedelta(hours=1), tz=PARIS, rule="FREQ=DAILY"
    )
    assert len(starts(series, horizon=datetime(2100, 1, 1, tzinfo=UTC))) == MAX_OCCURRENCES


def test_spring_gap_and_autumn_fold_follow_rfc_5545():
    at_230 = Series(
        start=datetime(2026, 3, 28, 2, 30, tzinfo=PARIS),
        duration=timedelta(hours=1),
        tz=PARIS,
        rule="FREQ=DAILY;COUNT=2",
    )
    _saturday, gap = starts(at_230, horizon=FAR)
    assert gap.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 2:30 does not exist: the pre-gap offset
    folded = wall(datetime(2026, 10, 25, 2, 30), PARIS)
    assert folded.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # twice: the first


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("FREQ=SECONDLY", "rule_frequency"),
        ("FREQ=WEEKLY;BYDAY", "rule_syntax"),
        ("FREQ=WEEKLY;X-NAME=1", "rule_part"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20270101", "rule_syntax"),
        ("FREQ=DAILY;COUNT=0", "rule_syntax"),
        ("FREQ=DAILY;INTERVAL=-1", "rule_syntax"),
        ("BYDAY=TU", "rule_frequency"),
        ("FREQ=DAILY;UNTIL=tomorrow", "rule_syntax"),
        ("FREQ=WEEKLY;UNTIL=20260101T000000Z", "until_before_start"),
        ("FREQ=WEEKLY;BYDAY=WE", "start_not_in_rule"),
    ],
)
def test_bad_rules_are_refused_with_a_reason(rule, code):
    with pytest.raises(RecurrenceError) as refused:
        starts(tuesdays(rule=rule), horizon=FAR)
    assert refused.value.code == code


def test_rule_parts_read_the_rrule_prefix_and_case():
    assert rule_parts("RRULE:freq=weekly;byday=tu,th") == {"FREQ": "WEEKLY", "BYDAY": "TU,TH"}


def test_occurrences_in_closures_are_found():
    found = occurrences(tuesdays(), window_start=datetime(2026, 1, 1, tzinfo=UTC), window_end=FAR, horizon=FAR)
    closed = [(datetime(2026, 4, 14, tzinfo=PARIS), datetime(2026, 4, 15, tzinfo=PARIS))]
    assert [o.start.date() for o in in_windows(found, closed)] == [date(2026, 4, 14)]


# Against an independent expander ----------------------------------------------------------------

ZONES = [
    ZoneInfo(name)
    for name in ("Europe/Paris", "America/New_York", "Africa/Dakar", "Indian/Reunion", "America/Montreal")
]
RULES = st.one_of(
    st.builds(lambda n, c: f"FREQ=DAILY;INTERVAL={n};COUNT={c}", st.integers(1, 3), st.integers(1, 40)),
    st.builds(
        lambda days, c: f"FREQ=WEEKLY;BYDAY={','.join(days)};COUNT={c}",
        st.lists(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), min_size=1, max_size=3, unique=True),
        st.integers(1, 40),
    ),
    st.builds(lambda d, c: f"FREQ=MONTHLY;BYMONTHDAY={d};COUNT={c}", st.integers(1, 28), st.integers(1, 18)),
    st.builds(lambda n, c: f"FREQ=MONTHLY;BYDAY={n}TU;COUNT={c}", st.sampled_from([1, 2, -1]), st.integers(1, 18)),
    st.builds(
        lambda until: f"FREQ=WEEKLY;UNTIL={until:%Y%m%dT%H%M%SZ}",
        st.datetimes(datetime(2026, 2, 1), datetime(2027, 6, 1)),
    ),
)


def synchronised(rule: str, naive: datetime, zone: ZoneInfo) -> datetime:
    """The rule's first date from ``naive`` on: RFC 5545 leaves a first start outside the rule undefined."""
    text = ";".join(part for part in rule.split(";") if not part.startswith("UNTIL"))
    return wall(next(iter(rrulestr(text, dtstart=naive))), zone)


def _ical(series: Series) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    event = icalendar.Event()
    event.add("uid", "series@essaim.test")
    event.add("dtstart", series.start)
    event.add("dtend", series.start + series.duration)
    event.add("rrule", icalendar.vRecur.from_ical(series.rule))
    for moment in sorted(series.exdates):
        event.add("exdate", moment)
    calendar.add_component(event)
    for original, change in series.changes.items():
        moved = icalendar.Event()
        moved.add("uid", "series@essaim.test")
        moved.add("recurrence-id", original)
        moved.add("dtstart", change.start)
        moved.add("dtend", change.end)
        calendar.add_component(moved)
    return calendar


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    first=st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31)),
    minutes=st.integers(15, 6 * 60),
    rule=RULES.filter(lambda r: "UNTIL=" not in r or r.split("UNTIL=")[1] > "20261231T235959Z"),
    skip=st.sets(st.integers(0, 30), max_size=4),
    move=st.integers(0, 30),
    shift=st.integers(-3 * 24 * 60, 3 * 24 * 60),
)
def test_our_occurrences_equal_recurring_ical_events(zone, first, minutes, rule, skip, move, shift):
    start = synchronised(rule, first.replace(second=0, microsecond=0), zone)
    plain = Series(start=start, duration=timedelta(minutes=minutes), tz=zone, rule=rule)
    every = starts(plain, horizon=FAR)
    changes = {}
    if move < len(every) and move not in skip:
        moved = every[move] + timedelta(minutes=shift)
        changes[every[move]] = Change(start=moved, end=moved + timedelta(minutes=minutes + 30))
    series = Series(
        start=start,
        duration=plain.duration,
        tz=zone,
        rule=rule,
        exdates=frozenset(every[i] for i in skip if i < len(every) and i > 0),
        changes=changes,
    )
    window = (datetime(2025, 12, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    found = occurrences(series, window_start=window[0], window_end=window[1], horizon=FAR)
    ours = [o.start.astimezone(UTC) for o in found]
    # Starts only: recurring-ical-events adds the duration on the wall clock, where RFC 5545
    # (3.8.5.3) keeps the exact duration; ical.js and vobject agree with us on whole spans
    # (tests/unit/test_ical_interop.py).
    theirs = sorted(e["DTSTART"].dt.astimezone(UTC) for e in recurring_ical_events.of(_ical(series)).between(*window))
    assert ours == theirs
    for o in found:
        if not o.changed:
            assert o.end.astimezone(UTC) - o.start.astimezone(UTC) == series.duration
