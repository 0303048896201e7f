"""Properties of ``calendars.parsing.parse``: random daily and weekly series (zones, intervals,
COUNT or UNTIL, BYDAY, EXDATE, moved and cancelled occurrences) give exactly the intervals of an
independent expansion (dateutil's rrule on local wall time, written here); keys are unique and
stable; any bytes give a result or a ``CalendarError``, nothing else."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, WEEKLY, rrule, weekday
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendars.parsing import CalendarError, parse

FIXTURES = Path(__file__).parents[2] / "fixtures" / "calendars"
ZONES = ["Europe/Paris", "America/New_York", "Africa/Dakar"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WINDOW = (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 12, 1, tzinfo=UTC))


@st.composite
def series(draw):
    zone = draw(st.sampled_from(ZONES))
    first = datetime(2026, 9, 1) + timedelta(days=draw(st.integers(0, 500)))
    first = first.replace(hour=draw(st.integers(6, 21)), minute=draw(st.sampled_from([0, 15, 30, 45])))
    weekly = draw(st.booleans())
    byday = sorted(draw(st.sets(st.integers(0, 6), max_size=3))) if weekly else []
    interval = draw(st.integers(1, 3))
    wkst = draw(st.integers(0, 6))
    count = draw(st.none() | st.integers(1, 40))
    until = None
    if count is None:
        until = first + timedelta(days=draw(st.integers(0, 500)), hours=draw(st.integers(0, 23)))
    length = timedelta(minutes=draw(st.integers(1, 16)) * 15)
    rule = rrule(
        WEEKLY if weekly else DAILY,
        dtstart=first,
        interval=interval,
        count=count,
        until=until,
        byweekday=[weekday(day) for day in byday] or None,
        wkst=wkst,
    )
    local = list(rule)
    if first not in local:  # DTSTART is always the first occurrence, and counts in COUNT (RFC 5545)
        local = [first, *(local[:-1] if count is not None else local)]
    excluded = draw(st.sets(st.sampled_from(local), max_size=3)) if local else set()
    rest = [moment for moment in local if moment not in excluded]
    moved = draw(st.dictionaries(st.sampled_from(rest), st.integers(-30, 30), max_size=2)) if rest else {}
    cancelled = draw(st.sets(st.sampled_from(rest), max_size=2)) if rest else set()
    return zone, first, weekly, byday, interval, wkst, count, until, length, local, excluded, moved, cancelled


def _ics(zone, first, weekly, byday, interval, wkst, count, until, length, excluded, moved, cancelled) -> bytes:
    tz = ZoneInfo(zone)
    stamp = "%Y%m%dT%H%M%S"
    rule = f"FREQ={'WEEKLY' if weekly else 'DAILY'};INTERVAL={interval};WKST={DAYS[wkst]}"
    if byday:
        rule += ";BYDAY=" + ",".join(DAYS[day] for day in byday)
    if count is not None:
        rule += f";COUNT={count}"
    else:
        rule += f";UNTIL={until.replace(tzinfo=tz).astimezone(UTC):{stamp}}Z"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//property//EN",
        "BEGIN:VEVENT",
        "UID:series@test",
        f"DTSTART;TZID={zone}:{first:{stamp}}",
        f"DTEND;TZID={zone}:{first + length:{stamp}}",
        f"RRULE:{rule}",
    ]
    if excluded:
        lines.append(f"EXDATE;TZID={zone}:" + ",".join(f"{moment:{stamp}}" for moment in sorted(excluded)))
    lines.append("END:VEVENT")
    for moment in sorted(set(moved) | set(cancelled)):
        begin = moment + timedelta(hours=moved.get(moment, 0))
        lines += [
            "BEGIN:VEVENT",
            "UID:series@test",
            f"RECURRENCE-ID;TZID={zone}:{moment:{stamp}}",
            f"DTSTART;TZID={zone}:{begin:{stamp}}",
            f"DTEND;TZID={zone}:{begin + length:{stamp}}",
            *(["STATUS:CANCELLED"] if moment in cancelled else []),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines).encode()


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(series())
def test_series_match_an_independent_expansion(drawn):
    zone, first, weekly, byday, interval, wkst, count, until, length, local, excluded, moved, cancelled = drawn
    body = _ics(zone, first, weekly, byday, interval, wkst, count, until, length, excluded, moved, cancelled)
    tz = ZoneInfo(zone)
    expected = set()
    for moment in local:
        if moment in excluded or moment in cancelled:
            continue
        begin = moment + timedelta(hours=moved.get(moment, 0))
        start = begin.replace(tzinfo=tz).astimezone(UTC)
        end = (begin + length).replace(tzinfo=tz).astimezone(UTC)
        if start < WINDOW[1] and end > WINDOW[0]:
            expected.add((start, end))
    parsed = parse(body, zone="Europe/Paris", start=WINDOW[0], end=WINDOW[1])
    assert {(b.start, b.end) for b in parsed.busy} == expected
    assert len({b.key for b in parsed.busy}) == len(parsed.busy)
    assert all(b.start < WINDOW[1] and b.end > WINDOW[0] for b in parsed.busy)
    assert parse(body, zone="Europe/Paris", start=WINDOW[0], end=WINDOW[1]) == parsed
    # Each moved occurrence keeps the key of its original start.
    keys = {b.start: b.key for b in parsed.busy}
    for moment, hours in moved.items():
        if moment in cancelled:
            continue
        start = (moment + timedelta(hours=hours)).replace(tzinfo=tz).astimezone(UTC)
        if start in keys:
            original = moment.replace(tzinfo=tz).astimezone(UTC)
            assert keys[start] == f"series@test/{original:%Y%m%dT%H%M%S}Z"


def _only_calendar_errors(body: bytes) -> None:
    try:
        parsed = parse(body, zone="Europe/Paris", start=WINDOW[0], end=WINDOW[1], all_day_blocks=True)
    except CalendarError as error:
        assert error.code in {"not_a_calendar", "too_large", "too_many"}
    else:
        assert all(b.start < b.end for b in parsed.busy)


@settings(max_examples=300, deadline=1000, derandomize=True)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_give_a_result_or_a_calendar_error(body):
    _only_calendar_errors(body)
    _only_calendar_errors(b"BEGIN:VCALENDAR\r\n" + body)
    _only_calendar_errors(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + body + b"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


PROPERTY_NAMES = ["DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "UID", "TZID"]


@settings(max_examples=300, deadline=1000, derandomize=True)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(PROPERTY_NAMES),
            st.sampled_from(["", ";TZID=Europe/Paris", ";VALUE=DATE", ";TZID=Nowhere/Void", ';TZID="a:b;c"']),
            st.text(alphabet="0123456789TZPWDHMS:;,=/-+FREQDAILYWEKCOUNTBYM ", max_size=40),
        ),
        max_size=12,
    )
)
def test_broken_properties_give_a_result_or_a_calendar_error(properties):
    lines = [f"{name}{params}:{value}" for name, params, value in properties]
    body = "\r\n".join(["BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:x", *lines, "END:VEVENT", "END:VCALENDAR"])
    _only_calendar_errors(body.encode())


@settings(max_examples=200, deadline=1000, derandomize=True)
@given(
    st.sampled_from(["google.ics", "outlook.ics", "nextcloud.ics"]),
    st.integers(0, 10_000),
    st.integers(0, 400),
    st.binary(max_size=40),
)
def test_damaged_vendor_calendars_give_a_result_or_a_calendar_error(name, at, cut, noise):
    body = (FIXTURES / name).read_bytes()
    at %= len(body)
    _only_calendar_errors(body[:at] + noise + body[at + cut :])
    _only_calendar_errors(body[:at])
