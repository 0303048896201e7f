"""sitemap.xml with every live page in every language (Wagtail's lists one locale's tree), our
own pages only: a peer's mirrored venues live under a ``MirrorIndexPage`` and are its node's to
list (search engines should find them at their origin, not twice)."""

from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from venues.models import MirrorIndexPage


class NetworkSitemap(Sitemap):
    def items(self):
        roots = self.get_wagtail_site().root_page.get_translations(inclusive=True)
        in_any_tree = Q()
        for root in roots:
            in_any_tree |= Q(path__startswith=root.path, depth__gte=root.depth)
        mirrored = Q()
        for path in MirrorIndexPage.objects.values_list("path", flat=True):
            mirrored |= Q(path__startswith=path)
        pages = Page.objects.filter(in_any_tree)
        if mirrored:
            pages = pages.exclude(mirrored)
        return pages.live().public().order_by("path").defer_streamfields().specific()
