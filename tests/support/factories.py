"""Test data made the way the application makes it.

Each factory creates through the service that owns the object (``site_setup``, ``venue_create``,
``resource_create``, ``closure_create``, ``booking_create``, ``event_page_create``), so what a test
gets has passed the checks real data passes: a venue is published with its team, a resource is
validated, a booking obeys the rules. Create them (the default strategy): ``build()`` would skip
the service.

Defaults are one ordinary case — a tiers-lieu in Lyon on Paris time, open weekdays 9:00–18:00, a
meeting room for one — and a test names only what it is about::

    room = ResourceFactory(max_per_day=1)
    pool = ResourceFactory(venue=room.venue, desk_pool=True)
    booking = BookingFactory(resource=room, start=tuesday_9, end=tuesday_10, now=monday)
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model

from accounts.services import profiles as profile_services
from bookings import inventory
from bookings import services as booking_services
from bookings.models import Booking, Closure, Resource
from cms.services import site_setup
from events import selectors as event_selectors
from events.models import Event, EventPage
from events.services import event_page_create
from venues.models import VENUE_MODELS, Amenity, Label, VenuePage
from venues.services import venue_create

SITE_TRANSLATIONS = {"en": {"home": {"title": "Essaim network"}, "directory": {"title": "Venues", "slug": "venues"}}}
WEEKDAYS_9_TO_18 = [(day, "09:00", "18:00") for day in range(5)]
VENUE_KINDS = tuple(VENUE_MODELS)


def site_tree():
    """The node's page tree (home and venue directory, French and English): made once, found after."""
    return site_setup(translations=SITE_TRANSLATIONS)


def weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def next_weekday_at(resource: Resource, hour: int, *, weekday: int = 1) -> datetime:
    """``hour`` o'clock at the resource's venue on the given weekday (Tuesday) at least two days ahead."""
    zone = ZoneInfo(resource.venue.specific.timezone)
    day = weekday_on_or_after(datetime.now(zone).date() + timedelta(days=2), weekday)
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a password (hashed by ``create_user``) and an e-mail address."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = "person-pass-5e2b"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        user = cls._get_manager(model_class).create_user(*args, **kwargs)
        if user.email:
            # Members in the tests have confirmed their address, as booking asks; tests of
            # unconfirmed addresses make their users another way.
            profile_services.email_mark_verified(user)
        return user


class VenueFactory(factory.Factory):
    """A published venue of ``kind`` (any of ``VENUE_KINDS``) under the site's directory.

    ``amenities`` and ``labels`` are codes; ``opening_hours`` are ``(weekday, opens, closes)`` rows.
    """

    class Meta:
        model = VenuePage

    kind = "tiers_lieu"
    directory = factory.LazyFunction(lambda: site_tree().directory)
    title = factory.Sequence(lambda n: f"Lieu {n}")
    slug = factory.Sequence(lambda n: f"lieu-{n}")
    city = "Lyon"
    country = "FR"
    latitude = 45.76
    longitude = 4.83
    timezone = "Europe/Paris"
    opening_hours = WEEKDAYS_9_TO_18
    amenities = ()
    labels = ()

    @classmethod
    def _create(cls, model_class, *, kind, directory, amenities, labels, **fields):
        if kind == "totem":
            fields.setdefault("french_tech_community", "French Tech Grand Lyon")
        return venue_create(
            directory=directory,
            model=VENUE_MODELS[kind],
            amenities=list(Amenity.objects.filter(code__in=amenities)),
            labels=list(Label.objects.filter(code__in=labels)),
            **fields,
        )


class ResourceFactory(factory.Factory):
    """A meeting room for one at a fresh venue; the traits give the other kinds."""

    class Meta:
        model = Resource

    class Params:
        desk = factory.Trait(kind="desk", name="Bureau 1")
        desk_pool = factory.Trait(kind="desk_pool", name="Open space", capacity=8)
        event_seats = factory.Trait(kind="event_seats", name="Places", capacity=30)

    venue = factory.SubFactory(VenueFactory)
    name = "Salle Lumière"
    kind = "room"
    capacity = 1
    horizon_days = 365

    @classmethod
    def _create(cls, model_class, **fields):
        return inventory.resource_create(**fields)


class ClosureFactory(factory.Factory):
    """A venue closed for one day a fortnight ahead (``resource`` narrows it to one resource)."""

    class Meta:
        model = Closure

    venue = factory.SubFactory(VenueFactory)
    first_day = factory.LazyFunction(lambda: date.today() + timedelta(days=14))
    last_day = None
    resource = None
    yearly = False
    reason = "Inventaire"

    @classmethod
    def _create(cls, model_class, **fields):
        return inventory.closure_create(**fields)


class BookingFactory(factory.Factory):
    """One unit of a resource booked for an hour, next Tuesday 10:00 at the venue, by a new person.

    ``hold=True`` holds it for payment; ``now`` is the service's clock (today by default).
    """

    class Meta:
        model = Booking

    user = factory.SubFactory(UserFactory)
    resource = factory.SubFactory(ResourceFactory)
    start = factory.LazyAttribute(lambda booking: next_weekday_at(booking.resource, 10))
    end = factory.LazyAttribute(lambda booking: booking.start + timedelta(hours=1))
    quantity = 1
    hold = False
    now = None

    @classmethod
    def _create(cls, model_class, *, user, resource, start, end, quantity, **options):
        request = booking_services.BookingRequest(resource, start, end, quantity)
        return booking_services.booking_create(user=user, request=request, **options)


class EventPageFactory(factory.Factory):
    """An event page published through Wagtail's path at a fresh venue: a Tuesday evening over a
    week ahead, three seats. ``changes`` are ``EventDateChange`` field dicts."""

    class Meta:
        model = EventPage

    venue = factory.SubFactory(VenueFactory)
    changes = ()
    title = "Apéro des entrepreneurs"
    start_date = factory.LazyFunction(lambda: weekday_on_or_after(date.today() + timedelta(days=8), 1))
    start_time = time(18, 30)
    end_time = time(20, 0)
    capacity = 3

    @classmethod
    def _create(cls, model_class, **fields):
        return event_page_create(**fields)


class EventFactory(EventPageFactory):
    """The schedule row (``Event``) of an event page made as ``EventPageFactory`` makes it."""

    class Meta:
        model = Event

    @classmethod
    def _create(cls, model_class, **fields):
        return event_selectors.event_for_page(event_page_create(**fields))
