"""The venue managers' side of the booking engine in the Wagtail admin.

Who sees what: a manager works on the venues ``venues.permissions.venues_managed_by`` gives them (all of
them for network admins) and on nothing else. ``VenueScopedPermissionPolicy`` answers Wagtail's
permission questions from that, per object; every view also narrows its queryset to those venues,
so another venue's resource, closure or booking is a 404, whatever id is typed in the URL.

Views stay thin: they read through querysets scoped as above, change bookings only through
``bookings.services`` and show a refused service's message as it is.
"""

import csv
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from bookings import availability as av
from bookings import reports, selectors, services
from bookings.admin_forms import BookingFilterSet, DayForm, RefundForm, ReportForm
from bookings.models import (
    Booking,
    BookingStatus,
    PaymentProvider,
    PaymentState,
    PaymentStatus,
    RefundKind,
    RefundStatus,
    Resource,
)
from bookings.payments import ledger
from bookings.payments import services as payment_services
from bookings.presentation import STATUS_LABELS
from core import money
from core.errors import DomainError
from core.formatting import active_language, csv_safe, money_label, time_span_label
from venues.permissions import ManagerRequiredMixin, ScopedIndexMixin, ScopedObjectMixin, venues_managed_by

# Local times ----------------------------------------------------------------------------------


def venue_zone(venue) -> ZoneInfo:
    return ZoneInfo(venue.timezone)


def amount_label(booking) -> str:
    if booking.payment_state == PaymentState.NONE and not booking.amount_minor:
        return booking.get_payment_state_display()
    return f"{money_label(booking.amount_minor, booking.currency)} · {booking.get_payment_state_display()}"


def booker_label(user) -> str:
    name = user.get_full_name().strip()
    return f"{name} <{user.email}>" if name and user.email else name or user.email or user.get_username()


# Resources and closures -----------------------------------------------------------------------


class ResourceIndexView(ScopedIndexMixin, generic.IndexView):
    def scoped_queryset(self):
        return super().scoped_queryset().filter(origin="").select_related("venue")


class ResourceEditView(ScopedObjectMixin, generic.EditView):
    def scoped_queryset(self):
        return super().scoped_queryset().filter(origin="")


class NoUsageDeleteView(ScopedObjectMixin, generic.DeleteView):
    """Wagtail's reference index does not know bookings: its "used 0 times" would mislead."""

    def get_usage_url(self):
        return None


class ResourceDeleteView(NoUsageDeleteView):
    """A resource with bookings is not deleted (``services.resource_delete`` refuses): the page
    says so and points to the ``bookable`` switch instead."""

    template_name = "bookings/admin/resource_confirm_delete.html"

    def scoped_queryset(self):
        return super().scoped_queryset().filter(origin="")

    @cached_property
    def booking_count(self):
        return self.object.bookings.count()

    def delete_action(self):
        with transaction.atomic():
            log(instance=self.object, action="wagtail.delete", user=self.request.user)
            services.resource_delete(resource=self.object, actor=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DomainError as error:
            messages.error(self.request, error.message)
            return redirect(self.edit_url_name, self.object.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["booking_count"] = self.booking_count
        context["edit_url"] = reverse(self.edit_url_name, args=[self.object.pk])
        return context


class ClosureIndexView(ScopedIndexMixin, generic.IndexView):
    def scoped_queryset(self):
        return super().scoped_queryset().select_related("venue", "resource")


class ClosureEditView(ScopedObjectMixin, generic.EditView):
    pass


class ClosureDeleteView(NoUsageDeleteView):
    pass


class ScopedHistoryView(ScopedObjectMixin, HistoryView):
    pass


class ScopedUsageView(ScopedObjectMixin, UsageView):
    pass


# Bookings: list, CSV, one booking, actions ----------------------------------------------------

#: The engine's own reasons for the changes it records, as people read them.
SYSTEM_REASONS = {
    "checked in": gettext_lazy("checked in"),
    "no-show": gettext_lazy("did not come"),
    "approved": gettext_lazy("approved"),
    "paid": gettext_lazy("paid"),
    "expired": gettext_lazy("not confirmed in time"),
    "cancelled by the booker": gettext_lazy("cancelled by the booker"),
}
STATUS_PRIMARY = {BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.PENDING_APPROVAL}


def booking_detail_url(booking) -> str:
    return reverse("booking_list:detail", args=[booking.pk])


class BookingIndexView(generic.IndexView):
    """Bookings of the user's venues, filtered by local dates, venue, resource and status; CSV export."""

    model = Booking
    filterset_class = BookingFilterSet
    default_ordering = "-start"
    paginate_by = 50
    page_title = gettext_lazy("Bookings")
    header_icon = "list-ul"
    search_fields = ["reference", "user__email", "user__first_name", "user__last_name"]
    search_backend_name = None
    FORMATS = ("csv",)
    list_export = ["reference"]  # shows the export button; the CSV's columns are ``csv_columns``

    def get_base_queryset(self):
        return selectors.bookings_for_manager(user=self.request.user)

    def get_valid_orderings(self):
        return ["start", "-start", "created_at", "-created_at"]

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


def booking_actions(booking: Booking, now: datetime) -> list[str]:
    """The actions that make sense for a booking now; the services still have the last word."""
    status = booking.status
    actions = []
    if status == BookingStatus.PENDING_APPROVAL:
        actions += ["approve", "reject"]
    check_in_opens = booking.start - timedelta(minutes=settings.ESSAIM_CHECK_IN_EARLY_MINUTES)
    if status in (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW) and check_in_opens <= now < booking.end:
        actions.append("check-in")
    if status == BookingStatus.CONFIRMED and now >= booking.start:
        actions.append("no-show")
    if status in (BookingStatus.PENDING_APPROVAL, BookingStatus.HELD, BookingStatus.CONFIRMED):
        actions.append("cancel")
    return actions


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
        actions = booking_actions(booking, timezone.now())
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
                    "reason": SYSTEM_REASONS.get(t.reason, t.reason),
                }
                for t in selectors.booking_transitions(booking)
            ],
            day_url=reverse("booking_day:index")
            + f"?venue={booking.resource.venue_id}&date={booking.start.astimezone(tz):%Y-%m-%d}",
        )
        return context


def booking_time(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{date_format(local, 'SHORT_DATE_FORMAT')} {local:%H:%M:%S}"


# Payments: the detail page's panel, refunds, money taken at the venue -------------------------

#: The engine's own reasons for the refunds it decides, as people read them.
REFUND_REASONS = {
    "paid twice": gettext_lazy("paid twice"),
    "the time was taken meanwhile": gettext_lazy("the time was taken meanwhile"),
    "the booking was cancelled before payment": gettext_lazy("the booking was cancelled before payment"),
    "refunded in Stripe": gettext_lazy("refunded in Stripe"),
}
#: Where a booking with something to pay may still have it recorded as paid at the venue.
PAYABLE_AT_VENUE = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)


def payment_method(booking: Booking, payments: list) -> str:
    """How the booking is paid, or empty when there is nothing to pay."""
    if any(p.provider == PaymentProvider.STRIPE for p in payments) or booking.payment_state == PaymentState.PENDING:
        return _("Online (Stripe)")
    if payments or booking.payment_state == PaymentState.DUE_AT_VENUE or booking.resource.pay_at_venue:
        return _("At the venue")
    return ""


def payment_panel(booking: Booking, tz: ZoneInfo, *, refundable_minor: int) -> dict:
    """What the detail page's "Payment" panel shows: amounts in the admin's language, times in the venue's."""
    payments = list(
        selectors.booking_payments(booking=booking).select_related("recorded_by").prefetch_related("refunds__actor")
    )
    provider_labels, status_labels = dict(PaymentProvider.choices), dict(PaymentStatus.choices)
    refund_status_labels, kind_labels = dict(RefundStatus.choices), dict(RefundKind.choices)
    refunds = sorted((r for p in payments for r in p.refunds.all()), key=lambda r: (r.created_at, r.pk))
    totals = ledger.totals(booking)
    return {
        "amount": money_label(booking.amount_minor, booking.currency),
        "currency": booking.currency,
        "state": booking.get_payment_state_display(),
        "method": payment_method(booking, payments),
        "payments": [
            {
                "provider": provider_labels.get(p.provider, p.provider),
                "status": status_labels.get(p.status, p.status),
                "amount": money_label(p.amount_minor, p.currency),
                "paid_at": booking_time(p.paid_at, tz) if p.paid_at else "",
                "recorded_by": booker_label(p.recorded_by) if p.recorded_by else "",
                "session_id": p.session_id or "",
                "payment_intent_id": p.payment_intent_id,
                "receipt_url": p.receipt_url if p.receipt_url.startswith("https://") else "",
            }
            for p in payments
        ],
        "refunds": [
            {
                "amount": money_label(r.amount_minor, r.currency),
                "status": refund_status_labels.get(r.status, r.status),
                "failed": r.status == RefundStatus.FAILED,
                "kind": kind_labels.get(r.kind, r.kind),
                "reason": REFUND_REASONS.get(r.reason, r.reason),
                "actor": booker_label(r.actor) if r.actor else _("the system"),
                "at": booking_time(r.created_at, tz),
                "failure": r.failure,
            }
            for r in refunds
        ],
        "paid": money_label(totals.paid, booking.currency),
        "refunded": money_label(totals.committed, booking.currency),  # pending ones included
        "refund_pending": any(r.status == RefundStatus.PENDING for r in refunds),
        "refundable": money_label(refundable_minor, booking.currency),
        "has_money": bool(payments) or booking.payment_state != PaymentState.NONE,
        "can_record_at_venue": booking.payment_state == PaymentState.DUE_AT_VENUE
        and booking.status in PAYABLE_AT_VENUE,
    }


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


# Day view -------------------------------------------------------------------------------------

#: What the day view lists: everything that still holds (or held) a place that day.
DAY_STATUSES = (
    BookingStatus.PENDING_APPROVAL,
    BookingStatus.HELD,
    BookingStatus.CONFIRMED,
    BookingStatus.CHECKED_IN,
    BookingStatus.NO_SHOW,
)


def local_day(day, tz: ZoneInfo) -> av.Interval:
    return av.Interval(av.wall_clock(day, time(0), tz), av.wall_clock(day + timedelta(days=1), time(0), tz))


class VenueChoiceMixin(ManagerRequiredMixin, WagtailAdminTemplateMixin):
    """A venue chosen among the user's (the first by name if none is asked for)."""

    form_class = DayForm

    @cached_property
    def form(self):
        form = self.form_class(self.request.GET or None, user=self.request.user)
        form.is_valid()
        return form

    def cleaned(self, name):
        return getattr(self.form, "cleaned_data", {}).get(name)

    @cached_property
    def venue(self):
        return self.cleaned("venue") or venues_managed_by(self.request.user).order_by("title").first()

    def display_form(self, **initial):
        """The form as shown: what is displayed, whether asked for or chosen by default."""
        if self.form.errors:
            return self.form
        return self.form_class(initial={"venue": self.venue.pk, **initial}, user=self.request.user)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


class DayView(VenueChoiceMixin, TemplateView):
    """Who is in on a day, by resource, with one-click check-in and no-show."""

    template_name = "bookings/admin/day.html"
    page_title = gettext_lazy("Who is in")
    header_icon = "calendar"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        venue, now = self.venue, timezone.now()
        tz = venue_zone(venue)
        day = self.cleaned("date") or now.astimezone(tz).date()
        window = local_day(day, tz)
        bookings = list(
            Booking.objects.filter(
                resource__venue=venue, status__in=DAY_STATUSES, start__lt=window.end, end__gt=window.start
            )
            .exclude(status=BookingStatus.HELD, expires_at__lte=now)
            .select_related("resource", "user")
            .order_by("start", "id")
        )
        by_resource = {}
        for booking in bookings:
            by_resource.setdefault(booking.resource_id, []).append(
                {
                    "booking": booking,
                    "time": f"{booking.start.astimezone(tz):%H:%M}–{booking.end.astimezone(tz):%H:%M}",
                    "booker": booker_label(booking.user),
                    "status_label": STATUS_LABELS.get(booking.status, booking.status),
                    "actions": [a for a in booking_actions(booking, now) if a in ("check-in", "no-show")],
                }
            )
        resources = Resource.objects.filter(venue=venue, origin="").filter(
            Q(is_active=True) | Q(pk__in=list(by_resource))
        )
        context.update(
            form=self.display_form(date=day),
            venue=venue,
            day=day,
            day_label=capfirst(f"{date_format(day, 'l')} {date_format(day, 'DATE_FORMAT')}"),
            is_today=day == now.astimezone(tz).date(),
            previous_day=day - timedelta(days=1),
            next_day=day + timedelta(days=1),
            groups=[(resource, by_resource.get(resource.pk, [])) for resource in resources.order_by("kind", "name")],
            count=len(bookings),
            checked_in=sum(1 for b in bookings if b.status == BookingStatus.CHECKED_IN),
            list_url=reverse("booking_list:index") + f"?venue={venue.pk}&dates_from={day}&dates_to={day}",
        )
        return context


# Occupancy report -----------------------------------------------------------------------------


class OccupancyView(VenueChoiceMixin, TemplateView):
    """Share of open hours booked, by resource and ISO week; ``?export=csv`` for a spreadsheet."""

    template_name = "bookings/admin/occupancy.html"
    page_title = gettext_lazy("Occupancy")
    header_icon = "table"
    form_class = ReportForm

    def weeks(self) -> tuple:
        """The first Monday and the number of weeks: by default the last four, this one and the next four."""
        this_monday = reports.monday_of(timezone.now().astimezone(venue_zone(self.venue)).date())
        first = reports.monday_of(self.cleaned("first") or this_monday - timedelta(weeks=4))
        last = reports.monday_of(self.cleaned("last") or max(first, this_monday + timedelta(weeks=4)))
        return first, (last - first).days // 7 + 1

    @cached_property
    def report(self):
        first, count = self.weeks()
        return reports.venue_occupancy(venue=self.venue, first_monday=first, weeks=count)

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            return self.csv_response()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        query = self.request.GET.copy()
        query["export"] = "csv"
        context.update(
            form=self.display_form(first=report.weeks[0].monday, last=report.weeks[-1].monday),
            venue=self.venue,
            report=report,
            rows=[(row, list(zip(report.weeks, row.cells, strict=True))) for row in report.rows],
            totals=list(zip(report.weeks, report.week_totals, strict=True)),
            csv_url=f"{self.request.path}?{query.urlencode()}",
        )
        return context

    def csv_response(self):
        report = self.report
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="occupancy-{self.venue.slug}-{report.weeks[0].label}.csv"'
        )
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(
            [
                _("Resource"),
                _("Week"),
                pgettext("weekday", "Monday"),
                _("Open hours"),
                _("Booked hours"),
                _("Occupancy (%)"),
            ]
        )
        for row in report.rows:
            for week, cell in zip(report.weeks, row.cells, strict=True):
                writer.writerow(
                    [
                        csv_safe(row.resource.name),
                        week.label,
                        week.monday.isoformat(),
                        f"{cell.open_minutes / 60:.2f}",
                        f"{cell.booked_minutes / 60:.2f}",
                        "" if cell.percent is None else cell.percent,
                    ]
                )
        return response


# Dashboard ------------------------------------------------------------------------------------


class TodayPanel(Component):
    """The dashboard's "Today at your venues": bookings today and requests awaiting approval."""

    name = "bookings_today"
    order = 50
    template_name = "bookings/admin/today_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        now = timezone.now()
        venues = list(venues_managed_by(self.user).order_by("title").only("pk", "title", "timezone")[:12])
        zones = {venue.timezone for venue in venues}
        condition = Q(pk__in=[])
        for zone in zones:
            window = local_day(now.astimezone(ZoneInfo(zone)).date(), ZoneInfo(zone))
            condition |= Q(resource__venue__timezone=zone, start__lt=window.end, end__gt=window.start)
        rows = (
            Booking.objects.filter(resource__venue__in=[v.pk for v in venues])
            .filter(condition, status__in=DAY_STATUSES)
            .values("resource__venue")
            .annotate(today=Count("pk"))
        )
        counts = {row["resource__venue"]: row["today"] for row in rows}
        pending = dict(
            Booking.objects.filter(
                resource__venue__in=[v.pk for v in venues],
                status=BookingStatus.PENDING_APPROVAL,
                start__gt=now,
            )
            .values_list("resource__venue")
            .annotate(n=Count("pk"))
        )
        context["venues"] = [
            {
                "venue": venue,
                "today": counts.get(venue.pk, 0),
                "pending": pending.get(venue.pk, 0),
                "day_url": reverse("booking_day:index") + f"?venue={venue.pk}",
                "pending_url": reverse("booking_list:index") + f"?venue={venue.pk}&status=pending_approval",
            }
            for venue in venues
        ]
        return context
