"""Answering requests from the lists: the links to approve or reject, their confirmation page, and
the dashboard's "Requests to answer".

The confirmation page posts to ``BookingActionView`` (the one way a manager's move is made); it
only shows what is decided, and whether the day has been closed since the request.
"""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from bookings import selectors, state_machine
from bookings.admin.common import amount_label, booker_label, booking_detail_url, venue_zone
from bookings.admin.hints import closure_flag, waiting_labels
from bookings.models import Booking, BookingStatus
from core.formatting import time_span_label
from venues.permissions import ManagerRequiredMixin, venues_managed_by

#: The moves answered through the confirmation page.
DECISIONS = ("approve", "reject")

#: How many requests the dashboard lists (the rest are one click away, in the bookings list).
PANEL_SIZE = 10


def decision_links(booking, now, next_url: str) -> list[dict]:
    """``[{"action", "url"}]`` for the decisions open on ``booking`` now, each to its confirmation page."""
    query = urlencode({"next": next_url})
    return [
        {"action": move, "url": f"{reverse('booking_list:confirm', args=[booking.pk, move])}?{query}"}
        for move in state_machine.moves_open(booking, now, among=DECISIONS)
    ]


class BookingConfirmView(ManagerRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """ "Approve (or reject) this request?": the request's facts, then one button that posts the move."""

    template_name = "bookings/admin/booking_confirm.html"
    header_icon = "calendar-check"

    def dispatch(self, request, *args, **kwargs):
        if kwargs["action"] not in DECISIONS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def booking(self):
        return get_object_or_404(selectors.bookings_for_manager(user=self.request.user), pk=self.kwargs["pk"])

    @property
    def action(self) -> str:
        return self.kwargs["action"]

    def get_page_title(self):
        if self.action == "approve":
            return _("Approve request %(reference)s?") % {"reference": self.booking.reference}
        return _("Reject request %(reference)s?") % {"reference": self.booking.reference}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("booking_list:index"), "label": _("Bookings")},
            # The decision is the title: a third crumb would be too wide on a phone.
            {"url": "", "label": self.booking.reference},
        ]

    def next_url(self) -> str:
        """Where the move comes back to: the list it was asked from, or the booking's page."""
        next_url = self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, {self.request.get_host()}, self.request.is_secure()):
            return next_url
        return booking_detail_url(self.booking)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking, now = self.booking, timezone.now()
        tz = venue_zone(booking.resource.venue)
        context.update(
            booking=booking,
            action=self.action,
            is_open=self.action in state_machine.moves_open(booking, now, among=DECISIONS),
            waiting=waiting_labels(booking, now, tz, among=(self.action,)),
            status_label=booking.get_status_display(),
            when=time_span_label(booking.start, booking.end, tz),
            tz_name=booking.resource.venue.timezone,
            booker=booker_label(booking.user),
            amount=amount_label(booking),
            closed=closure_flag(selectors.closures_covering([booking]).get(booking.pk)),
            next_url=self.next_url(),
            detail_url=booking_detail_url(booking),
        )
        return context


class RequestsPanel(Component):
    """The dashboard's "Requests to answer": the soonest requests awaiting approval, each with its
    approve and reject links (the same confirmation page as the lists)."""

    name = "bookings_requests"
    order = 55
    template_name = "bookings/admin/requests_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        now = timezone.now()
        pending = Booking.objects.filter(
            resource__venue__in=venues_managed_by(self.user), status=BookingStatus.PENDING_APPROVAL, start__gt=now
        )
        total = pending.count()
        requests = list(pending.select_related("resource__venue", "user").order_by("start", "pk")[:PANEL_SIZE])
        closed = selectors.closures_covering(requests)
        dashboard = reverse("wagtailadmin_home")
        context.update(
            total=total,
            heading=ngettext("%(count)d request to answer", "%(count)d requests to answer", total) % {"count": total},
            rows=[
                {
                    "booking": booking,
                    "when": time_span_label(booking.start, booking.end, venue_zone(booking.resource.venue)),
                    "booker": booker_label(booking.user),
                    "closed": closure_flag(closed.get(booking.pk)),
                    "links": decision_links(booking, now, dashboard),
                }
                for booking in requests
            ],
            more_url=reverse("booking_list:index") + "?status=pending_approval",
        )
        return context

    def render_html(self, parent_context=None):
        """No panel when nothing waits for an answer."""
        context = self.get_context_data(parent_context)
        if not context["total"]:
            return ""
        return get_template(self.template_name).render(context)
