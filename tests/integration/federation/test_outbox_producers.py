"""Every write path that changes what peers mirror writes an outbox entry in its transaction:
venues (publish, translation, unpublish, move, delete, geocoder, closures), resources (services,
hours, closures, the admin's forms), events (publish, unpublish, delete) and occupancy (each
booking transition, hold expiry, registrations), tombstones for what leaves; mirrors write nothing."""

from datetime import UTC, date, time, timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from wagtail.models import Page

from bookings import inventory
from bookings import services as booking_services
from bookings.models import Booking, BookingStatus, Closure, Resource
from events.models import Event
from events.services import registration_create
from federation import outbox, producers
from federation.models import Change, ChangeKind, RemoteBooker
from tests.support.factories import BookingFactory, EventFactory, UserFactory
from tests.support.federation import make_peer
from venues import geocoding
from venues import services as venue_services
from venues.models import VenuePage

pytestmark = pytest.mark.django_db


def entries(kind=None, uid=None) -> list[Change]:
    rows = Change.objects.order_by("id")
    if kind:
        rows = rows.filter(kind=kind)
    if uid:
        rows = rows.filter(uid=str(uid))
    return list(rows)


def last(kind, uid) -> Change:
    found = entries(kind, uid)
    assert found, f"no {kind} entry for {uid}"
    return found[-1]


@pytest.fixture
def manager(make_user):
    return make_user("manager-outbox", is_superuser=True, is_staff=True)


# Venues ------------------------------------------------------------------------------------


def test_a_published_venue_writes_one_entry_with_its_hours(make_venue):
    venue = make_venue(opening_hours=[(0, "09:00", "18:00")], title="La Ruche")
    found = entries(ChangeKind.VENUE, venue.translation_key)
    assert len(found) == 1  # created, hours saved, published: one transaction, one entry
    data = found[0].data
    assert data["titles"]["fr"] == "La Ruche"
    assert data["opening_hours"] == [[0, "09:00", "18:00"]]
    assert data["urls"]["fr"].startswith("http")
    assert found[0].deleted is False and found[0].peer is None


def test_a_published_translation_adds_its_language(make_venue):
    venue = make_venue(title="La Ruche")
    venue_services.venue_translate(venue=venue, language="en", title="The Hive")
    data = last(ChangeKind.VENUE, venue.translation_key).data
    assert data["titles"] == {"fr": "La Ruche", "en": "The Hive"}


def test_an_unpublished_venue_and_its_resources_become_tombstones(make_resource):
    resource = make_resource()
    venue = resource.venue
    Page.objects.get(pk=venue.pk).specific.unpublish()
    assert last(ChangeKind.VENUE, venue.translation_key).deleted
    assert last(ChangeKind.RESOURCE, resource.uid).deleted
    venue = VenuePage.objects.get(pk=venue.pk).specific
    venue.save_revision().publish()
    assert not last(ChangeKind.VENUE, venue.translation_key).deleted
    assert not last(ChangeKind.RESOURCE, resource.uid).deleted  # back with its venue


def test_a_venue_deleted_with_its_resources_leaves_a_tombstone_for_each(make_resource):
    room = make_resource(name="Salle A")
    desk = make_resource(venue=room.venue, name="Bureau", kind="desk")
    inventory.closure_create(venue=room.venue, resource=room, first_day=date.today() + timedelta(days=3))
    key = room.venue.translation_key
    with transaction.atomic():
        Page.objects.get(pk=room.venue.pk).delete()
    assert last(ChangeKind.VENUE, key).deleted
    assert last(ChangeKind.RESOURCE, room.uid).deleted
    assert last(ChangeKind.RESOURCE, desk.uid).deleted


def test_a_moved_venue_writes_its_new_address(make_venue, site_tree):
    venue = make_venue(title="La Ruche", slug="la-ruche")
    other = site_tree.directory.add_sibling(instance=type(site_tree.directory)(title="Annuaire 2", slug="annuaire-2"))
    Change.objects.all().delete()
    Page.objects.get(pk=venue.pk).move(other, pos="last-child")
    data = last(ChangeKind.VENUE, venue.translation_key).data
    assert "/annuaire-2/la-ruche/" in data["urls"]["fr"]


def test_the_geocoders_queryset_update_writes_the_new_position(make_venue, monkeypatch):
    venue = make_venue(latitude=None, longitude=None)
    found = geocoding.GeocodeResult(status=geocoding.FOUND, latitude=43.6, longitude=1.44, label="Toulouse")
    monkeypatch.setattr(geocoding, "geocode_address", lambda **_address: found)
    Change.objects.all().delete()
    venue_services.venue_geocode(venue_id=venue.pk)
    data = last(ChangeKind.VENUE, venue.translation_key).data
    assert (data["latitude"], data["longitude"]) == (43.6, 1.44)


def test_a_venue_closure_is_in_the_venues_entry(make_venue, manager):
    venue = make_venue()
    day = date.today() + timedelta(days=10)
    closure = inventory.closure_create(venue=venue, first_day=day, reason="Inventaire", actor=manager)
    assert last(ChangeKind.VENUE, venue.translation_key).data["closures"] == [
        {"first_day": day.isoformat(), "last_day": day.isoformat(), "yearly": False, "reason": "Inventaire"}
    ]
    closure.delete()
    assert last(ChangeKind.VENUE, venue.translation_key).data["closures"] == []


def test_a_mirrored_venue_writes_nothing(make_venue):
    venue = make_venue()
    Change.objects.all().delete()
    VenuePage.objects.filter(pk=venue.pk).update(origin="http://127.0.0.1:8001")
    page = VenuePage.objects.get(pk=venue.pk).specific
    page.save_revision().publish()
    Resource.objects.create(venue=page, name="Miroir", kind="room", origin="http://127.0.0.1:8001")
    assert entries() == []


# Resources ---------------------------------------------------------------------------------


def test_a_resource_created_with_hours_writes_one_entry_with_them(make_venue, manager):
    venue = make_venue()
    resource = inventory.resource_create(
        venue=venue, actor=manager, name="Salle B", kind="room", hours=[(1, time(9), time(12)), (2, time(14), time(18))]
    )
    found = entries(ChangeKind.RESOURCE, resource.uid)
    assert len(found) == 1
    assert found[0].data["hours"] == [[1, "09:00", "12:00"], [2, "14:00", "18:00"]]
    assert found[0].data["venue"] == str(venue.translation_key)
    assert found[0].data["name"] == "Salle B"


def test_a_resource_update_and_its_closures_write_entries(make_resource, manager):
    resource = make_resource()
    inventory.resource_update(resource=resource, actor=manager, name="Salle Verte", hours=[(3, time(8), time(10))])
    data = last(ChangeKind.RESOURCE, resource.uid).data
    assert data["name"] == "Salle Verte" and data["hours"] == [[3, "08:00", "10:00"]]
    day = date.today() + timedelta(days=5)
    closure = inventory.closure_create(venue=resource.venue, resource=resource, first_day=day, actor=manager)
    assert last(ChangeKind.RESOURCE, resource.uid).data["closures"][0]["first_day"] == day.isoformat()
    inventory.closure_update(closure=closure, actor=manager, reason="Travaux")
    assert last(ChangeKind.RESOURCE, resource.uid).data["closures"][0]["reason"] == "Travaux"


def test_a_deleted_resource_is_a_tombstone(make_resource, manager):
    resource = make_resource()
    inventory.resource_delete(resource=resource, actor=manager)
    entry = last(ChangeKind.RESOURCE, resource.uid)
    assert entry.deleted and entry.data == {}


def test_the_admins_generic_forms_write_entries(make_resource, manager, client):
    resource = make_resource()
    client.force_login(manager)
    day = date.today() + timedelta(days=12)
    answer = client.post(
        reverse("booking_closures:add"),
        {"venue": resource.venue.pk, "resource": resource.pk, "first_day": day.isoformat(), "reason": "Fermé"},
    )
    assert answer.status_code in (200, 302)
    closure = Closure.objects.get(resource=resource)
    assert last(ChangeKind.RESOURCE, resource.uid).data["closures"][0]["reason"] == "Fermé"
    answer = client.post(reverse("booking_closures:delete", args=[closure.pk]))
    assert answer.status_code in (200, 302)
    assert not Closure.objects.filter(pk=closure.pk).exists()
    assert last(ChangeKind.RESOURCE, resource.uid).data["closures"] == []


# Events ------------------------------------------------------------------------------------


def test_a_published_event_writes_its_schedule_and_its_seats():
    event = EventFactory()
    entry = last(ChangeKind.EVENT, event.uid)
    assert entry.data["titles"]["fr"] == "Apéro des entrepreneurs"
    assert entry.data["seats"] == str(event.seats.uid)
    assert entry.data["start"] == event.start.astimezone(UTC).isoformat()
    assert last(ChangeKind.RESOURCE, event.seats.uid).data["kind"] == "event_seats"


def test_an_unpublished_event_is_a_tombstone_and_its_seats_close():
    event = EventFactory()
    Page.objects.get(pk=event.page_id).specific.unpublish()  # Wagtail's signal, then the service
    assert last(ChangeKind.EVENT, event.uid).deleted
    assert last(ChangeKind.RESOURCE, event.seats.uid).data["is_active"] is False  # the queryset update


def test_a_deleted_event_is_a_tombstone():
    event = EventFactory()
    Event.objects.get(pk=event.pk).delete()
    assert last(ChangeKind.EVENT, event.uid).deleted


def test_a_mirrored_event_writes_nothing():
    event = EventFactory()
    Change.objects.all().delete()
    Event.objects.filter(pk=event.pk).update(origin="http://127.0.0.1:8001")
    mirrored = Event.objects.get(pk=event.pk)
    mirrored.capacity = 10
    mirrored.save()
    mirrored.delete()
    assert entries(ChangeKind.EVENT) == []


# Occupancy ---------------------------------------------------------------------------------


def test_a_confirmed_booking_writes_its_busy_time(make_resource):
    resource = make_resource()
    booking = BookingFactory(resource=resource)
    entry = last(ChangeKind.BUSY, booking.uid)
    assert entry.data == {
        "resource": str(resource.uid),
        "start": booking.start.astimezone(UTC).isoformat(),
        "end": booking.end.astimezone(UTC).isoformat(),
        "quantity": 1,
        "expires_at": None,
    }
    assert len(entries(ChangeKind.BUSY, booking.uid)) == 1
    assert entries(ChangeKind.BOOKING) == []  # no private entry for this node's own people


def test_each_transition_writes_busy_and_a_cancel_is_a_tombstone(make_resource):
    resource = make_resource()
    booking = BookingFactory(resource=resource, hold=True)
    assert last(ChangeKind.BUSY, booking.uid).data["expires_at"] is not None
    booking_services.booking_confirm(booking=booking)
    assert last(ChangeKind.BUSY, booking.uid).data["expires_at"] is None
    new_start = booking.start + timedelta(hours=2)
    booking_services.booking_reschedule(booking=booking, start=new_start, end=new_start + timedelta(hours=1))
    assert last(ChangeKind.BUSY, booking.uid).data["start"] == new_start.astimezone(UTC).isoformat()
    booking_services.booking_cancel(booking=Booking.objects.get(pk=booking.pk), actor=booking.user)
    assert last(ChangeKind.BUSY, booking.uid).deleted


def test_an_expired_hold_is_a_tombstone(make_resource):
    booking = BookingFactory(resource=make_resource(), hold=True)
    assert booking.status == BookingStatus.HELD
    assert booking_services.hold_expire_all(now=booking.expires_at + timedelta(seconds=1)) == 1
    assert last(ChangeKind.BUSY, booking.uid).deleted


def test_a_rejected_request_and_a_check_in(make_resource, manager):
    resource = make_resource(approval_required=True)
    pending = BookingFactory(resource=resource)
    assert pending.status == BookingStatus.PENDING_APPROVAL
    booking_services.booking_reject(booking=pending, actor=manager)
    assert last(ChangeKind.BUSY, pending.uid).deleted
    booking = BookingFactory(resource=make_resource())
    outbox.stamp()  # committed and read: the check-in writes a new entry
    booking_services.booking_check_in(booking=booking, actor=manager, now=booking.start + timedelta(minutes=5))
    assert not last(ChangeKind.BUSY, booking.uid).deleted
    assert len(entries(ChangeKind.BUSY, booking.uid)) == 2


def test_a_registration_occupies_the_events_seats(make_user):
    event = EventFactory()
    person = UserFactory()
    registration_create(user=person, event=event, recurrence_id=event.start)
    booking = Booking.objects.get(user=person)
    assert last(ChangeKind.BUSY, booking.uid).data["resource"] == str(event.seats.uid)


def test_a_remote_bookers_booking_writes_a_private_entry_for_their_node(make_resource):
    peer, _key = make_peer()
    person = UserFactory()
    RemoteBooker.objects.create(peer=peer, user=person, handle="p-1")
    booking = BookingFactory(resource=make_resource(), user=person)
    private = last(ChangeKind.BOOKING, booking.uid)
    assert private.peer == peer
    assert private.data["status"] == BookingStatus.CONFIRMED and private.data["reference"] == booking.reference
    assert last(ChangeKind.BUSY, booking.uid).peer is None
    booking_services.booking_cancel(booking=booking, actor=person)
    assert last(ChangeKind.BOOKING, booking.uid).data["status"] == BookingStatus.CANCELLED


def test_entries_roll_back_with_their_change(make_resource, manager):
    resource = make_resource()
    Change.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        BookingFactory(resource=resource)
        inventory.resource_update(resource=resource, actor=manager, name="Autre")
        assert entries()  # written in the transaction…
        raise RuntimeError
    assert entries() == []  # …and gone with it


def test_one_transaction_writes_one_entry_per_object(make_resource, manager):
    resource = make_resource()
    Change.objects.all().delete()
    with transaction.atomic():
        for name in ("Un", "Deux", "Trois"):
            inventory.resource_update(resource=resource, actor=manager, name=name)
    found = entries(ChangeKind.RESOURCE, resource.uid)
    assert len(found) == 1 and found[0].data["name"] == "Trois"


def test_an_entry_already_stamped_is_never_rewritten(make_resource, manager):
    resource = make_resource()
    first = last(ChangeKind.RESOURCE, resource.uid)
    outbox.stamp()  # (the test's transaction stands for several: stamping is what commits imply)
    inventory.resource_update(resource=resource, actor=manager, name="Plus tard")
    assert Change.objects.filter(pk=first.pk).exists()
    assert len(entries(ChangeKind.RESOURCE, resource.uid)) == 2


def test_a_payment_state_change_writes_the_private_entry_only(make_resource):
    peer, _key = make_peer()
    remote, local = UserFactory(), UserFactory()
    RemoteBooker.objects.create(peer=peer, user=remote, handle="p-2")
    resource = make_resource()
    theirs = BookingFactory(resource=resource, user=remote)
    ours = BookingFactory(resource=resource, user=local, start=theirs.start + timedelta(hours=2))
    outbox.stamp()
    before = Change.objects.count()
    for booking in (theirs, ours):
        booking.payment_state = "refunded"
        booking.save(update_fields=["payment_state", "updated_at"])
    added = list(Change.objects.order_by("id")[before:])
    assert [(c.kind, c.uid, c.peer_id) for c in added] == [(ChangeKind.BOOKING, theirs.uid, peer.pk)]
    assert added[0].data["payment_state"] == "refunded"


def test_a_remote_booker_read_with_the_user_costs_no_lookup(make_resource, django_assert_num_queries):
    peer, _key = make_peer()
    person = UserFactory()
    RemoteBooker.objects.create(peer=peer, user=person, handle="p-3")
    booking = BookingFactory(resource=make_resource(), user=person)
    booking = Booking.objects.select_related("resource", "user__remote_booker").get(pk=booking.pk)
    producers._batch().written.clear()  # as in a new transaction (the test's one stands for several)
    with django_assert_num_queries(1):  # one INSERT of both entries
        producers.booking_changed(booking)
    assert last(ChangeKind.BOOKING, booking.uid).peer == peer
