"""Peers see the busy time an outside calendar puts on our resources: an import writes ``busy``
entries to the change feed (one write, whatever its size), a peer applying them blocks its mirror
of the resource, a moved or removed outside event reaches it as an update or a tombstone, and so
does the calendar's removal. The calendar is served on loopback, as Google publishes it."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bookings.models import BusyBlock
from calendars import services
from federation import outbox, producers, wire
from federation.models import Change, ChangeKind
from federation.services import mirrors
from federation.services.entries import read_page
from tests.support.calendar_server import CalendarServer
from tests.support.mirrors import PEER, mirror_busy, mirror_resource, mirror_venue

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def tuesday_at(hour: int, minute: int = 0) -> datetime:
    today = datetime.now(PARIS).date()
    day = today + timedelta(days=2 + (1 - (today + timedelta(days=2)).weekday()) % 7)
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def ics(*events: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
        + "".join(events)
        + "END:VCALENDAR\r\n"
    )


def vevent(uid: str, start: datetime, end: datetime) -> str:
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\nSUMMARY:Réunion\r\nEND:VEVENT\r\n"
    )


@pytest.fixture
def calendar_server(settings):
    settings.ESSAIM_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.0/8"]
    server = CalendarServer().start()
    yield server
    server.stop()


@pytest.fixture
def room(make_resource):
    """Our room (node A), open weekdays 9:00–18:00."""
    return make_resource(name="Salle Saône", horizon_days=60)


@pytest.fixture
def mirrored_room(peer):
    """The same room as the peer node B mirrors it (here: a room of ``PEER``)."""
    return mirror_resource(mirror_venue(PEER, title="Halle A"), name="Salle Saône", horizon_days=60)


class Feed:
    """Node A's change feed as a peer reads it, page after page from its cursor."""

    def __init__(self):
        self.cursor = 0

    def busy(self) -> list:
        page = read_page(outbox.read(self.cursor, limit=500).as_json(), after=self.cursor)
        self.cursor = page.next
        return [e for e in page.entries if e.kind == ChangeKind.BUSY]


def apply_on_mirror(peer, entries, mirrored_room, room) -> None:
    """Apply A's busy entries on B: A's room is B's ``mirrored_room`` (one database holds both)."""
    for entry in entries:
        if not entry.deleted:
            assert entry.data["resource"] == str(room.uid)
            entry.data["resource"] = str(mirrored_room.uid)
    with transaction.atomic():
        mirrors.apply(peer, entries)


def free_on_tuesday(client, resource) -> list[tuple[str, str]]:
    day = tuesday_at(0)
    body = client.get(
        f"/api/v1/resources/{resource.pk}/availability/",
        {"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()},
    ).json()
    return [(row["start"][11:16], row["end"][11:16]) for row in body["free"]]


def test_outside_busy_time_reaches_a_peers_mirror_and_leaves_it(calendar_server, room, mirrored_room, peer, client):
    feed = Feed()
    feed.busy()  # what A published before (its venue, its room)
    calendar_server.publish(
        "/basic.ics",
        ics(
            vevent("a@google.com", tuesday_at(10), tuesday_at(12)),
            vevent("b@google.com", tuesday_at(14), tuesday_at(15)),
        ),
    )
    calendar = services.calendar_add(venue=room.venue, resource=room, address=calendar_server.url("/basic.ics"))
    assert services.calendar_fetch(calendar).created == 2

    entries = feed.busy()
    assert len(entries) == 2 and not any(e.deleted for e in entries)
    assert {(e.data["start"], e.data["end"], e.data["expires_at"]) for e in entries} == {
        (tuesday_at(10).astimezone(UTC), tuesday_at(12).astimezone(UTC), None),
        (tuesday_at(14).astimezone(UTC), tuesday_at(15).astimezone(UTC), None),
    }
    assert free_on_tuesday(client, mirrored_room) == [("09:00", "18:00")]
    apply_on_mirror(peer, entries, mirrored_room, room)
    assert free_on_tuesday(client, mirrored_room) == [("09:00", "10:00"), ("12:00", "14:00"), ("15:00", "18:00")]

    # "a" cancelled in the outside calendar, "b" lengthened to 16:00: a tombstone and an update.
    calendar_server.publish("/basic.ics", ics(vevent("b@google.com", tuesday_at(14), tuesday_at(16))))
    result = services.calendar_fetch(calendar)
    assert (result.created, result.updated, result.deleted) == (0, 1, 1)
    entries = feed.busy()
    assert sorted(e.deleted for e in entries) == [False, True]
    apply_on_mirror(peer, entries, mirrored_room, room)
    assert free_on_tuesday(client, mirrored_room) == [("09:00", "14:00"), ("16:00", "18:00")]

    # "b" moved to 16:00–17:00: the mirror follows (an update, or a tombstone and a new entry when
    # the outside uid names the occurrence by its start).
    calendar_server.publish("/basic.ics", ics(vevent("b@google.com", tuesday_at(16), tuesday_at(17))))
    services.calendar_fetch(calendar)
    apply_on_mirror(peer, feed.busy(), mirrored_room, room)
    assert free_on_tuesday(client, mirrored_room) == [("09:00", "16:00"), ("17:00", "18:00")]

    # Nothing new in the calendar: no entry at all.
    services.calendar_fetch(calendar)
    assert feed.busy() == []

    services.calendar_delete(calendar)
    entries = feed.busy()
    assert [e.deleted for e in entries] == [True]
    apply_on_mirror(peer, entries, mirrored_room, room)
    assert free_on_tuesday(client, mirrored_room) == [("09:00", "18:00")]
    assert not BusyBlock.objects.filter(resource=mirrored_room).exists()


def test_a_venue_wide_calendar_names_each_resources_block_apart(calendar_server, make_resource):
    room = make_resource(name="Salle 1")
    other = make_resource(room.venue, name="Salle 2")
    calendar_server.publish("/venue.ics", ics(vevent("all@google.com", tuesday_at(10), tuesday_at(11))))
    calendar = services.calendar_add(venue=room.venue, address=calendar_server.url("/venue.ics"))
    services.calendar_fetch(calendar)

    rows = Change.objects.filter(kind=ChangeKind.BUSY)
    assert {row.data["resource"] for row in rows} == {str(room.uid), str(other.uid)}
    assert len({row.uid for row in rows}) == 2
    block = BusyBlock.objects.get(resource=room, source=calendar.source)
    assert str(rows.get(data__resource=str(room.uid)).uid) == wire.outside_busy_uid(calendar.source, room.pk, block.uid)


def test_an_import_of_a_thousand_blocks_is_one_write(calendar_server, room):
    start = tuesday_at(9)
    events = [
        vevent(f"e{i}@google.com", start + timedelta(hours=i), start + timedelta(hours=i, minutes=30))
        for i in range(1000)
    ]
    calendar_server.publish("/big.ics", ics(*events))
    room.horizon_days = 60
    calendar = services.calendar_add(venue=room.venue, resource=room, address=calendar_server.url("/big.ics"))
    before = Change.objects.filter(kind=ChangeKind.BUSY).count()
    with CaptureQueriesContext(connection) as queries:
        assert services.calendar_fetch(calendar).created == 1000
    written = Change.objects.filter(kind=ChangeKind.BUSY).count() - before
    outbox_statements = [q["sql"] for q in queries if "federation_change" in q["sql"]]
    print(f"\n1,000 blocks: {len(queries)} statements, {len(outbox_statements)} on the outbox, {written} entries")
    assert written == 1000
    assert len(queries) < 40  # a handful of statements, not one per block
    assert len(outbox_statements) <= 10  # one bulk INSERT (SQLite splits it by its variable limit)


def test_the_outbox_rebuild_includes_outside_busy_times(calendar_server, room):
    calendar_server.publish(
        "/cal.ics",
        ics(
            vevent("future@google.com", tuesday_at(10), tuesday_at(11)),
            vevent("past@google.com", tuesday_at(10) - timedelta(days=14), tuesday_at(11) - timedelta(days=14)),
        ),
    )
    calendar = services.calendar_add(venue=room.venue, resource=room, address=calendar_server.url("/cal.ics"))
    services.calendar_fetch(calendar)
    future = BusyBlock.objects.get(source=calendar.source, start=tuesday_at(10))

    busy = [(uid, data) for kind, uid, data in wire.everything() if kind == ChangeKind.BUSY]
    assert busy == [
        (
            wire.outside_busy_uid(calendar.source, room.pk, future.uid),
            {
                "resource": str(room.uid),
                "start": tuesday_at(10).astimezone(UTC).isoformat(),
                "end": tuesday_at(11).astimezone(UTC).isoformat(),
                "quantity": future.quantity,
                "expires_at": None,
            },
        )
    ]


def test_blocks_on_a_peers_resource_write_nothing(mirrored_room):
    block = mirror_busy(mirrored_room, start=tuesday_at(10), end=tuesday_at(11))
    producers.outside_blocks_changed("calendar:1", [block], [(mirrored_room.pk, "x@google.com")])
    assert not Change.objects.filter(kind=ChangeKind.BUSY).exists()
