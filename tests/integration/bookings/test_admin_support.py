"""Shared data for the admin tests (helpers only, no tests): two venues, their managers, resources, bookings.

Each ``test_admin_*`` module builds the world once (``module_world``) inside a transaction that
is rolled back after the module; each test sees it fresh (``load_world``) and its own changes
are rolled back too. Bookings are made through the services, on Monday 2 March 2026 (``NOW``).
"""

from datetime import UTC, datetime
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from wagtail.users.models import UserProfile

from bookings import inventory, services
from bookings.models import Booking, Resource
from tests.integration.support import build_site_tree, create_venue
from venues.models import VenuePage
from venues.services import venue_manager_assign

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 2 March 2026, 8:00 in Paris
TUE_9 = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # Tuesday 9:00 in Paris
TUE_10 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
TUE_11 = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
TUE_12 = datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
WEEKDAYS = [(day, "09:00", "18:00") for day in range(5)]


def _user(username, first_name="", last_name=""):
    # No password: the tests log in with force_login, and hashing one would cost half a second.
    return get_user_model().objects.create_user(
        username, f"{username}@example.org", None, first_name=first_name, last_name=last_name
    )


def admin_in_english(user):
    """The admin follows each user's language preference; English keeps assertions independent of
    the French translations (written later)."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save(update_fields=["preferred_language"])
    return user


def build_world() -> dict:
    tree = build_site_tree()
    a = create_venue(tree, title="Lieu Alpha", slug="lieu-alpha", opening_hours=WEEKDAYS)
    b = create_venue(tree, title="Lieu Bravo", slug="lieu-bravo", opening_hours=WEEKDAYS)
    manager_a = admin_in_english(_user("manager-a", "Ada", "Lovelace"))
    manager_b = admin_in_english(_user("manager-b", "Bob", "Bravo"))
    venue_manager_assign(venue=a, user=manager_a)
    venue_manager_assign(venue=b, user=manager_b)
    alice, carol = _user("alice", "Alice", "Martin"), _user("carol", "Carol", "Dupont")

    common = {"horizon_days": 365}
    room_a = inventory.resource_create(venue=a, name="Salle Lumière", kind="room", price_minor=1500, **common)
    pool_a = inventory.resource_create(venue=a, name="Open space", kind="desk_pool", capacity=4, **common)
    council_a = inventory.resource_create(
        venue=a, name="Salle du conseil", kind="room", approval_required=True, **common
    )
    room_b = inventory.resource_create(venue=b, name="Salle Bleue", kind="room", **common)

    def book(user, resource, start, end, quantity=1):
        request = services.BookingRequest(resource, start, end, quantity)
        return services.booking_create(user=user, request=request, now=NOW)

    return {
        "a": a.pk,
        "b": b.pk,
        "manager_a": manager_a.pk,
        "manager_b": manager_b.pk,
        "alice": alice.pk,
        "carol": carol.pk,
        "room_a": room_a.pk,
        "pool_a": pool_a.pk,
        "council_a": council_a.pk,
        "room_b": room_b.pk,
        "confirmed_a": book(alice, room_a, TUE_9, TUE_10).pk,
        "pending_a": book(alice, council_a, TUE_10, TUE_11).pk,
        "pooled_a": book(carol, pool_a, TUE_9, TUE_12, quantity=2).pk,
        "booking_b": book(alice, room_b, TUE_9, TUE_10).pk,
    }


_KINDS = {
    "venues": ("a", "b"),
    "users": ("manager_a", "manager_b", "alice", "carol"),
    "resources": ("room_a", "pool_a", "council_a", "room_b"),
    "bookings": ("confirmed_a", "pending_a", "pooled_a", "booking_b"),
}


def load_world(ids: dict) -> SimpleNamespace:
    """The world's objects, fresh from the database (four queries)."""
    models = {
        "venues": VenuePage.objects,
        "users": get_user_model().objects,
        "resources": Resource.objects.select_related("venue"),
        "bookings": Booking.objects.select_related("resource__venue", "user"),
    }
    world = SimpleNamespace()
    for kind, keys in _KINDS.items():
        found = models[kind].in_bulk([ids[key] for key in keys])
        for key in keys:
            setattr(world, key, found[ids[key]])
    return world
