"""The admin's "Outside calendars": the calendars of the venues the user manages, each with its
state, "fetch now", and the add, edit and delete pages. Writes go through ``calendars.services``.

Another venue's calendar is a 404 whatever id is typed (every lookup is scoped by
``venues_managed_by``). The address itself is never rendered: pages show ``address_hint``.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from bookings.models import Resource
from calendars import services
from calendars.admin.forms import CalendarForm
from calendars.models import ErrorCode, ExternalCalendar, Outcome
from venues.permissions import ManagerRequiredMixin, venues_managed_by


def managed_calendars(user):
    return (
        ExternalCalendar.objects.filter(venue__in=venues_managed_by(user))
        .select_related("venue", "resource")
        .prefetch_related("resources")
        .order_by("venue__title", "resource__name", "name", "pk")
    )


def blocks_label(calendar: ExternalCalendar) -> str:
    """What the calendar makes busy, in words."""
    if calendar.resource_id:
        return calendar.resource.name
    chosen = sorted(r.name for r in calendar.resources.all())
    if chosen:
        return _("Whole venue: %(resources)s") % {"resources": ", ".join(chosen)}
    return _("Whole venue: all resources")


def error_label(calendar: ExternalCalendar) -> str:
    if not calendar.error_code:
        return ""
    try:
        label = ErrorCode(calendar.error_code).label
    except ValueError:
        label = calendar.error_code
    return f"{label} ({calendar.error})" if calendar.error else str(label)


def _index_url(resource_id=None) -> str:
    url = reverse("outside_calendars:index")
    return f"{url}?resource={resource_id}" if resource_id else url


class CalendarViewMixin(ManagerRequiredMixin, WagtailAdminTemplateMixin):
    header_icon = "calendar-alt"

    def get_breadcrumbs_items(self):
        # The page's title only, as the day view: a second, long item stuck out on a phone.
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


class CalendarObjectMixin(CalendarViewMixin):
    @cached_property
    def calendar(self) -> ExternalCalendar:
        return get_object_or_404(managed_calendars(self.request.user), pk=self.kwargs["pk"])


class CalendarIndexView(CalendarViewMixin, TemplateView):
    template_name = "calendars/admin/index.html"
    page_title = gettext_lazy("Outside calendars")

    @cached_property
    def resource(self):
        """``?resource=`` (from a resource's page): only the calendars that block it."""
        pk = self.request.GET.get("resource", "")
        if not pk.isdigit():
            return None
        return get_object_or_404(
            Resource.objects.filter(venue__in=venues_managed_by(self.request.user)).select_related("venue"), pk=pk
        )

    def get_context_data(self, **kwargs):
        calendars = managed_calendars(self.request.user)
        if self.resource is not None:
            whole_venue = Q(resource__isnull=True, venue_id=self.resource.venue_id)
            calendars = calendars.filter(
                Q(resource=self.resource)
                | (whole_venue & Q(resources=self.resource))
                | (whole_venue & Q(resources__isnull=True))
            ).distinct()
        add_url = reverse("outside_calendars:add")
        return super().get_context_data(
            rows=[
                {
                    "calendar": calendar,
                    "blocks": blocks_label(calendar),
                    "error": error_label(calendar),
                    "ok": calendar.last_outcome in (Outcome.IMPORTED, Outcome.UNCHANGED, Outcome.NOT_MODIFIED),
                }
                for calendar in calendars
            ],
            resource=self.resource,
            add_url=f"{add_url}?resource={self.resource.pk}" if self.resource else add_url,
            **kwargs,
        )


class CalendarFormView(CalendarViewMixin, FormView):
    template_name = "calendars/admin/form.html"
    form_class = CalendarForm
    calendar = None

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "calendar": self.calendar}

    def form_valid(self, form):
        try:
            calendar = self.save(form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        calendar.refresh_from_db()
        messages.success(self.request, self.done_message(calendar) + " " + outcome_message(calendar))
        return redirect(_index_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CalendarCreateView(CalendarFormView):
    #: Short titles: Wagtail's header does not wrap them on a phone.
    page_title = gettext_lazy("New calendar")

    def get_initial(self):
        pk = self.request.GET.get("resource", "")
        resource = (
            Resource.objects.filter(venue__in=venues_managed_by(self.request.user), origin="", pk=pk).first()
            if pk.isdigit()
            else None
        )
        return {"venue": resource.venue_id, "resource": resource.pk} if resource else {}

    def save(self, data):
        return services.calendar_add(
            venue=data["venue"],
            resource=data["resource"],
            resources=list(data["resources"]),
            address=data["address"],
            name=data["name"],
            all_day_blocks=data["all_day_blocks"],
            actor=self.request.user,
        )

    def done_message(self, calendar):
        return _("The calendar “%(name)s” is attached.") % {"name": calendar}


class CalendarEditView(CalendarObjectMixin, CalendarFormView):
    page_title = gettext_lazy("Edit the calendar")

    def save(self, data):
        return services.calendar_update(
            self.calendar,
            actor=self.request.user,
            address=data["address"] or None,
            name=data["name"],
            all_day_blocks=data["all_day_blocks"],
            resources=list(data["resources"]) if "resources" in data else None,
            enabled=data["enabled"],
        )

    def done_message(self, calendar):
        return _("The calendar “%(name)s” is saved.") % {"name": calendar}

    def get_context_data(self, **kwargs):
        return super().get_context_data(calendar=self.calendar, **kwargs)


def outcome_message(calendar: ExternalCalendar) -> str:
    """The last fetch's outcome, in words (the address is never in them)."""
    if calendar.last_outcome == Outcome.NEW:
        return _("It will be fetched in a moment.")
    if calendar.last_outcome == Outcome.FAILED:
        return _("The fetch failed: %(error)s") % {"error": error_label(calendar)}
    if calendar.last_outcome in (Outcome.UNCHANGED, Outcome.NOT_MODIFIED):
        return _("Nothing changed since the last fetch.")
    events = ngettext("%(counter)s event", "%(counter)s events", calendar.events_count)
    intervals = ngettext("%(counter)s busy time", "%(counter)s busy times", calendar.intervals_count)
    return _("Imported: %(events)s, %(intervals)s.") % {
        "events": events % {"counter": calendar.events_count},
        "intervals": intervals % {"counter": calendar.intervals_count},
    }


class CalendarFetchView(CalendarObjectMixin, TemplateView):
    """POST only: fetch the calendar now, in the request (bounded by the fetch's own deadline)."""

    http_method_names = ["post"]

    def post(self, request, **kwargs):
        calendar = self.calendar
        result = services.calendar_fetch(calendar)
        calendar.refresh_from_db()
        text = f"“{calendar}”: {outcome_message(calendar)}"
        (messages.success if result.ok else messages.error)(request, text)
        return redirect(request.POST.get("next") if _safe_next(request) else _index_url())


def _safe_next(request) -> bool:
    return request.POST.get("next", "").startswith(reverse("outside_calendars:index"))


class CalendarDeleteView(CalendarObjectMixin, TemplateView):
    template_name = "calendars/admin/confirm_delete.html"

    page_title = gettext_lazy("Delete the calendar")

    def get_context_data(self, **kwargs):
        kwargs.pop("pk", None)
        return super().get_context_data(
            calendar=self.calendar,
            blocks=blocks_label(self.calendar),
            busy_count=self.calendar.intervals_count,
            **kwargs,
        )

    def post(self, request, **kwargs):
        name = str(self.calendar)
        services.calendar_delete(self.calendar, actor=request.user)
        messages.success(
            request, _("The calendar “%(name)s” is deleted; the times it blocked are free.") % {"name": name}
        )
        return redirect(_index_url())
