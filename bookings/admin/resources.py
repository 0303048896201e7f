"""Resources and closures in the admin: Wagtail's model views, scoped to the manager's venues, that
write through ``bookings.inventory``.

Wagtail's generic create and edit views would save the form's instance themselves; here
``save_instance`` hands the form's values to the service instead, so the admin, the demo and the
tests go through the same checks, and a refusal is shown on the form as the service words it.
"""

import django_filters
from django import forms
from django.db import transaction
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryFilterSet, HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.log_actions import log

from bookings import inventory, selectors
from bookings.admin.common import booker_label, booking_detail_url, venue_zone
from bookings.models import WORKSPACE_KINDS
from core import windows
from core.errors import DomainError
from core.formatting import time_span_label
from venues.permissions import ScopedIndexMixin, ScopedMixin, ScopedObjectMixin


class ServiceSaveMixin:
    """Create and edit views whose ``save_instance`` calls a service: its refusal (``DomainError``)
    undoes everything and comes back as the form's error."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DomainError as error:
            form.add_error(None, error.message)
            self.produced_error_message = self.get_error_message()  # as Wagtail's own ``is_valid`` sets it
            return self.form_invalid(form)

    def logged(self, instance, action: str):
        log(instance=instance, action=action, user=self.request.user, content_changed=True)
        return instance


#: Apps above bookings link their own pages about a resource (``calendars``: its outside calendars)
#: from the resources list and the resource's page: a hook of this name takes the resource and
#: returns a ``wagtail.admin.widgets.Button`` (or None).
RESOURCE_BUTTONS_HOOK = "register_resource_admin_buttons"


def resource_buttons(resource) -> list:
    return [button for hook in hooks.get_hooks(RESOURCE_BUTTONS_HOOK) if (button := hook(resource))]


class ResourceIndexView(ScopedIndexMixin, generic.IndexView):
    def scoped_queryset(self):
        return super().scoped_queryset().filter(origin="", kind__in=WORKSPACE_KINDS).select_related("venue")

    @cached_property
    def add_item_label(self):
        return _("Add a resource")

    def get_list_more_buttons(self, instance):
        return [*super().get_list_more_buttons(instance), *resource_buttons(instance)]


class ResourceCreateView(ServiceSaveMixin, generic.CreateView):
    def save_instance(self):
        resource = inventory.resource_create(
            actor=self.request.user, hours=self.form.hours_rows(), **self.form.service_values()
        )
        return self.logged(resource, "wagtail.create")


class ResourceEditView(ServiceSaveMixin, ScopedObjectMixin, generic.EditView):
    def scoped_queryset(self):
        return super().scoped_queryset().filter(origin="")

    @cached_property
    def header_more_buttons(self):
        return [*super().header_more_buttons, *resource_buttons(self.object)]

    def save_instance(self):
        resource = inventory.resource_update(
            resource=self.object,
            actor=self.request.user,
            hours=self.form.hours_rows(),
            **self.form.service_values(),
        )
        return self.logged(resource, "wagtail.edit")


class NoUsageDeleteView(ScopedObjectMixin, generic.DeleteView):
    """Wagtail's reference index does not know bookings: its "used 0 times" would mislead."""

    def get_usage_url(self):
        return None


class ResourceDeleteView(NoUsageDeleteView):
    """A resource with bookings is not deleted (``inventory.resource_delete`` refuses): the page
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
            inventory.resource_delete(resource=self.object, actor=self.request.user)

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
    @cached_property
    def add_item_label(self):
        return _("Add a closure")

    def scoped_queryset(self):
        return super().scoped_queryset().select_related("venue", "resource")


#: How many of the bookings on a new closure's days its warning lists.
CLASHES_LISTED = 20


class ClosureClashesMixin:
    """After a closure is saved: a warning that lists the requests and bookings still to come on its
    days, each linked to its page. Nothing is cancelled: the manager decides, booking by booking."""

    def form_valid(self, form):
        response = super().form_valid(form)
        if response.status_code == 302 and getattr(self, "object", None) is not None:
            self.warn_clashes(self.object)
        return response

    def warn_clashes(self, closure):
        clashes = selectors.bookings_on_closure(closure=closure, now=timezone.now())
        if not clashes:
            return
        count, tz = len(clashes), venue_zone(closure.venue)
        heading = ngettext(
            "%(count)d request or booking falls on this closure. It is not cancelled: decide with the booker.",
            "%(count)d requests or bookings fall on this closure. They are not cancelled: decide with each booker.",
            count,
        ) % {"count": count}
        hidden = count - CLASHES_LISTED
        more = (
            ngettext("…and %(count)d more.", "…and %(count)d more.", hidden) % {"count": hidden} if hidden > 0 else ""
        )
        rows = [
            {
                "booking": booking,
                "url": booking_detail_url(booking),
                "when": time_span_label(booking.start, booking.end, tz),
                "booker": booker_label(booking.user),
                "status": booking.get_status_display(),
            }
            for booking in clashes[:CLASHES_LISTED]
        ]
        html = render_to_string(
            "bookings/admin/_closure_clashes.html", {"heading": heading, "rows": rows, "more": more}
        )
        messages.warning(self.request, html)


class ClosureCreateView(ClosureClashesMixin, ServiceSaveMixin, generic.CreateView):
    def save_instance(self):
        closure = inventory.closure_create(actor=self.request.user, **self.form.service_values())
        return self.logged(closure, "wagtail.create")


class ClosureEditView(ClosureClashesMixin, ServiceSaveMixin, ScopedObjectMixin, generic.EditView):
    def save_instance(self):
        closure = inventory.closure_update(closure=self.object, actor=self.request.user, **self.form.service_values())
        return self.logged(closure, "wagtail.edit")


class ClosureDeleteView(NoUsageDeleteView):
    pass


class ScopedObjectLookupMixin(ScopedMixin):
    """History and usage views list other rows (log entries, references) about their object: only
    the object's lookup is scoped. ``ScopedObjectMixin``'s ``get_queryset`` would replace the
    listing with the object's own rows (a 500: a resource has no ``user_display_name``)."""

    def get_base_object_queryset(self):
        return self.scoped_queryset()


class SaneDateRangeField(django_filters.fields.DateRangeField):
    """Wagtail's history filter made ``timestamp_from=0001-01-01`` an aware datetime that SQLite's
    adapter could not shift to UTC (``OverflowError``, a 500): dates outside the years instants
    may have (``core.windows``) are a form error."""

    def clean(self, value):
        span = super().clean(value)
        for bound in (span.start, span.stop) if span else ():
            if bound is not None and not windows.FIRST_YEAR <= bound.year <= windows.LAST_YEAR:
                raise forms.ValidationError(
                    windows.DayField.default_error_messages["out_of_range"],
                    code="out_of_range",
                    params={"first": windows.FIRST_DAY.isoformat(), "last": windows.LAST_DAY.isoformat()},
                )
        return span


class SaneDateFromToRangeFilter(django_filters.DateFromToRangeFilter):
    field_class = SaneDateRangeField


class ScopedHistoryFilterSet(HistoryFilterSet):
    timestamp = SaneDateFromToRangeFilter(
        label=HistoryFilterSet.base_filters["timestamp"].label, widget=DateRangePickerWidget
    )


class ScopedHistoryView(ScopedObjectLookupMixin, HistoryView):
    filterset_class = ScopedHistoryFilterSet


class ScopedUsageView(ScopedObjectLookupMixin, UsageView):
    pass
