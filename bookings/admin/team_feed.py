"""The "Team calendar" page: where a venue's team finds its private feed (who booked what) and the
public feeds of each resource (events and free/busy), and renews the private address.

Only the venue's managers (network admins: every venue) reach a venue's page; another venue's
is a 404, as everywhere in this admin."""

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from bookings import ics, selectors, services
from venues.permissions import ManagerRequiredMixin, venues_managed_by


def _webcal(url: str) -> str:
    """The same address for calendar apps: ``webcal://`` opens a subscription instead of a download."""
    return "webcal://" + url.split("://", 1)[-1]


def team_feed_url(feed) -> str:
    return ics.site_url(reverse("feeds:venue-team", kwargs={"secret": feed.secret}))


class TeamFeedIndexView(ManagerRequiredMixin, View):
    """The menu's entry: the first of the user's venues by name (the page links to the others)."""

    def get(self, request):
        venue = venues_managed_by(request.user).order_by("title").first()
        return redirect("booking_team_feed:venue", pk=venue.pk)


class VenueScopedMixin(ManagerRequiredMixin):
    @cached_property
    def venue(self):
        return get_object_or_404(venues_managed_by(self.request.user), pk=self.kwargs["pk"])


class TeamFeedView(VenueScopedMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "bookings/admin/team_feed.html"
    page_title = gettext_lazy("Team calendar")
    header_icon = "calendar"

    def get_page_subtitle(self):
        return self.venue.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        venue = self.venue
        feed = services.venue_feed_ensure(venue=venue, actor=self.request.user)  # made on first visit
        url = team_feed_url(feed)
        resources = [
            {
                "resource": resource,
                "feed_url": ics.site_url(reverse("feeds:resource", kwargs={"pk": resource.pk})),
                "freebusy_url": ics.site_url(reverse("feeds:resource-freebusy", kwargs={"pk": resource.pk})),
            }
            for resource in selectors.resources_bookable().filter(venue=venue).order_by("kind", "name")
        ]
        context.update(
            venue=venue,
            feed_url=url,
            webcal_url=_webcal(url),
            resources=resources,
            other_venues=venues_managed_by(self.request.user).exclude(pk=venue.pk).order_by("title"),
            renew_url=reverse("booking_team_feed:renew", kwargs={"pk": venue.pk}),
        )
        return context


class TeamFeedRenewView(VenueScopedMixin, View):
    """POST only, with the box "the old address stops working" ticked: a new secret at once."""

    http_method_names = ["post"]

    def post(self, request, pk):
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm: the old address will stop working."))
        else:
            services.venue_feed_regenerate(venue=self.venue, actor=request.user)
            messages.success(
                request,
                _("The team calendar has a new address. The old one no longer works: subscribe again with this one."),
            )
        return redirect("booking_team_feed:venue", pk=self.venue.pk)
