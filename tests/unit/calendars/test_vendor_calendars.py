"""``calendars.parsing.parse`` on calendars shaped as Google, Outlook (Exchange) and Nextcloud
(Sabre/VObject) publish them, checked against an independent expansion (vobject) and by hand."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from calendars.parsing import occurrence_key, parse
from tests.unit.calendars.oracle import busy_intervals

FIXTURES = Path(__file__).parents[2] / "fixtures" / "calendars"
PARIS = ZoneInfo("Europe/Paris")
#: "Now" is 2026-12-01; the window runs from two months before to a year after, across the DST
#: changes of 2026-10-25, 2027-03-28 and 2027-10-31.
START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2027, 12, 1, tzinfo=UTC)


def _read(name: str, **options):
    return parse((FIXTURES / name).read_bytes(), zone="Europe/Paris", start=START, end=END, **options)


def _paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


@pytest.mark.parametrize("name", ["google.ics", "outlook.ics", "nextcloud.ics"])
@pytest.mark.parametrize("all_day_blocks", [False, True])
def test_blocked_intervals_match_an_independent_expansion(name, all_day_blocks):
    parsed = _read(name, all_day_blocks=all_day_blocks)
    text = (FIXTURES / name).read_text()
    expected = busy_intervals(text, zone="Europe/Paris", start=START, end=END, all_day_blocks=all_day_blocks)
    assert {(b.start, b.end) for b in parsed.busy} == expected
    assert parsed.busy == sorted(parsed.busy)
    assert len({b.key for b in parsed.busy}) == len(parsed.busy)
    for block in parsed.busy:
        assert block.start.tzinfo is UTC and block.end.tzinfo is UTC and block.start < block.end
        assert len(block.key) <= 255


@pytest.mark.parametrize("name", ["google.ics", "outlook.ics", "nextcloud.ics"])
def test_crlf_and_lf_and_reimport_give_the_same_blocks(name):
    body = (FIXTURES / name).read_bytes()
    crlf = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    first = parse(body, zone="Europe/Paris", start=START, end=END, all_day_blocks=True)
    assert parse(crlf, zone="Europe/Paris", start=START, end=END, all_day_blocks=True).busy == first.busy
    assert parse(body, zone="Europe/Paris", start=START, end=END, all_day_blocks=True).busy == first.busy


def test_google_weekly_meeting_moved_lengthened_cancelled_and_excluded():
    busy = {b.key: b for b in _read("google.ics").busy}
    uid = "4kq1c7v0weekly0comite@google.com"
    meeting = sorted((b for b in busy.values() if b.key.startswith(uid)), key=lambda b: b.start)
    # Moved from Wednesday 9 December to Thursday 10 at 14:00: keeps the key of its original start.
    moved = busy[occurrence_key(uid, _paris(2026, 12, 9, 10))]
    assert (moved.start, moved.end) == (_paris(2026, 12, 10, 14), _paris(2026, 12, 10, 15, 30))
    assert not any(b.start == _paris(2026, 12, 9, 10) for b in meeting)
    # Lengthened on 3 February: 9:30 to 12:30.
    longer = busy[occurrence_key(uid, _paris(2027, 2, 3, 10))]
    assert (longer.start, longer.end) == (_paris(2027, 2, 3, 9, 30), _paris(2027, 2, 3, 12, 30))
    # Cancelled on 13 January (STATUS:CANCELLED override), excluded on 30 December (EXDATE).
    assert occurrence_key(uid, _paris(2027, 1, 13, 10)) not in busy
    assert occurrence_key(uid, _paris(2026, 12, 30, 10)) not in busy
    # Wall-clock 10:00 on both sides of each DST change; the UNTIL (28 April, 09:59:59 Paris) ends it.
    assert {b.start.astimezone(PARIS).time().hour for b in meeting if b.key != moved.key and b is not longer} == {10}
    assert meeting[-1].start == _paris(2027, 4, 21, 10)
    assert busy[occurrence_key(uid, _paris(2026, 10, 21, 10))].start == datetime(2026, 10, 21, 8, tzinfo=UTC)
    assert busy[occurrence_key(uid, _paris(2026, 10, 28, 10))].start == datetime(2026, 10, 28, 9, tzinfo=UTC)


def test_google_other_events():
    busy = {b.key: b for b in _read("google.ics").busy}
    assert "0transparent0hold@google.com" not in busy
    assert not any(b.all_day for b in busy.values())  # all-day events do not block by default
    lunch = busy["0single0utc0lunch@google.com"]
    assert lunch.start == datetime(2026, 12, 15, 13, tzinfo=UTC)
    assert lunch.end == datetime(2026, 12, 15, 14, 30, tzinfo=UTC)
    march = busy["0night0across0dst0march@google.com"]  # 22:00 CET to 04:00 CEST: five hours
    assert march.end - march.start == timedelta(hours=5)
    october = busy["0night0across0dst0october@google.com"]  # 23:00 CEST to 05:00 CET: seven hours
    assert october.end - october.start == timedelta(hours=7)


def test_google_all_day_events_block_whole_local_days_when_chosen():
    busy = {b.key: b for b in _read("google.ics", all_day_blocks=True).busy}
    closing = busy["0closing0christmas@google.com"]
    assert closing.all_day and (closing.start, closing.end) == (_paris(2026, 12, 24, 0), _paris(2026, 12, 27, 0))
    birthday = busy["0birthday0camille@google.com/20270314"]
    assert (birthday.start, birthday.end) == (_paris(2027, 3, 14, 0), _paris(2027, 3, 15, 0))
    assert not any(key.startswith("0birthday0camille@google.com/1985") for key in busy)


def test_outlook_windows_zones_exdates_free_and_tentative():
    parsed = _read("outlook.ics", all_day_blocks=True)
    busy = {b.key: b for b in parsed.busy}
    uid = (
        "040000008200E00074C5B7101A82E00800000000D0C6E5A2B1F3DA01000000000000000"
        "010000000A1B2C3D4E5F60718293A4B5C6D7E8F9"
    )
    team = sorted((b for b in busy.values() if b.key.startswith(uid)), key=lambda b: b.start)
    starts = {b.start for b in team}
    for day in (21, 24, 28, 31):  # EXDATE as a list, folded, and on a second line
        assert _paris(2026, 12, day, 9) not in starts
    assert team[0].start == _paris(2026, 11, 2, 9) and team[-1].start == _paris(2027, 3, 1, 9)
    assert busy[occurrence_key(uid, _paris(2026, 11, 12, 9))].start == _paris(2026, 11, 12, 14)
    keys = set(busy)
    assert not any("FREE" in key for key in keys)  # TRANSP:TRANSPARENT, and BUSYSTATUS:FREE alone
    assert any("TENT" in key for key in keys)  # tentative blocks
    pacific = sorted(b.start for b in busy.values() if "PST" in b.key)  # 08:00 in Seattle, US DST on 14 March
    assert pacific == [datetime(2027, 3, d, h, tzinfo=UTC) for d, h in ((10, 16), (17, 15), (24, 15), (31, 15))]
    custom = next(b for b in busy.values() if "CUST" in b.key)  # an unknown TZID, defined by its VTIMEZONE
    assert custom.start == _paris(2027, 3, 29, 14)
    inventory = next(b for b in busy.values() if "OOF" in b.key)
    assert inventory.all_day and inventory.start == _paris(2027, 1, 15, 0)


def test_nextcloud_rdate_duration_floating_and_defaults():
    busy = {b.key: b for b in _read("nextcloud.ics", all_day_blocks=True).busy}
    workshop = sorted(b.start for b in busy.values() if b.key.startswith("6f1c9e2a"))
    assert len(workshop) == 9 and _paris(2026, 12, 17, 18) in workshop  # COUNT=8 and one RDATE
    assert all(b.end - b.start == timedelta(hours=2) for b in busy.values() if b.key.startswith("6f1c9e2a"))
    floating = busy["a7c3f0d2-floating-0001"]  # the venue's wall clock
    assert (floating.start, floating.end) == (_paris(2026, 12, 5, 9), _paris(2026, 12, 5, 12))
    yoga = sorted(b.start for b in busy.values() if b.key.startswith("b1d2e3f4"))
    assert _paris(2027, 3, 27, 8, 30) not in yoga and _paris(2027, 3, 28, 8, 30) not in yoga
    assert _paris(2027, 3, 29, 8, 30) in yoga and _paris(2027, 4, 3, 17) in yoga and len(yoga) == 10
    assert busy["d0e1f2a3-date-no-end"].end - busy["d0e1f2a3-date-no-end"].start == timedelta(days=1)
    assert "e4f5a6b7-instant" not in busy and "f8a9b0c1-cancelled" not in busy
    mondays = sorted(k for k in busy if k.startswith("a2b3c4d5"))
    assert mondays == [f"a2b3c4d5-allday-weekly/2027{d}" for d in ("0104", "0118", "0125", "0201", "0208")]
    festival = busy["c9e8d7c6-allday-multiday"]
    assert (festival.start, festival.end) == (_paris(2027, 4, 5, 0), _paris(2027, 4, 8, 0))
    hackathon = busy["b6c7d8e9-duration-days"]
    assert hackathon.end - hackathon.start == timedelta(days=1, hours=2)


def test_the_window_clips_what_is_read():
    narrow = parse(
        (FIXTURES / "google.ics").read_bytes(),
        zone="Europe/Paris",
        start=_paris(2026, 12, 1, 0),
        end=_paris(2026, 12, 11, 0),
    )
    assert [b.start for b in narrow.busy] == [_paris(2026, 12, 2, 10), _paris(2026, 12, 10, 14)]
    assert narrow.events == 10


@pytest.mark.parametrize(
    ("tzid", "hour_utc"),
    [
        ("Romance Standard Time", 9),  # Windows name, no VTIMEZONE in the file
        ("W. Europe Standard Time", 9),
        ("Pacific Standard Time", 18),
        ("/freeassociation.sourceforge.net/Europe/Paris", 9),  # Evolution, Thunderbird
        ("Nowhere/Unknown", 9),  # unknown, undefined: floating, the venue's wall clock
    ],
)
def test_zone_names_without_vtimezone(tzid, hour_utc):
    body = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:z\r\n"
        f'DTSTART;TZID="{tzid}":20270115T100000\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
    ).encode()
    (block,) = parse(body, zone="Europe/Paris", start=START, end=END).busy
    assert block.start == datetime(2027, 1, 15, hour_utc, tzinfo=UTC)


def test_google_series_in_utc_keeps_its_wall_clock_time_in_the_calendar_zone():
    """Google may write a series' DTSTART in UTC; X-WR-TIMEZONE says whose wall clock it follows."""
    body = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:Europe/Paris\r\nBEGIN:VEVENT\r\nUID:u\r\n"
        b"DTSTART:20270317T090000Z\r\nDTEND:20270317T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    starts = [b.start for b in parse(body, zone="Europe/Paris", start=START, end=END).busy]
    assert starts == [_paris(2027, 3, 17, 10), _paris(2027, 3, 24, 10), _paris(2027, 3, 31, 10)]


def test_period_rdate_and_a_cancelled_series():
    body = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:p\r\nDTSTART:20270201T100000Z\r\n"
        b"DURATION:PT1H\r\nRDATE;VALUE=PERIOD:20270210T100000Z/20270210T133000Z,20270211T100000Z/PT2H\r\n"
        b"END:VEVENT\r\nBEGIN:VEVENT\r\nUID:c\r\nDTSTART:20270201T100000Z\r\nDURATION:PT1H\r\n"
        b"RRULE:FREQ=DAILY\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    busy = parse(body, zone="Europe/Paris", start=START, end=END).busy
    assert [(b.start.day, b.start.hour, b.end - b.start) for b in busy] == [
        (1, 10, timedelta(hours=1)),
        (10, 10, timedelta(hours=3, minutes=30)),
        (11, 10, timedelta(hours=2)),
    ]
