"""Checking a change-feed page before anything is written (plain Python: no database)."""

import pytest

from federation.services.entries import MirrorError, read_page
from tests.integration.federation.sync_support import busy_data, event_data, new_uid, resource_data, venue_data


def _page(*entries, after=0, **fields):
    changes = [
        {"position": after + i + 1, "kind": kind, "uid": new_uid(), "deleted": False, "data": data}
        for i, (kind, data) in enumerate(entries)
    ]
    return {"changes": changes, "next": after + len(changes), "head": after + len(changes), "more": False} | fields


def _one(change):
    return {"changes": [change], "next": 1, "head": 1, "more": False}


def test_a_good_page_is_read_with_times_and_hours_converted():
    venue = new_uid()
    page = read_page(
        _page(
            ("venue", venue_data()),
            ("resource", resource_data(venue)),
            ("event", event_data(venue)),
            ("busy", busy_data(new_uid())),
        ),
        after=0,
    )
    venue_entry, resource_entry, event_entry, busy_entry = page.entries
    assert venue_entry.data["opening_hours"][0][1].hour == 9
    assert resource_entry.data["closures"][0][0].isoformat() == "2026-08-01"
    assert event_entry.data["start"].tzinfo is not None
    assert busy_entry.data["expires_at"] is None


@pytest.mark.parametrize(
    ("kind", "data", "words"),
    [
        ("venue", venue_data(titles={}), "no title"),
        ("venue", venue_data(latitude=123), "latitude"),
        ("venue", venue_data(timezone="Mars/Olympus"), "time zone"),
        ("venue", venue_data(opening_hours=[[9, "09:00", "18:00"]]), "opening_hours"),
        ("resource", resource_data(new_uid(), capacity=True), "capacity"),
        ("resource", resource_data(new_uid(), kind="spaceship"), "kind"),
        ("resource", resource_data(new_uid(), min_minutes=600, max_minutes=60), "min_minutes"),
        ("resource", resource_data("not-a-uuid"), "venue"),
        ("event", event_data(new_uid(), rule="FREQ=SECONDLY"), "RRULE"),
        ("event", event_data(new_uid(), changes={"2030-01-01T10:00:00+00:00": {"start": "x"}}), "changes"),
        ("event", event_data(new_uid(), end="2030-03-03T13:00:00+00:00"), "end"),
        ("busy", busy_data(new_uid(), quantity=0), "quantity"),
        ("busy", busy_data(new_uid(), start="tomorrow"), "start"),
        ("busy", {"resource": new_uid()}, "missing"),
    ],
)
def test_a_bad_entry_refuses_the_page_and_names_the_field(kind, data, words):
    with pytest.raises(MirrorError, match=words):
        read_page(_page(("venue", venue_data()), (kind, data)), after=0)


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ([], "not a page"),
        ({"changes": {}, "next": 0, "head": 0, "more": False}, "no list"),
        ({"changes": [], "next": "1", "head": 0, "more": False}, "bad"),
        (_one({"position": 1, "kind": "gossip", "uid": new_uid()}), "unknown kind"),
        (_one({"position": 1, "kind": "venue", "uid": "x"}), "UUID"),
    ],
)
def test_a_bad_page_is_refused(payload, words):
    with pytest.raises(MirrorError, match=words):
        read_page(payload, after=0)


def test_entries_out_of_order_or_before_the_cursor_are_refused():
    page = _page(("venue", venue_data()), ("venue", venue_data()), after=5)
    page["changes"].reverse()
    with pytest.raises(MirrorError, match="out of order"):
        read_page(page, after=5)
    stale = _page(("venue", venue_data()), after=2) | {"next": 6, "head": 6}
    with pytest.raises(MirrorError, match="out of order"):
        read_page(stale, after=5)


def test_a_tombstone_needs_no_data():
    page = read_page(_one({"position": 1, "kind": "venue", "uid": new_uid(), "deleted": True}), after=0)
    assert page.entries[0].deleted and page.entries[0].data == {}
