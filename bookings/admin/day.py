"""Where the day is read at a glance: who is in on a day, the occupancy report, and the
dashboard's "Today at your venues" panel."""

import csv
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from bookings import selectors, state_machine
from bookings.admin import reports
from bookings.admin.approvals import decision_links
from bookings.admin.common import DAY_STATUSES, booker_label, local_day, venue_zone
from bookings.admin.forms import DayForm, ReportForm
from bookings.admin.hints import closure_flag, waiting_labels
from bookings.models import Booking, BookingStatus, Resource
from bookings.presentation import STATUS_LABELS
from bookings.selectors.outside_busy import outside_busy_by_resource
from core.formatting import csv_safe
from venues.permissions import ManagerRequiredMixin, venues_managed_by


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

    def render_to_response(self, context, **kwargs):
        """A date or venue that could not be read is shown with its error, and answered as bad input."""
        return super().render_to_response(context, **({"status": 400} if self.form.errors else {}) | kwargs)


class DayView(VenueChoiceMixin, TemplateView):
    """Who is in on a day, by resource, with one-click check-in and no-show, the requests to answer
    (through their confirmation page), and why an action is not offered yet."""

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
        resources = list(
            Resource.objects.filter(venue=venue, origin="")
            .filter(Q(is_active=True) | Q(pk__in={b.resource_id for b in bookings}))
            .order_by("kind", "name")
        )
        outside = outside_busy_by_resource(
            resource_ids=[r.pk for r in resources],
            start=min([window.start, *(b.start for b in bookings)]),
            end=max([window.end, *(b.end for b in bookings)]),
        )
        outside_today = {
            resource.pk: [
                span_label(s.start, s.end, tz, day)
                for s in outside.get(resource.pk, ())
                if s.overlaps(window.start, window.end)
            ]
            for resource in resources
        }
        for resource in resources:  # what the template shows under the resource's name
            resource.outside_busy_today = outside_today[resource.pk]
        closed = selectors.closures_covering(bookings)
        by_resource = {}
        for booking in bookings:
            clashes = [s for s in outside.get(booking.resource_id, ()) if s.overlaps(booking.start, booking.end)]
            by_resource.setdefault(booking.resource_id, []).append(
                {
                    "booking": booking,
                    "time": f"{booking.start.astimezone(tz):%H:%M}–{booking.end.astimezone(tz):%H:%M}",
                    "booker": booker_label(booking.user),
                    "status_label": STATUS_LABELS.get(booking.status, booking.status),
                    "actions": state_machine.moves_open(booking, now, among=("check-in", "no-show")),
                    "links": decision_links(booking, now, self.request.get_full_path()),
                    "waiting": waiting_labels(booking, now, tz, among=("approve", "check-in")),
                    "closed": closure_flag(closed.get(booking.pk)),
                    "outside_overlap": ", ".join(span_label(s.start, s.end, tz, day) for s in clashes),
                }
            )
        context.update(
            form=self.display_form(date=day),
            venue=venue,
            day=day,
            day_label=capfirst(f"{date_format(day, 'l')} {date_format(day, 'DATE_FORMAT')}"),
            is_today=day == now.astimezone(tz).date(),
            previous_day=day - timedelta(days=1),
            next_day=day + timedelta(days=1),
            groups=[(resource, by_resource.get(resource.pk, [])) for resource in resources],
            #: Per resource id: its outside calendars' busy times this day, as labels.
            outside_busy=outside_today,
            flagged=sum(1 for rows in by_resource.values() for row in rows if row["outside_overlap"]),
            count=len(bookings),
            checked_in=sum(1 for b in bookings if b.status == BookingStatus.CHECKED_IN),
            list_url=reverse("booking_list:index") + f"?venue={venue.pk}&dates_from={day}&dates_to={day}",
        )
        return context


def span_label(start, end, tz, day) -> str:
    """``14:00–15:00`` in the venue's zone; a time on another day than ``day`` carries its date
    (an end at the next midnight reads ``24:00``)."""
    start, end = start.astimezone(tz), end.astimezone(tz)

    def at(moment) -> str:
        if moment.date() == day:
            return f"{moment:%H:%M}"
        return f"{date_format(moment, 'SHORT_DATE_FORMAT')} {moment:%H:%M}"

    midnight_after = end.date() == day + timedelta(days=1) and end.time() == time(0)
    return f"{at(start)}–{'24:00' if midnight_after else at(end)}"


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
        first, last = self.form.weeks(this_monday)
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
