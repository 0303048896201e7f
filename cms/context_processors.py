"""What every page's chrome needs: the navigation in the visitor's language and map settings."""

from django.conf import settings
from wagtail.models import Site

from venues.models import VenueIndexPage


def site_chrome(request):
    site = Site.find_for_request(request)
    home = site.root_page.localized if site else None
    directory = VenueIndexPage.objects.live().first()
    return {
        "nav_home": home,
        "nav_directory": directory.localized if directory else None,
        "map_tiles": settings.ESSAIM_MAP_TILES,
        "map_attribution": settings.ESSAIM_MAP_ATTRIBUTION,
        "node_name": settings.ESSAIM_NODE_NAME,
    }
