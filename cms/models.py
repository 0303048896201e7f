"""Site pages: the network's home page and plain content pages (about, charter, open data)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page

from core import page_cache
from core.moderation import ApprovalCopyForm, ApprovalPermissionTester
from core.validators import SingleLineTitle
from events import page_context as events_page_context
from venues.models import VenueIndexPage
from venues.selectors import venue_counts_by_kind, venue_map_points_all


class ContentBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", label=_("Heading"))
    paragraph = blocks.RichTextBlock(label=_("Paragraph"))
    image = ImageChooserBlock(label=_("Image"))


#: How many of the network's next dates the home page lists (the agenda has the rest).
UPCOMING_EVENTS = 6


class HomePage(SingleLineTitle, Page):
    """The network's front page: what it is, venues by kind, the map, upcoming events."""

    tagline = models.CharField(_("tagline"), max_length=255, blank=True)
    intro = RichTextField(_("introduction"), blank=True)
    body = StreamField(ContentBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("tagline"), FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["venues.VenueIndexPage", "cms.ContentPage"]
    max_count_per_parent = 1
    template = "cms/home_page.html"
    #: Holds programmes, which need approval: see ``core.moderation``.
    copy_form_class = ApprovalCopyForm

    class Meta:
        verbose_name = _("home page")

    def permissions_for_user(self, user):
        return ApprovalPermissionTester(user, self)

    def serve(self, request, *args, **kwargs):
        # The same HTML for every anonymous visitor; its upcoming events show seats left.
        page_cache.cache_this_page(request, seats=True)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["venue_counts"] = venue_counts_by_kind()
        context["map_points"] = venue_map_points_all(request)
        context["directory"] = VenueIndexPage.objects.live().descendant_of(self).first()
        context["upcoming_events"] = events_page_context.network_events(request, limit=UPCOMING_EVENTS)
        return context


class ContentPage(SingleLineTitle, Page):
    body = StreamField(ContentBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.ContentPage"]
    subpage_types = ["cms.ContentPage"]
    template = "cms/content_page.html"

    class Meta:
        verbose_name = _("content page")
