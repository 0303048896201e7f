"""The pages the production smoke test asks for, made in the database the node under test uses.

Run in that node's environment (``manage.py shell -c "from ... import main; main()"``): a venue with
a bookable room and an event, the site tree around them; prints their paths as JSON."""

import json

from django.urls import reverse
from django.utils import translation

from events.models import EventPage
from tests.support.factories import EventFactory, ResourceFactory, VenueFactory, site_tree


def main() -> None:
    tree = site_tree()
    venue = VenueFactory(title="La Ruche des Pentes", slug="la-ruche-des-pentes", directory=tree.directory)
    room = ResourceFactory(venue=venue, name="Salle Croix-Rousse")
    event = EventFactory(venue=venue, title="Atelier réparation")
    with translation.override("fr"):
        paths = {
            "home": tree.home.url,
            "directory": tree.directory.url,
            "venue": venue.url,
            "agenda": reverse("events:agenda"),
            "event": EventPage.objects.get(pk=event.page_id).url,
            "booking": reverse("bookings:resource", args=[room.pk]),
            "admin log-in": reverse("account_login"),
        }
    print(json.dumps(paths))
