"""What the scale-out test needs in the shared database: the site tree, a venue, a manager of
that venue (who may upload images to its collection), and a network admin who unpublishes a
second venue. Run in the nodes' environment
(``manage.py shell -c "from tests.scaleout.data import main; main()"``); prints the manager and
their collection as JSON."""

import json

from tests.support.factories import UserFactory, VenueFactory, site_tree
from venues.services import venue_manager_assign

USERNAME = "manager-scaleout"
PASSWORD = "scaleout-pass-4f1a"
ADMIN = "admin-scaleout"


def main() -> None:
    tree = site_tree()
    venue = VenueFactory(title="La Ruche des Pentes", slug="la-ruche-des-pentes", directory=tree.directory)
    manager = UserFactory(username=USERNAME, password=PASSWORD)
    team = venue_manager_assign(venue=venue, user=manager)
    other = VenueFactory(title="Le Bocal", slug="le-bocal", directory=tree.directory)
    UserFactory(username=ADMIN, password=PASSWORD, is_staff=True, is_superuser=True)
    print(
        json.dumps(
            {
                "username": USERNAME,
                "password": PASSWORD,
                "collection": team.collection_id,
                "admin": ADMIN,
                "other_id": other.pk,
                "other_path": other.url,
                "directory_path": tree.directory.url,
            }
        )
    )
