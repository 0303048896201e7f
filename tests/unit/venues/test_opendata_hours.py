"""``venues.opendata.osm_opening_hours``: opening hours in OpenStreetMap's ``opening_hours`` syntax.

Rows are ``(weekday, "HH:MM", "HH:MM")`` with Monday = 0, as ``selectors.opening_hours_by_venue``
gives them. Pure: no database.
"""

import re

import pytest

from venues.opendata import COLUMNS, OSM_DAYS, osm_opening_hours


def week(days, *spans):
    return [(day, opens, closes) for day in days for opens, closes in spans]


# One OSM rule: days (a day, or a range) and comma-separated HH:MM-HH:MM spans.
OSM_RULE = re.compile(r"^(Mo|Tu|We|Th|Fr|Sa|Su)(-(Mo|Tu|We|Th|Fr|Sa|Su))? \d\d:\d\d-\d\d:\d\d(,\d\d:\d\d-\d\d:\d\d)*$")


def test_no_rows_is_empty():
    assert osm_opening_hours([]) == ""


def test_weekdays_with_the_same_hours_share_one_range():
    assert osm_opening_hours(week(range(5), ("09:00", "19:00"))) == "Mo-Fr 09:00-19:00"


def test_every_day_of_the_week():
    assert osm_opening_hours(week(range(7), ("08:00", "22:00"))) == "Mo-Su 08:00-22:00"


def test_single_day():
    assert osm_opening_hours([(5, "10:00", "13:00")]) == "Sa 10:00-13:00"


def test_two_consecutive_days_form_a_range():
    assert osm_opening_hours(week([2, 3], ("09:00", "17:00"))) == "We-Th 09:00-17:00"


def test_lunch_break_gives_two_spans_on_the_same_day():
    rows = week(range(5), ("09:00", "12:30"), ("14:00", "18:00"))
    assert osm_opening_hours(rows) == "Mo-Fr 09:00-12:30,14:00-18:00"


def test_spans_are_sorted_whatever_the_row_order():
    rows = [(0, "14:00", "18:00"), (1, "14:00", "18:00"), (0, "09:00", "12:00"), (1, "09:00", "12:00")]
    assert osm_opening_hours(rows) == "Mo-Tu 09:00-12:00,14:00-18:00"
    assert osm_opening_hours(list(reversed(rows))) == "Mo-Tu 09:00-12:00,14:00-18:00"


def test_weekdays_then_a_shorter_saturday():
    rows = week(range(5), ("09:00", "19:00")) + [(5, "10:00", "16:00")]
    assert osm_opening_hours(rows) == "Mo-Fr 09:00-19:00; Sa 10:00-16:00"


def test_non_consecutive_days_with_the_same_hours_are_not_merged_into_a_range():
    # Monday and Wednesday only: "Mo-We" would wrongly open on Tuesday.
    rows = week([0, 2], ("09:00", "17:00"))
    result = osm_opening_hours(rows)
    assert "Mo-We" not in result
    assert result == "Mo 09:00-17:00; We 09:00-17:00"


def test_a_gap_in_the_week_splits_the_range():
    rows = week([0, 1, 3, 4], ("09:00", "18:00"))
    assert osm_opening_hours(rows) == "Mo-Tu 09:00-18:00; Th-Fr 09:00-18:00"


def test_same_hours_interrupted_by_different_hours_are_separate_rules():
    rows = week([0, 1], ("09:00", "18:00")) + [(2, "09:00", "12:00")] + week([3, 4], ("09:00", "18:00"))
    assert osm_opening_hours(rows) == "Mo-Tu 09:00-18:00; We 09:00-12:00; Th-Fr 09:00-18:00"


def test_a_lunch_break_on_some_days_only():
    rows = week([0, 1], ("09:00", "12:00"), ("14:00", "18:00")) + week([2], ("09:00", "18:00"))
    assert osm_opening_hours(rows) == "Mo-Tu 09:00-12:00,14:00-18:00; We 09:00-18:00"


@pytest.mark.parametrize(
    "rows",
    [
        week(range(5), ("09:00", "19:00")),
        week([0, 2, 4], ("08:30", "12:00"), ("13:30", "17:30")),
        week([6], ("10:00", "18:00")) + week([0], ("07:00", "09:00")),
        [(day, f"{8 + day:02d}:00", "20:00") for day in range(7)],
    ],
)
def test_every_rule_is_valid_osm_syntax_and_every_day_appears_once(rows):
    result = osm_opening_hours(rows)
    rules = result.split("; ")
    assert all(OSM_RULE.match(rule) for rule in rules), result
    covered = []
    for rule in rules:
        days = rule.split(" ")[0].split("-")
        start, end = OSM_DAYS.index(days[0]), OSM_DAYS.index(days[-1])
        covered.extend(range(start, end + 1))
    assert sorted(covered) == sorted({day for day, _o, _c in rows})


def test_the_example_in_the_documented_columns_is_what_the_function_produces():
    column = next(c for c in COLUMNS if c.name == "opening_hours")
    assert column.example == osm_opening_hours(week(range(5), ("09:00", "19:00")))
