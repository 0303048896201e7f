"""``core.ical_writer``'s free/busy: periods merged as RFC 5545 recommends, and the VFREEBUSY text."""

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from core.ical_writer import BusyPeriod, FreeBusy, freebusy_calendar, merged_periods

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_overlapping_and_adjoining_periods_merge_and_busy_wins():
    periods = [
        BusyPeriod(at(3), at(4)),
        BusyPeriod(at(1), at(2)),
        BusyPeriod(at(2), at(3)),  # adjoins: one period 1–4
        BusyPeriod(at(3.5), at(6), "BUSY-TENTATIVE"),  # busy until 4, tentative after
        BusyPeriod(at(5), at(7), "BUSY-TENTATIVE"),
        BusyPeriod(at(10), at(11), "BUSY-TENTATIVE"),
        BusyPeriod(at(10), at(11)),  # both: busy
    ]
    assert merged_periods(periods) == [
        BusyPeriod(at(1), at(4)),
        BusyPeriod(at(4), at(7), "BUSY-TENTATIVE"),
        BusyPeriod(at(10), at(11)),
    ]


def test_periods_are_clipped_to_the_window():
    assert merged_periods([BusyPeriod(at(-2), at(1)), BusyPeriod(at(9), at(12))], within=(at(0), at(10))) == [
        BusyPeriod(at(0), at(1)),
        BusyPeriod(at(9), at(10)),
    ]


spans = st.lists(
    st.tuples(st.integers(0, 96), st.integers(1, 12), st.sampled_from(["BUSY", "BUSY-TENTATIVE"])), max_size=25
)


def _quarters(periods, fbtype=None) -> set[int]:
    """The quarter hours covered (by periods of ``fbtype``)."""
    return {
        q
        for p in periods
        if fbtype is None or p.fbtype == fbtype
        for q in range(int((p.start - T0) / timedelta(minutes=15)), int((p.end - T0) / timedelta(minutes=15)))
    }


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a shared, busy machine
@given(spans)
def test_merging_keeps_every_busy_moment_and_overlaps_none(raw):
    periods = [BusyPeriod(at(s / 4), at((s + n) / 4), fbtype) for s, n, fbtype in raw]
    merged = merged_periods(periods)
    assert _quarters(merged) == _quarters(periods)
    assert _quarters(merged, "BUSY") == _quarters(periods, "BUSY")
    for before, after in zip(merged, merged[1:], strict=False):
        assert before.end <= after.start
        if before.end == after.start:
            assert before.fbtype != after.fbtype  # same type adjoining would have merged


def test_the_calendar_reads_back_with_icalendar():
    freebusy = FreeBusy(
        uid="freebusy-1@essaim.example",
        stamp=at(0),
        start=at(-24),
        end=at(48),
        url="https://essaim.example/book/1/",
        periods=(BusyPeriod(at(1), at(2)), BusyPeriod(at(3), at(4), "BUSY-TENTATIVE")),
    )
    text = freebusy_calendar(freebusy, name="Salle Érable — La Ruche " * 4)
    assert all(line.endswith("\r") or not line for line in text.split("\n")[:-1])
    assert all(len(line.encode()) <= 76 for line in text.split("\n"))  # 75 octets and the CR
    [component] = Calendar.from_ical(text).walk("VFREEBUSY")
    assert component.decoded("DTSTART") == at(-24) and component.decoded("DTEND") == at(48)
    lines = [line for line in text.splitlines() if line.startswith("FREEBUSY")]
    assert lines == [
        "FREEBUSY;FBTYPE=BUSY:20260301T010000Z/20260301T020000Z",
        "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260301T030000Z/20260301T040000Z",
    ]
