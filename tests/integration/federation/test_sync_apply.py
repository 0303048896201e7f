"""Pulling a peer's feed into mirrors: each kind applied, idempotent, atomic per page, and a
peer never touches what is not its own."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Page

from bookings.models import BusyBlock, Closure, Resource, ResourceHours
from events.models import Event
from federation.models import Peer, RemoteBooking, RemoteBookingStatus
from federation.services.sync import sync_peer
from tests.integration.federation import sync_support
from tests.integration.federation.sync_support import busy_data, event_data, new_uid, resource_data, venue_data
from tests.support.factories import UserFactory
from venues.models import GeocodeStatus, MirrorIndexPage, OpeningHours, TotemPage, VenuePage

pytestmark = pytest.mark.django_db
fake_peer, peer = sync_support.fake_peer, sync_support.peer  # fixtures


def _feed(fake_peer):
    """One venue with a room (its seats for an event too), an event and a busy hour."""
    venue, room, seats, event, busy = new_uid(), new_uid(), new_uid(), new_uid(), new_uid()
    fake_peer.add("venue", venue, venue_data())
    fake_peer.add("resource", room, resource_data(venue))
    fake_peer.add("resource", seats, resource_data(venue, name="Places", kind="event_seats", capacity=20))
    fake_peer.add("event", event, event_data(venue, seats))
    fake_peer.add("busy", busy, busy_data(room))
    return venue, room, seats, event, busy


def _snapshot():
    return {
        "venues": sorted(VenuePage.objects.filter(origin__gt="").values_list("translation_key", "title", "live")),
        "resources": sorted(Resource.objects.filter(origin__gt="").values_list("uid", "name", "updated_at")),
        "hours": ResourceHours.objects.count() + OpeningHours.objects.count(),
        "closures": sorted(Closure.objects.values_list("pk", flat=True)),
        "events": sorted(Event.objects.filter(origin__gt="").values_list("uid", "start", "updated_at")),
        "busy": sorted(BusyBlock.objects.values_list("pk", "uid", "start", "updated_at")),
    }


def test_a_feed_becomes_mirrors(fake_peer, peer):
    venue, room, seats, event, busy = _feed(fake_peer)

    result = sync_peer(peer)

    assert result.ok, result.error
    assert result.applied == 5
    page = VenuePage.objects.get(translation_key=venue).specific
    assert page.title == "La Ruche de Québec" and page.live
    assert page.origin == peer.url and page.origin_urls["en"] == "https://partner.example/en/hive/"
    assert page.geocode_status == GeocodeStatus.MANUAL and (page.latitude, page.longitude) == (46.81, -71.21)
    assert page.timezone == "America/Toronto" and str(page.country) == "CA"
    assert [(h.weekday, f"{h.opens:%H:%M}") for h in page.opening_hours.all()] == [(0, "09:00"), (1, "09:00")]
    assert Closure.objects.filter(venue=page, resource=None, reason="Noël", yearly=True).exists()
    index = page.get_parent().specific
    assert isinstance(index, MirrorIndexPage) and index.origin == peer.url
    assert index.slug.startswith("127-0-0-1")

    mirror_room = Resource.objects.get(uid=room)
    assert (mirror_room.origin, mirror_room.venue_id, mirror_room.price_minor) == (peer.url, page.pk, 2500)
    assert mirror_room.is_remote and mirror_room.seats == 8 and mirror_room.currency == "CAD"
    assert [(h.weekday, f"{h.opens:%H:%M}") for h in mirror_room.hours.all()] == [(2, "10:00")]
    assert mirror_room.closures.count() == 1

    mirror_event = Event.objects.get(uid=event)
    assert mirror_event.page is None and mirror_event.origin == peer.url
    assert mirror_event.venue_id == page.pk and mirror_event.seats.uid.hex == seats.replace("-", "")
    assert mirror_event.title("en") == "Social economy workshop"
    assert mirror_event.origin_urls == {"fr": "https://partner.example/fr/atelier/"}

    block = BusyBlock.objects.get(uid=busy)
    assert (block.resource_id, block.source, block.quantity) == (mirror_room.pk, peer.url, 1)

    peer.refresh_from_db()
    assert (peer.cursor, peer.head, peer.failures, peer.last_error) == (5, 5, 0, "")
    assert peer.last_success_at and peer.last_sync_at and peer.next_retry_at is None


def test_the_same_page_twice_changes_nothing(fake_peer, peer):
    _feed(fake_peer)
    assert sync_peer(peer).ok
    before = _snapshot()

    Peer.objects.filter(pk=peer.pk).update(cursor=0)  # as if the cursor update had been lost
    peer.refresh_from_db()
    result = sync_peer(peer)

    assert result.ok and result.applied == 5 and result.changed == 0
    assert _snapshot() == before


def test_changes_and_tombstones_follow(fake_peer, peer):
    venue, room, seats, event, busy = _feed(fake_peer)
    assert sync_peer(peer).ok
    room_row = Resource.objects.get(uid=room)
    stamp = room_row.updated_at

    fake_peer.add("venue", venue, venue_data(titles={"fr": "La Grande Ruche"}, opening_hours=[]))
    fake_peer.add("event", event, event_data(venue, seats, start="2030-03-03T15:00:00+00:00"))
    fake_peer.add("busy", busy, {}, deleted=True)
    peer.refresh_from_db()
    result = sync_peer(peer)

    assert result.ok, result.error
    page = VenuePage.objects.get(translation_key=venue)
    assert page.title == "La Grande Ruche"
    assert not OpeningHours.objects.filter(page=page).exists()
    assert Event.objects.get(uid=event).start.hour == 15
    assert not BusyBlock.objects.exists()
    assert Resource.objects.get(uid=room).updated_at == stamp  # untouched: not in the page

    fake_peer.add("event", event, {}, deleted=True)
    fake_peer.add("resource", room, {}, deleted=True)
    peer.refresh_from_db()
    assert sync_peer(peer).ok
    assert not Event.objects.filter(uid=event).exists()
    assert not Resource.objects.filter(uid=room).exists()

    fake_peer.add("venue", venue, {}, deleted=True)
    peer.refresh_from_db()
    assert sync_peer(peer).ok
    assert not VenuePage.objects.filter(translation_key=venue).exists()
    assert not Resource.objects.filter(origin=peer.url).exists()  # the seats went with it


def test_a_venue_kind_picks_the_page_type(fake_peer, peer):
    venue = new_uid()
    fake_peer.add("venue", venue, venue_data(kind="totem", titles={"en": "Totem North"}))
    assert sync_peer(peer).ok
    page = VenuePage.objects.get(translation_key=venue).specific
    assert isinstance(page, TotemPage) and page.title == "Totem North"


def test_a_malformed_page_leaves_the_mirror_as_it_was(fake_peer, peer):
    venue, room, *_ = _feed(fake_peer)
    assert sync_peer(peer).ok
    before = _snapshot()

    fake_peer.add("resource", room, resource_data(venue, name="Renamed"))
    fake_peer.add("resource", new_uid(), resource_data(venue, capacity="lots"))
    peer.refresh_from_db()
    result = sync_peer(peer)

    assert not result.ok
    assert "capacity" in result.error and "malformed" in result.error
    assert _snapshot() == before
    assert Resource.objects.get(uid=room).name == "Salle Fleuve"
    peer.refresh_from_db()
    assert peer.cursor == 5 and peer.failures == 1 and "capacity" in peer.last_error
    assert peer.next_retry_at > timezone.now()


def test_an_entry_our_rules_refuse_rolls_the_whole_page_back(fake_peer, peer):
    """Types pass, the page model's own validation does not (a bad e-mail): nothing is kept."""
    fake_peer.add("venue", new_uid(), venue_data())
    fake_peer.add("venue", new_uid(), venue_data(email="not an address"))
    result = sync_peer(peer)
    assert not result.ok and "rules" in result.error
    assert not VenuePage.objects.filter(origin=peer.url).exists()
    assert Peer.objects.get(pk=peer.pk).cursor == 0


def test_a_missing_parent_is_fetched_by_id(fake_peer, peer):
    venue, room = new_uid(), new_uid()
    fake_peer.objects[("venue", venue)] = venue_data(titles={"fr": "Le Parent"})
    fake_peer.objects[("resource", room)] = resource_data(venue)
    fake_peer.add("busy", new_uid(), busy_data(room))

    result = sync_peer(peer)

    assert result.ok, result.error
    assert ("GET", f"/federation/v1/objects/resource/{room}") in fake_peer.requests
    assert ("GET", f"/federation/v1/objects/venue/{venue}") in fake_peer.requests
    assert VenuePage.objects.get(translation_key=venue).title == "Le Parent"
    assert BusyBlock.objects.get().resource.uid.hex == room.replace("-", "")


def test_a_parent_the_peer_no_longer_has_skips_its_child(fake_peer, peer):
    fake_peer.add("resource", new_uid(), resource_data(new_uid()))
    result = sync_peer(peer)
    assert result.ok, result.error
    assert not Resource.objects.filter(origin=peer.url).exists()


def test_a_uid_of_ours_is_never_overwritten(fake_peer, peer, make_resource):
    ours = make_resource(name="Our desk")
    venue = new_uid()
    fake_peer.add("venue", venue, venue_data())
    fake_peer.add("resource", ours.uid, resource_data(venue, name="Hijacked"))

    result = sync_peer(peer)

    assert not result.ok and "this node" in result.error
    ours.refresh_from_db()
    assert ours.name == "Our desk" and ours.origin == ""
    assert not VenuePage.objects.filter(translation_key=venue).exists()  # the whole page refused


def test_a_uid_of_another_peer_is_refused(fake_peer, peer):
    venue = new_uid()
    fake_peer.add("venue", venue, venue_data())
    assert sync_peer(peer).ok
    VenuePage.objects.filter(translation_key=venue).update(origin="https://third.example")

    fake_peer.add("venue", venue, venue_data(titles={"fr": "Renamed"}))
    peer.refresh_from_db()
    result = sync_peer(peer)
    assert not result.ok and "https://third.example" in result.error
    assert VenuePage.objects.get(translation_key=venue).title == "La Ruche de Québec"


def test_our_venue_cannot_be_deleted_by_a_tombstone(fake_peer, peer, make_venue):
    ours = make_venue()
    fake_peer.add("venue", ours.translation_key, {}, deleted=True)
    result = sync_peer(peer)
    assert not result.ok
    assert VenuePage.objects.filter(pk=ours.pk).exists()


def test_an_expired_hold_is_no_busy_block(fake_peer, peer):
    venue, room = new_uid(), new_uid()
    fake_peer.add("venue", venue, venue_data())
    fake_peer.add("resource", room, resource_data(venue))
    fake_peer.add("busy", new_uid(), busy_data(room, expires_at="2020-01-01T00:00:00+00:00"))
    fake_peer.add("busy", new_uid(), busy_data(room, expires_at="2099-01-01T00:00:00+00:00"))
    assert sync_peer(peer).ok
    assert BusyBlock.objects.count() == 1


def test_pages_are_followed_until_the_head(fake_peer, peer):
    venue, room = new_uid(), new_uid()
    fake_peer.add("venue", venue, venue_data())
    fake_peer.add("resource", room, resource_data(venue))
    for _ in range(7):
        fake_peer.add("busy", new_uid(), busy_data(room))

    result = sync_peer(peer, limit=3)

    assert result.ok and result.pages == 3 and result.applied == 9
    assert BusyBlock.objects.count() == 7
    assert Peer.objects.get(pk=peer.pk).cursor == 9


def test_a_run_stops_after_its_page_budget_and_the_next_carries_on(fake_peer, peer):
    venue = new_uid()
    fake_peer.add("venue", venue, venue_data())
    for _ in range(5):
        fake_peer.add("resource", new_uid(), resource_data(venue))
    assert sync_peer(peer, limit=2, max_pages=2).ok
    peer.refresh_from_db()
    assert (peer.cursor, peer.head) == (4, 6) and peer.lag == 2
    assert sync_peer(peer, limit=2).ok
    assert Resource.objects.filter(origin=peer.url).count() == 5


def test_a_feed_that_goes_backwards_is_refused(fake_peer, peer):
    Peer.objects.filter(pk=peer.pk).update(cursor=10)
    peer.refresh_from_db()
    fake_peer.page_override = {"changes": [], "next": 3, "head": 3, "more": False}
    result = sync_peer(peer)
    assert not result.ok and "backwards" in result.error


def test_a_private_booking_entry_without_its_applier_is_skipped(fake_peer, peer, caplog):
    fake_peer.add("booking", new_uid(), {"status": "confirmed"})
    result = sync_peer(peer)
    assert result.ok
    assert Peer.objects.get(pk=peer.pk).cursor == 1


def test_mirror_pages_are_placed_in_the_tree_as_add_child_would(fake_peer, peer):
    for _ in range(3):
        fake_peer.add("venue", new_uid(), venue_data())
    assert sync_peer(peer).ok
    fake_peer.add("venue", new_uid(), venue_data(kind="social_business_center"))
    peer.refresh_from_db()
    assert sync_peer(peer).ok

    assert all(not problems for problems in Page.find_problems())
    index = MirrorIndexPage.objects.get()
    children = list(index.get_children().specific())
    assert index.numchild == len(children) == 4
    assert [c.url_path for c in children] == [f"{index.url_path}{c.slug}/" for c in children]
    assert all(c.search_text and "ruche" in c.search_text for c in children)


def test_a_private_booking_entry_updates_the_persons_booking_on_another_node(fake_peer, peer):
    """The venue's manager cancels on the peer: its private entry reaches the person's booking here."""
    venue, room = new_uid(), new_uid()
    fake_peer.add("venue", venue, venue_data())
    fake_peer.add("resource", room, resource_data(venue))
    assert sync_peer(peer).ok
    start = timezone.now() + timedelta(days=2)
    booking = RemoteBooking.objects.create(
        peer=peer,
        user=UserFactory(),
        resource=Resource.objects.get(uid=room),
        start=start,
        end=start + timedelta(hours=1),
        status=RemoteBookingStatus.CONFIRMED,
    )
    fake_peer.add("booking", str(booking.uid), {"status": "cancelled", "payment_state": "none", "reference": "AB12"})
    peer.refresh_from_db()
    assert sync_peer(peer).ok
    booking.refresh_from_db()
    assert booking.status == RemoteBookingStatus.CANCELLED and booking.reference == "AB12"
