"""The bookings list (with its CSV), one booking's page, its actions and its refunds.

The actions offered are the moves ``bookings.state_machine`` opens for the booking now; the
service still has the last word, and its refusal is shown as it is. Recorded reasons are shown
through ``core.audit.reason_label``: the engine's in the admin's language, a person's as typed.
"""

import csv
from zoneinfo import ZoneInfo

from django.db.models import Case, F, Q, When
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button

from bookings import selectors, services, state_machine
from bookings.admin.approvals import decision_links
from bookings.admin.common import amount_label, booker_label, booking_detail_url, booking_time, local_day, venue_zone
from bookings.admin.forms import BookingFilterSet, RefundForm
from bookings.admin.hints import closure_flag, waiting_labels
from bookings.admin.payment_panel import payment_panel
from bookings.models import Booking, BookingStatus
from bookings.payments import ledger
from bookings.payments import services as payment_services
from bookings.presentation import STATUS_LABELS
from core import money
from core.audit import reason_label
from core.errors import DomainError
from core.formatting import active_language, csv_safe, money_label, time_span_label
from venues.permissions import ManagerRequiredMixin, venues_managed_by

#: Statuses shown as a filled tag in the list: the bookings that hold (or ask for) their place.
STATUS_PRIMARY = {BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.PENDING_APPROVAL}

#: The list's default order: today's and coming bookings first, the soonest first, then past ones,
#: the latest first ("today" is each venue's own day). Not a column's ordering, so no header is marked.
TODAY_FIRST = "today-first"

#: The moves the list offers or explains: approving and rejecting (through their confirmation page).
#: Check-in stays in the day view, which explains it.
LIST_MOVES = ("approve", "reject")


class BookingPaginator(WagtailPaginator):
    """ "3 bookings" in the admin's language, with its plural rules (Wagtail writes the model's
    English plural after the number)."""

    @cached_property
    def items_count_label(self):
        return ngettext("%(count)s booking", "%(count)s bookings", self.count) % {"count": self.count}


class ActionsColumn(Column):
    """Approve and reject links, the closure a booking falls on and why an action waits."""

    cell_template_name = "bookings/admin/_list_actions_cell.html"


def today_first(queryset, *, user, now):
    """Order ``queryset`` with each venue's today and what follows first (soonest first), then the
    past (latest first): what a manager works on at the top, whatever the zones of their venues."""
    zones = set(venues_managed_by(user).values_list("timezone", flat=True))
    ahead = Q(pk__in=[])
    for zone in zones:
        today = local_day(now.astimezone(ZoneInfo(zone)).date(), ZoneInfo(zone))
        ahead |= Q(resource__venue__timezone=zone, end__gt=today.start)
    queryset = queryset.annotate(ahead=Case(When(ahead, then=1), default=0))
    return queryset.order_by(F("ahead").desc(), Case(When(ahead=1, then=F("start"))).asc(), F("start").desc(), "pk")


class BookingIndexView(generic.IndexView):
    """Bookings of the user's venues, filtered by local dates, venue, resource and status; CSV export."""

    model = Booking
    filterset_class = BookingFilterSet
    default_ordering = TODAY_FIRST
    paginator_class = BookingPaginator
    paginate_by = 50
    page_title = gettext_lazy("Bookings")
    header_icon = "list-ul"
    search_fields = ["reference", "user__email", "user__first_name", "user__last_name"]
    search_backend_name = None
    FORMATS = ("csv",)
    list_export = ["reference"]  # shows the export button; the CSV's columns are ``csv_columns``

    def get_base_queryset(self):
        return selectors.bookings_for_manager(user=self.request.user)

    def render_to_response(self, context, **kwargs):
        """Filters that could not be read are shown with their error, and answered as bad input."""
        bad = self.filters is not None and self.filters.is_bound and not self.filters.is_valid()
        return super().render_to_response(context, **({"status": 400} if bad else {}) | kwargs)

    def get_valid_orderings(self):
        return [TODAY_FIRST, "start", "-start", "created_at", "-created_at"]

    def order_queryset(self, queryset):
        if self.ordering == TODAY_FIRST:
            return today_first(queryset, user=self.request.user, now=timezone.now())
        return super().order_queryset(queryset)

    def get_table(self, object_list):
        """Each row's decisions, hints and closures, read once for the page's bookings."""
        now, rows = timezone.now(), list(object_list)
        closed = selectors.closures_covering(rows)
        back = reverse("booking_list:index") + (f"?{self.request.GET.urlencode()}" if self.request.GET else "")
        self.row_actions = {
            booking.pk: {
                "links": decision_links(booking, now, back),
                "closed": closure_flag(closed.get(booking.pk)),
                "waiting": waiting_labels(booking, now, venue_zone(booking.resource.venue), among=LIST_MOVES),
            }
            for booking in rows
        }
        return super().get_table(object_list)

    @cached_property
    def verbose_name_plural(self):
        return _("bookings")

    @cached_property
    def columns(self):
        return [
            TitleColumn("reference", label=_("Reference"), get_url=booking_detail_url),
            Column(
                "start",
                label=_("When (local time)"),
                sort_key="start",
                accessor=lambda b: time_span_label(b.start, b.end, venue_zone(b.resource.venue)),
            ),
            Column("resource", label=_("Resource"), accessor=lambda b: f"{b.resource.name} · {b.resource.venue.title}"),
            Column("booker", label=_("Booker"), accessor=lambda b: booker_label(b.user)),
            Column("quantity", label=_("Qty")),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor=lambda b: STATUS_LABELS.get(b.status, b.status),
                primary=lambda b: b.status in STATUS_PRIMARY,
            ),
            Column(
                "amount",
                label=_("Amount"),
                accessor=amount_label,
            ),
            ActionsColumn("actions", label=_("Actions"), accessor=lambda b: self.row_actions.get(b.pk, {})),
        ]

    @cached_property
    def header_more_buttons(self):
        return [Button(_("Download CSV"), url=self.csv_export_url, icon_name="download", priority=100)]

    def csv_columns(self):
        return [
            (_("Reference"), lambda b, tz: b.reference),
            (_("Venue"), lambda b, tz: b.resource.venue.title),
            (_("Resource"), lambda b, tz: b.resource.name),
            (_("Start (local time)"), lambda b, tz: f"{b.start.astimezone(tz):%Y-%m-%d %H:%M}"),
            (_("End (local time)"), lambda b, tz: f"{b.end.astimezone(tz):%Y-%m-%d %H:%M}"),
            (_("Time zone"), lambda b, tz: b.resource.venue.timezone),
            (_("Booker"), lambda b, tz: b.user.get_full_name() or b.user.get_username()),
            (_("E-mail"), lambda b, tz: b.user.email),
            (_("Quantity"), lambda b, tz: b.quantity),
            (_("Status"), lambda b, tz: STATUS_LABELS.get(b.status, b.status)),
            (_("Amount"), lambda b, tz: money.to_decimal(b.amount_minor, b.currency)),
            (_("Currency"), lambda b, tz: b.currency),
            (_("Payment"), lambda b, tz: b.get_payment_state_display()),
        ]

    def stream_csv(self, queryset, language):
        """Rows are written while the response streams, after the view returned and Wagtail's
        per-user language was reset: the user's language is set again around each row."""

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())
        with translation.override(language):
            columns = self.csv_columns()
            header = "\ufeff" + writer.writerow([str(heading) for heading, _getter in columns])
        yield header
        for booking in queryset.iterator(chunk_size=500):
            tz = venue_zone(booking.resource.venue)
            with translation.override(language):
                row = writer.writerow([csv_safe(getter(booking, tz)) for _heading, getter in columns])
            yield row

    def write_csv_response(self, queryset):
        stream = self.stream_csv(queryset, translation.get_language())
        response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
        filename = f"bookings-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class BookingDetailView(ManagerRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """One booking: who, what, when (local time), money, the actions, and its audit trail."""

    template_name = "bookings/admin/booking_detail.html"
    header_icon = "calendar-check"

    def get_page_title(self):
        return _("Booking %(reference)s") % {"reference": self.booking.reference}

    @cached_property
    def booking(self):
        return get_object_or_404(selectors.bookings_for_manager(user=self.request.user), pk=self.kwargs["pk"])

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("booking_list:index"), "label": _("Bookings")},
            {"url": "", "label": self.booking.reference},
        ]

    @cached_property
    def refundable_minor(self) -> int:
        return ledger.totals(self.booking).refundable

    def refund_form(self, data=None) -> RefundForm | None:
        """The refund form, while something is left to refund."""
        if not self.refundable_minor:
            return None
        booking = self.booking
        return RefundForm(
            data,
            currency=booking.currency,
            refundable_minor=self.refundable_minor,
            language=active_language(),
            prefix="refund",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking = self.booking
        tz = venue_zone(booking.resource.venue)
        actions = state_machine.moves_open(booking, timezone.now())
        context.setdefault("refund_form", self.refund_form())
        context.update(
            booking=booking,
            # Where actions come back to: the page's own URL, even when it is shown by the refund POST.
            detail_url=booking_detail_url(booking),
            payment=payment_panel(booking, tz, refundable_minor=self.refundable_minor),
            when=time_span_label(booking.start, booking.end, tz),
            tz_name=booking.resource.venue.timezone,
            booker=booker_label(booking.user),
            amount=amount_label(booking),
            status_label=STATUS_LABELS.get(booking.status, booking.status),
            cancel_reason=reason_label(booking.cancel_reason),
            closed=closure_flag(selectors.closures_covering([booking]).get(booking.pk)),
            buttons=[action for action in actions if action not in ("cancel", "reject")],
            can_cancel="cancel" in actions,
            can_reject="reject" in actions,
            expires=booking_time(booking.expires_at, tz) if booking.status == BookingStatus.HELD else "",
            transitions=[
                {
                    "at": booking_time(t.at, tz),
                    "from": STATUS_LABELS.get(t.from_status, t.from_status),
                    "to": STATUS_LABELS.get(t.to_status, t.to_status),
                    "actor": booker_label(t.actor) if t.actor else _("the system"),
                    "reason": reason_label(t.reason),
                }
                for t in selectors.booking_transitions(booking)
            ],
            day_url=reverse("booking_day:index")
            + f"?venue={booking.resource.venue_id}&date={booking.start.astimezone(tz):%Y-%m-%d}",
        )
        return context


class BookingRefundView(BookingDetailView):
    """POST a refund from the detail page: the form again with its errors, or the page with a message."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        booking = self.booking
        form = self.refund_form(request.POST)
        if form is None:
            messages.error(request, _("Nothing is left to refund on this booking."))
            return redirect(booking_detail_url(booking))
        if form.is_valid():
            amount_minor = form.cleaned_data["amount_minor"]
            try:
                payment_services.payment_refund(
                    booking=booking, amount_minor=amount_minor, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("%(amount)s refunded on %(reference)s: the booker is told.")
                    % {"amount": money_label(amount_minor, booking.currency), "reference": booking.reference},
                )
                return redirect(booking_detail_url(booking))
        messages.error(request, _("The refund was not made: see the form below."))
        return self.render_to_response(self.get_context_data(refund_form=form))


class BookingActionView(ManagerRequiredMixin, View):
    """POST one action on a booking; the service's refusal is shown as it is."""

    http_method_names = ["post"]
    ACTIONS = {
        "check-in": (
            lambda booking, user, reason: services.booking_check_in(booking=booking, actor=user),
            gettext_lazy("%(reference)s checked in."),
        ),
        "no-show": (
            lambda booking, user, reason: services.booking_mark_no_show(booking=booking, actor=user),
            gettext_lazy("%(reference)s marked as a no-show."),
        ),
        "approve": (
            lambda booking, user, reason: services.booking_approve(booking=booking, actor=user),
            gettext_lazy("%(reference)s approved: the booker is told."),
        ),
        "reject": (
            lambda booking, user, reason: services.booking_reject(booking=booking, actor=user, reason=reason),
            gettext_lazy("%(reference)s rejected: the booker is told."),
        ),
        "cancel": (
            lambda booking, user, reason: services.booking_cancel(booking=booking, actor=user, reason=reason),
            gettext_lazy("%(reference)s cancelled: the booker is told."),
        ),
        "record-payment": (
            lambda booking, user, reason: payment_services.payment_record_at_venue(booking=booking, actor=user),
            gettext_lazy("%(reference)s: payment at the venue recorded."),
        ),
    }

    def post(self, request, pk, action):
        if action not in self.ACTIONS:
            raise Http404
        booking = get_object_or_404(selectors.bookings_for_manager(user=request.user), pk=pk)
        perform, success = self.ACTIONS[action]
        try:
            perform(booking, request.user, request.POST.get("reason", "").strip())
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, success % {"reference": booking.reference})
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = booking_detail_url(booking)
        return redirect(next_url)
