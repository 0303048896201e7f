"""Mirrored objects (a peer node's venues, resources, events and occupancy) made directly, the way
the federation's mirror writes them: rows of the same tables with ``origin`` set.

The federation's own apply step is tested elsewhere; read paths need only the rows::

    peer = "https://a.example"
    venue = mirror_venue(peer, title="Halle A", city="Lyon")
    room = mirror_resource(venue, name="Salle A")
    event = mirror_event(venue, titles={"fr": "Atelier", "en": "Workshop"}, start=..., end=...)
    mirror_busy(room, start=..., end=...)
"""

import uuid
from datetime import time, timedelta
from urllib.parse import urlsplit

from django.utils.text import slugify

from bookings.models import BusyBlock, Resource
from events.models import Event
from tests.support.factories import WEEKDAYS_9_TO_18, site_tree
from venues.models import VENUE_MODELS, MirrorIndexPage, OpeningHours, VenuePage

PEER = "https://a.example"


def mirror_index(origin: str = PEER) -> MirrorIndexPage:
    """The container of ``origin``'s venues under the directory (one per peer)."""
    found = MirrorIndexPage.objects.filter(origin=origin).first()
    if found is not None:
        return found
    directory = site_tree().directory
    host = urlsplit(origin).netloc
    return directory.add_child(instance=MirrorIndexPage(title=host, slug=slugify(host), origin=origin))


def mirror_venue(
    origin: str = PEER,
    *,
    kind: str = "tiers_lieu",
    title: str = "Lieu miroir",
    opening_hours=WEEKDAYS_9_TO_18,
    **fields,
) -> VenuePage:
    """A live mirrored venue of ``kind`` with its pages on the origin node in ``origin_urls`` and
    its opening hours (``(weekday, "09:00", "18:00")`` rows, as the owner publishes them)."""
    slug = fields.pop("slug", None) or slugify(title) + "-" + uuid.uuid4().hex[:6]
    fields.setdefault("city", "Lyon")
    fields.setdefault("country", "FR")
    fields.setdefault("latitude", 45.76)
    fields.setdefault("longitude", 4.83)
    fields.setdefault("timezone", "Europe/Paris")
    fields.setdefault("origin_urls", {"fr": f"{origin}/lieux/{slug}/", "en": f"{origin}/en/venues/{slug}/"})
    if kind == "totem":
        fields.setdefault("french_tech_community", "French Tech Ailleurs")
    parent = mirror_index(origin)
    page = VENUE_MODELS[kind](
        title=title, slug=slug, origin=origin, translation_key=uuid.uuid4(), locale=parent.locale, **fields
    )
    page = parent.add_child(instance=page)
    for weekday, opens, closes in opening_hours:
        OpeningHours.objects.create(
            page=page, weekday=weekday, opens=time.fromisoformat(opens), closes=time.fromisoformat(closes)
        )
    return page


def mirror_resource(venue: VenuePage, *, name: str = "Salle miroir", kind: str = "room", **fields) -> Resource:
    fields.setdefault("capacity", 1)
    fields.setdefault("horizon_days", 365)
    return Resource.objects.create(venue=venue, name=name, kind=kind, origin=venue.origin, uid=uuid.uuid4(), **fields)


def mirror_event(
    venue: VenuePage, *, start, end=None, titles=None, capacity: int = 20, seats: Resource | None = None, **fields
) -> Event:
    """A mirrored event (no local page) with its seats mirrored as an ``event_seats`` resource."""
    end = end or start + timedelta(hours=2)
    uid = fields.pop("uid", None) or uuid.uuid4()
    if seats is None:
        seats = mirror_resource(venue, name="Places", kind="event_seats", capacity=capacity)
    return Event.objects.create(
        uid=uid,
        page=None,
        origin=venue.origin,
        origin_urls=fields.pop(
            "origin_urls", {"fr": f"{venue.origin}/agenda/{uid}/", "en": f"{venue.origin}/en/agenda/{uid}/"}
        ),
        venue=venue,
        seats=seats,
        titles=titles or {"fr": "Atelier miroir", "en": "Mirrored workshop"},
        timezone=venue.timezone,
        start=start,
        end=end,
        last_end=fields.pop("last_end", end),
        capacity=capacity,
        **fields,
    )


def mirror_busy(resource: Resource, *, start, end, quantity: int = 1) -> BusyBlock:
    """The origin's occupancy of a mirrored resource (one booking there), as the mirror stores it."""
    return BusyBlock.objects.create(
        resource=resource, start=start, end=end, quantity=quantity, source=resource.origin, uid=str(uuid.uuid4())
    )
