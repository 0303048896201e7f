"""What every page's chrome needs: the navigation in the visitor's language and map settings.

Lazy, so that admin pages and API views that never show the site's navigation pay nothing.
"""

from django.conf import settings
from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from venues.models import VenueIndexPage


def _home(request):
    site = Site.find_for_request(request)
    return site.root_page.localized if site else None


def _directory():
    directory = VenueIndexPage.objects.live().filter(locale__language_code=settings.LANGUAGE_CODE).first()
    return directory.localized if directory else None


def site_chrome(request):
    return {
        "nav_home": SimpleLazyObject(lambda: _home(request)),
        "nav_directory": SimpleLazyObject(_directory),
        "map_tiles": settings.ESSAIM_MAP_TILES,
        "map_attribution": settings.ESSAIM_MAP_ATTRIBUTION,
        "node_name": settings.ESSAIM_NODE_NAME,
    }
