"""sitemap.xml with every live page in every language (Wagtail's lists one locale's tree)."""

from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class NetworkSitemap(Sitemap):
    def items(self):
        roots = self.get_wagtail_site().root_page.get_translations(inclusive=True)
        in_any_tree = Q()
        for root in roots:
            in_any_tree |= Q(path__startswith=root.path, depth__gte=root.depth)
        return Page.objects.filter(in_any_tree).live().public().order_by("path").defer_streamfields().specific()
